import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { startRealtimeServer } from "../../src/dashboard/serve.js";
import { reportTaskError } from "../../src/errors.js";
import { chainAccess, createSource } from "../../src/query/context.js";
import { ChainEventStream } from "../../src/query/stream.js";
import { SUBGRAPH_URL_ENV } from "../../src/query/subgraph.js";

interface Args {
  port: number;
  host: string;
  source: string;
  subgraphUrl: string;
  maxInFlight: number;
  corsOrigin: string;
  bitcoin: string;
  rateLimit: number;
  rateWindow: number;
  maxConnections: number;
  json: boolean;
}

/** Runs the realtime HTTP server and dashboard until SIGINT/SIGTERM, then closes streams and connections. */
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
    const subgraphUrl = args.subgraphUrl !== "" ? args.subgraphUrl : process.env[SUBGRAPH_URL_ENV];
    const server = await startRealtimeServer({
      source,
      stream,
      chain,
      bitcoin: args.bitcoin
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
      ...(subgraphUrl === undefined || subgraphUrl === "" ? {} : { subgraphUrl }),
      host: args.host,
      port: args.port,
      maxInFlight: args.maxInFlight,
      corsOrigin: args.corsOrigin,
      limits: {
        rateLimitMax: args.rateLimit,
        rateLimitWindowMs: args.rateWindow * 1000,
        maxConnections: args.maxConnections,
      },
    });
    const line = {
      url: server.url,
      dashboard: `${server.url}/`,
      page: server.page.state,
      source: source.kind,
      network: connection.networkName,
      stream: stream !== undefined,
    };
    console.log(
      args.json
        ? JSON.stringify(line)
        : `realtime server on ${server.url} (source ${source.kind}, network ${connection.networkName}); ` +
            `dashboard at ${server.url}/` +
            (server.page.state === "missing" ? ` — page not built: ${server.page.reason ?? ""}` : ""),
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
    reportTaskError(error);
  }
}
