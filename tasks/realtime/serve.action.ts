import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { UserInputError, reportTaskError } from "../../src/errors.js";
import { loadMonitorConfig } from "../../src/monitor/config.js";
import {
  PROJECT_ROOT,
  chainAccess,
  createSource,
  defaultConfirmations,
  parseSourceKind,
} from "../../src/query/context.js";
import { ChainEventStream } from "../../src/query/stream.js";
import { SUBGRAPH_URL_ENV } from "../../src/query/subgraph.js";
import { startRealtimeServer } from "../../src/realtime/serve.js";
import { providerReader } from "../../src/store/indexer.js";
import { createIndexer } from "../../src/store/store.js";
import type { AbiEntry } from "../../src/subgraph/manifest.js";

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
  dataDir: string;
  databaseUrl: string;
  externalWriter: boolean;
  confirmations: number;
  alertsConfig: string;
  monitorState: string;
  auditInterval: number;
  json: boolean;
}

/** Runs the realtime HTTP server and dashboard until SIGINT/SIGTERM, then closes streams and connections. */
export default async function serveAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    const connection = await hre.network.create();
    const chain = await chainAccess(connection).catch(() => undefined);
    const kind = parseSourceKind(args.source, connection.networkName);
    // With the store answering, the stream keeps no log history (the in-memory index is the rpc source's cache).
    const stream =
      chain === undefined
        ? undefined
        : new ChainEventStream(chain.provider, chain.deployment, undefined, kind === "rpc");
    const { source, store } = await createSource(
      connection,
      {
        source: args.source,
        subgraphUrl: args.subgraphUrl,
        dataDir: args.dataDir,
        databaseUrl: args.databaseUrl,
      },
      stream === undefined ? {} : { head: () => stream.head(), logs: stream.logs },
    );
    // The postgres source's store is written by the local indexer in this process (unless Mirror writes it).
    const indexing = new AbortController();
    let indexer: Promise<void> | undefined;
    if (store !== undefined && chain !== undefined && !args.externalWriter) {
      const log = (line: string) => process.stderr.write(`${line}\n`);
      const writer = await createIndexer({
        root: PROJECT_ROOT,
        store,
        reader: providerReader(chain.provider),
        deployment: chain.deployment,
        readAbi: async (name) => (await hre.artifacts.readArtifact(name)).abi as readonly AbiEntry[],
        echoBuild: !args.json,
        confirmations: defaultConfirmations(args.confirmations, connection.networkName),
        onProgress: log,
      });
      await writer.catchUp(indexing.signal);
      indexer = writer.run(indexing.signal, (error) =>
        log(`index: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}; retrying`),
      );
    }
    const subgraphUrl = args.subgraphUrl !== "" ? args.subgraphUrl : process.env[SUBGRAPH_URL_ENV];
    if (!Number.isSafeInteger(args.auditInterval) || args.auditInterval < 0) {
      throw new UserInputError(
        `--audit-interval must be a whole number of seconds ≥ 0, got ${args.auditInterval}`,
      );
    }
    // The monitor's thresholds (its config file's, validated the same way) colour the dashboard's lights.
    const thresholds =
      args.alertsConfig === "" || chain === undefined
        ? undefined
        : (await loadMonitorConfig(args.alertsConfig, {}, chain.deployment.chainId)).thresholds;
    const monitorStateFiles = args.monitorState
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f !== "");
    const server = await startRealtimeServer({
      source,
      stream,
      chain,
      bitcoin: args.bitcoin
        .split(",")
        .map((u) => u.trim())
        .filter((u) => u !== ""),
      ...(subgraphUrl === undefined || subgraphUrl === "" ? {} : { subgraphUrl }),
      audit: args.auditInterval === 0 ? false : { intervalMs: args.auditInterval * 1000 },
      ...(thresholds === undefined ? {} : { thresholds }),
      ...(monitorStateFiles.length === 0 ? {} : { monitorStateFiles }),
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
        indexing.abort();
        void server
          .close()
          .then(() => indexer)
          .then(() => store?.close())
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
