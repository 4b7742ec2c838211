import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { exitCodeFor } from "../../src/errors.js";
import { chainAccess, createSource } from "../../src/query/context.js";
import { startServer } from "../../src/query/server.js";
import { ChainEventStream } from "../../src/query/stream.js";

interface Args {
  port: number;
  host: string;
  source: string;
  subgraphUrl: string;
  maxInFlight: number;
  corsOrigin: string;
  json: boolean;
}

/** Runs the realtime HTTP server until SIGINT/SIGTERM, then closes streams and connections gracefully. */
export default async function serveAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    const connection = await hre.network.create();
    const chain = await chainAccess(connection).catch(() => undefined);
    const stream = chain === undefined ? undefined : new ChainEventStream(chain.provider, chain.deployment);
    const { source } = await createSource(
      connection,
      { source: args.source, subgraphUrl: args.subgraphUrl },
      stream === undefined ? {} : { head: () => stream.head(), logs: stream.logs },
    );
    const server = await startServer({
      source,
      stream,
      host: args.host,
      port: args.port,
      maxInFlight: args.maxInFlight,
      corsOrigin: args.corsOrigin,
    });
    const line = {
      url: server.url,
      source: source.kind,
      network: connection.networkName,
      stream: stream !== undefined,
    };
    console.log(
      args.json
        ? JSON.stringify(line)
        : `realtime server on ${server.url} (source ${source.kind}, network ${connection.networkName})`,
    );
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server
          .close()
          .then(() => connection.close())
          .finally(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split("\n")[0]}`);
    process.exitCode = exitCodeFor(error);
  }
}
