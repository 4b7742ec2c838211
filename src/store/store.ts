// The realtime store assembled: open the database (PGlite data folder or a Postgres server), apply the migrations,
// and — for the local writer — load the subgraph's compiled mappings bound to a deployment's addresses.

import { readFile } from "node:fs/promises";
import path from "node:path";

import type { Deployment } from "../deployments.js";
import { CONTRACTS } from "../deployments.js";
import type { AbiEntry } from "../subgraph/manifest.js";
import { Mappings, ensureMappingsBuilt } from "../subgraph/mappings.js";
import type { Db, OpenOptions } from "./db.js";
import { openDb } from "./db.js";
import { EntityStore } from "./entities.js";
import type { ChainReader, IndexerOptions } from "./indexer.js";
import { Indexer } from "./indexer.js";
import { migrate } from "./migrate.js";
import type { HistorySchema } from "./schema.js";
import { historySchema } from "./schema.js";

export interface Store {
  db: Db;
  schema: HistorySchema;
  /** Migrations applied by this open (empty when the database was current). */
  applied: string[];
  close(): Promise<void>;
}

/** The history schema of the project's subgraph/schema.graphql. */
export async function loadHistorySchema(root: string): Promise<HistorySchema> {
  return historySchema(await readFile(path.join(root, "subgraph", "schema.graphql"), "utf8"));
}

/** Opens and migrates the store. */
export async function openStore(root: string, options: OpenOptions): Promise<Store> {
  const db = await openDb(options);
  try {
    const { applied } = await migrate(db);
    return { db, schema: await loadHistorySchema(root), applied, close: () => db.close() };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** Deletes every row the indexer wrote (entity tables, journal, pages, checkpoint): `realtime:index --reset`. */
export async function resetStore(store: Store): Promise<void> {
  await store.db.transaction(async (tx) => {
    const tables = [...store.schema.tables.values()].map((t) => `"reservebtc"."${t.table}"`);
    await tx.exec(
      `truncate ${[...tables, `"reservebtc"."entity_journal"`, `"reservebtc"."indexer_page"`, `"reservebtc"."indexer_checkpoint"`].join(", ")}`,
    );
  });
}

export interface IndexerSetup extends Omit<
  IndexerOptions,
  "db" | "mappings" | "store" | "reader" | "deployment"
> {
  root: string;
  store: Store;
  reader: ChainReader;
  deployment: Deployment;
  readAbi: (contractName: string) => Promise<readonly AbiEntry[]>;
  /** graph-cli's output while the mappings build (stderr). */
  echoBuild?: boolean;
  cacheEntries?: number;
}

/** The mappings bound to the deployment's contracts (the optional pool only when deployed). */
export async function loadBoundMappings(
  root: string,
  deployment: Deployment,
  readAbi: (contractName: string) => Promise<readonly AbiEntry[]>,
  entities: EntityStore,
  echo = false,
): Promise<Mappings> {
  const built = await ensureMappingsBuilt({ root, readAbi, echo });
  const mappings = await Mappings.load(built, () => entities);
  for (const [key, name] of Object.entries(CONTRACTS)) {
    mappings.bind(name, deployment[key as keyof typeof CONTRACTS]);
  }
  if (deployment.yieldPool !== undefined) mappings.bind("YieldScalesPool", deployment.yieldPool);
  return mappings;
}

/** An indexer writing `setup.store` from the chain. */
export async function createIndexer(setup: IndexerSetup): Promise<Indexer> {
  const entities = new EntityStore(setup.store.schema, setup.cacheEntries);
  const mappings = await loadBoundMappings(
    setup.root,
    setup.deployment,
    setup.readAbi,
    entities,
    setup.echoBuild,
  );
  return new Indexer({
    ...setup,
    db: setup.store.db,
    mappings,
    store: entities,
  });
}
