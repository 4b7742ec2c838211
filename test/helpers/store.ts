// The store checks every scenario runs (test/sim/scenarios.test.ts) and the store tests use: index a chain's logs with
// the subgraph's compiled mappings (run by src/subgraph/host.ts) into a store, then compare the entities with the
// contracts' views and the `postgres` source's answers with the rpc source's.

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { expect } from "chai";
import type { Provider } from "ethers";
import hre from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import { BackingHistory, MAX_HISTORY_POINTS } from "../../src/dashboard/history.js";
import type { Deployment } from "../../src/deployments.js";
import { attachSystem } from "../../src/deployments.js";
import { PostgresSource } from "../../src/query/postgres.js";
import { runQuery } from "../../src/query/query.js";
import { RpcSource } from "../../src/query/rpc.js";
import type { QueryName, QueryParams, QuerySource, YieldStatusResult } from "../../src/query/types.js";
import { QUERY_NAMES } from "../../src/query/types.js";
import type { SimReport } from "../../src/sim/engine.js";
import { columnText } from "../../src/store/db.js";
import type { OpenOptions } from "../../src/store/db.js";
import type { Indexer } from "../../src/store/indexer.js";
import { providerReader } from "../../src/store/indexer.js";
import type { Store } from "../../src/store/store.js";
import { createIndexer, openStore, resetStore } from "../../src/store/store.js";
import type { AbiEntry } from "../../src/subgraph/manifest.js";

export const ROOT = hre.config.paths.root;
export const readAbi = async (name: string): Promise<readonly AbiEntry[]> =>
  (await hre.artifacts.readArtifact(name)).abi as readonly AbiEntry[];

export interface ScenarioRun {
  /** Label of the assertions (the scenario file). */
  file: string;
  provider: Provider;
  deployment: Deployment;
  users: string[];
}

/** What a finished scenario left on its connection. */
export async function scenarioRun(
  file: string,
  connection: NetworkConnection,
  report: SimReport,
): Promise<ScenarioRun> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  return {
    file,
    provider: connection.ethers.provider,
    deployment: { chainId, ...report.deployment },
    users: report.users.map((u) => u.evmAddress),
  };
}

/** A temporary PGlite folder (removed by `cleanup`). */
export async function tempDataDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "reservebtc-store-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens (and, unless `keep`, empties) a store, indexes the run's chain to its head with the compiled mappings. */
export async function indexRun(
  run: ScenarioRun,
  open: OpenOptions,
  options: { keep?: boolean } = {},
): Promise<{ store: Store; indexer: Indexer; source: PostgresSource }> {
  const store = await openStore(ROOT, open);
  if (options.keep !== true) await resetStore(store);
  const indexer = await createIndexer({
    root: ROOT,
    store,
    reader: providerReader(run.provider),
    deployment: run.deployment,
    readAbi,
  });
  await indexer.catchUp();
  return { store, indexer, source: new PostgresSource(store.db, store.schema) };
}

/**
 * yield-status as the entity sources know it (docs/queries.md): the reward-index fields and the silently re-observed
 * supply are not in any event; an unavailable answer's reason names its source.
 */
export function withoutIndexFields(result: unknown): unknown {
  const r = structuredClone(result) as YieldStatusResult;
  if (!r.available) return { available: false };
  Object.assign(r.status, {
    rateBps: null,
    totalHolderWeight: null,
    committedRewards: null,
    runwaySeconds: null,
    // The balance hook re-observes the supply without an event: the entities hold the last announced one.
    supplySats: null,
    scaleWad: null,
  });
  if (r.userStatus !== null)
    Object.assign(r.userStatus, { earnedTier: null, rateBps: null, claimable: null });
  return r;
}

/** Every query with every parameter the run's users give. */
export function queryCases(users: string[]): Array<{ name: QueryName; params: QueryParams }> {
  const cases: Array<{ name: QueryName; params: QueryParams }> = [];
  for (const name of QUERY_NAMES) cases.push({ name, params: name === "transactions" ? { limit: 10 } : {} });
  for (const user of users) {
    cases.push({ name: "balances", params: { user } });
    cases.push({ name: "transactions", params: { user, limit: 1_000 } });
    cases.push({ name: "transactions", params: { user, limit: 2 } });
    cases.push({ name: "bitcoin-addresses", params: { user } });
    cases.push({ name: "yield-status", params: { user } });
    cases.push({ name: "disputes", params: { user, limit: 100 } });
  }
  for (const status of ["open", "upheld", "rejected", "expired"] as const) {
    cases.push({ name: "disputes", params: { status, limit: 100 } });
  }
  return cases.filter(
    (c) => !(c.name === "balances" || c.name === "transactions") || c.params.user !== undefined,
  );
}

/** Asserts the store answers every query exactly as the chain (the rpc source) does. */
export async function expectSameAnswers(run: ScenarioRun, store: QuerySource): Promise<number> {
  const rpc = new RpcSource(run.provider, run.deployment);
  let compared = 0;
  for (const { name, params } of queryCases(run.users)) {
    let expected: unknown = await runQuery(rpc, name, params);
    let actual: unknown = await runQuery(store, name, params);
    if (name === "yield-status") {
      expected = withoutIndexFields(expected);
      actual = withoutIndexFields(actual);
    }
    expect(actual, `${run.file}: ${name} ${JSON.stringify(params)}`).to.deep.equal(expected);
    compared += 1;
  }
  return compared;
}

/** Asserts the entity tables (what the mappings wrote) agree with the contracts' own views. */
export async function expectEntitiesMatchChain(run: ScenarioRun, store: Store): Promise<void> {
  const system = attachSystem(run.deployment, run.provider);
  const q = (sql: string, params: unknown[] = []) => store.db.query(sql, params);
  for (const user of run.users) {
    const [row] = await q(`select * from reservebtc."user" where id = $1`, [user.toLowerCase()]);
    const state = await system.oracle.userState(user);
    const actual = {
      free: columnText(row?.free_sats ?? "0", "free_sats"),
      escrow: columnText(row?.escrow_sats ?? "0", "escrow_sats"),
      wrbtc: columnText(row?.wrbtc_sats ?? "0", "wrbtc_sats"),
      attested: columnText(row?.attested_sats ?? "0", "attested_sats"),
      deferred: columnText(row?.deferred_sats ?? "0", "deferred_sats"),
      queued: columnText(row?.queued_sats ?? "0", "queued_sats"),
      sequence: columnText(row?.sequence ?? "0", "sequence"),
      feeWei: columnText(row?.fee_balance_wei ?? "0", "fee_balance_wei"),
      uncovered: columnText(row?.uncovered_sats ?? "0", "uncovered_sats"),
    };
    const expected = {
      free: String(await system.rbtc.freeBalanceOf(user)),
      escrow: String(await system.rbtc.escrowOf(user)),
      wrbtc: String(await system.wrbtc.balanceOf(user)),
      attested: String(state.attestedSats),
      deferred: String(state.deferredSats),
      queued: String(state.queuedSats),
      sequence: String(state.sequence),
      feeWei: String(await system.feeVault.balanceOf(user)),
      uncovered: String(await system.wrbtc.uncoveredOf(user)),
    };
    expect(actual, `${run.file}: User ${user}`).to.deep.equal(expected);
  }
  const [s] = await q(`select * from reservebtc.reserve_state`);
  const users = await system.oracle.usersSlice(0, 10_000);
  const states = users.length === 0 ? [] : await system.oracle.userStates([...users]);
  const sum = (f: (v: (typeof states)[number]) => bigint) => states.reduce((a, v) => a + f(v), 0n).toString();
  expect(
    {
      free: String(s?.rbtc_free_supply_sats),
      escrow: String(s?.rbtc_escrow_supply_sats),
      wrbtc: String(s?.wrbtc_supply_sats),
      uncovered: String(s?.uncovered_sats),
      attested: String(s?.total_attested_sats),
      queued: String(s?.total_queued_sats),
      deferred: String(s?.total_deferred_sats),
      bound: Number(s?.bound_address_count),
    },
    `${run.file}: ReserveState`,
  ).to.deep.equal({
    free: String(await system.rbtc.totalFree()),
    escrow: String(await system.rbtc.totalEscrow()),
    wrbtc: String(await system.wrbtc.totalSupply()),
    uncovered: String(await system.wrbtc.uncoveredSats()),
    attested: sum((v) => v.attestedSats),
    queued: sum((v) => v.queuedSats),
    deferred: sum((v) => v.deferredSats),
    bound: Number(await system.oracle.bindingsLength()),
  });
}

/** Indexes the run into a fresh PGlite store and asserts entities and answers agree with the chain. */
export async function expectStoreAgrees(run: ScenarioRun): Promise<void> {
  const { dir, cleanup } = await tempDataDir();
  const { store, source } = await indexRun(run, { dataDir: dir });
  try {
    await expectEntitiesMatchChain(run, store);
    expect(await expectSameAnswers(run, source)).to.be.greaterThan(8);
    await expectSameHistory(run, source);
  } finally {
    await store.close();
    await cleanup();
  }
}

/** The dashboard's backing history from the store equals the one read from the chain at each block. */
export async function expectSameHistory(run: ScenarioRun, source: PostgresSource): Promise<void> {
  const fromStore = await source.history(MAX_HISTORY_POINTS);
  const fromChain = await new BackingHistory(run.provider, run.deployment).history(
    fromStore.head,
    MAX_HISTORY_POINTS,
  );
  expect(fromStore.points, `${run.file}: dashboard history`).to.deep.equal(fromChain);
}
