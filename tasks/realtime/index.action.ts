import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { reportTaskError } from "../../src/errors.js";
import { PROJECT_ROOT, chainAccess, defaultConfirmations, storeLocation } from "../../src/query/context.js";
import { providerReader } from "../../src/store/indexer.js";
import { createIndexer, openStore, resetStore } from "../../src/store/store.js";
import type { AbiEntry } from "../../src/subgraph/manifest.js";

interface Args {
  dataDir: string;
  databaseUrl: string;
  confirmations: number;
  pageBlocks: number;
  reorgWindow: number;
  once: boolean;
  reset: boolean;
  json: boolean;
}

/**
 * `realtime:index`: writes the store from the chain with the subgraph's compiled mappings — backfills from the
 * checkpoint (or the deployment's start block) in bounded pages with a progress line on stderr, then follows the head
 * (`--once`: stops when caught up) until SIGINT/SIGTERM. Every page commits with its checkpoint, so a kill at any
 * moment resumes at the last committed page.
 */
export default async function action(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const connection = await hre.network.create();
    try {
      const chain = await chainAccess(connection);
      const store = await openStore(PROJECT_ROOT, await storeLocation(args, connection));
      try {
        if (args.reset) await resetStore(store);
        const log = (line: string) => process.stderr.write(`${line}\n`);
        const indexer = await createIndexer({
          root: PROJECT_ROOT,
          store,
          reader: providerReader(chain.provider),
          deployment: chain.deployment,
          readAbi: async (name) => (await hre.artifacts.readArtifact(name)).abi as readonly AbiEntry[],
          echoBuild: !args.json,
          confirmations: defaultConfirmations(args.confirmations, connection.networkName),
          pageBlocks: args.pageBlocks,
          reorgWindow: args.reorgWindow,
          onProgress: log,
        });
        const started = Date.now();
        const caughtUp = await indexer.catchUp(controller.signal);
        const summary = () => ({
          store: store.db.where,
          kind: store.db.kind,
          applied: store.applied,
          head: caughtUp.head,
          checkpoint: caughtUp.checkpoint,
          events: indexer.handled,
          seconds: (Date.now() - started) / 1000,
        });
        if (!args.once && !controller.signal.aborted) {
          log(`index: following the head (checkpoint ${caughtUp.checkpoint}); Ctrl-C to stop`);
          await indexer.run(controller.signal, (error) =>
            log(`index: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}; retrying`),
          );
        }
        const result = { ...summary(), checkpoint: (await indexer.checkpoint())?.block ?? null };
        console.log(
          args.json
            ? JSON.stringify(result)
            : `store ${result.store} at block ${result.checkpoint ?? "-"} (head ${result.head}); ` +
                `${result.events} events indexed in ${result.seconds.toFixed(1)} s`,
        );
      } finally {
        await store.close();
      }
    } finally {
      await connection.close();
    }
  } catch (error) {
    reportTaskError(error);
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}
