/**
 * The store benchmark's child process (bench/store.ts spawns it, one per phase, so the figures — peak RSS above all —
 * are this process's alone): `BENCH_STORE_MODE=index` runs the store's indexer (`createIndexer`, the code
 * `realtime:index` runs: the subgraph's compiled mappings, the entity store, one transaction per page with the
 * checkpoint) over the synthetic chain of bench/store-chain.ts until it is caught up; `BENCH_STORE_MODE=serve`
 * serves the eight queries over HTTP from the store (`startServer` with the `postgres` source, as
 * `realtime:serve --source postgres` does) until SIGTERM. One JSON line per milestone on stdout.
 *
 *   BENCH_STORE_MODE=index|serve BENCH_EVENTS=… BENCH_USERS=… (BENCH_STORE_DIR=… | BENCH_STORE_URL=postgres://…)
 *   [BENCH_STORE_RESET=1] [BENCH_NO_CACHE=1] npx tsx bench/store-node.ts
 *
 * It runs under tsx, not Hardhat, so its memory is the store's and the indexer's alone (ABIs from artifacts/); a
 * `realtime:index` process adds the Hardhat runtime (bench/store.ts measures that separately).
 */
import { globSync, readFileSync } from "node:fs";

import { PostgresSource } from "../src/query/postgres.js";
import { startServer } from "../src/realtime/server.js";
import { createIndexer, openStore, resetStore } from "../src/store/store.js";
import type { AbiEntry } from "../src/subgraph/manifest.js";
import { SyntheticChain } from "./store-chain.js";

const started = performance.timeOrigin;
const since = () => Math.round(Date.now() - started);
const emit = (type: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ type, ms: since(), ...fields })}\n`);

/** VmHWM (peak resident set) and VmRSS of this process, MB. */
function memory(): { peakRssMb: number; rssMb: number } {
  const status = readFileSync("/proc/self/status", "utf8");
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { peakRssMb: Math.round(kb("VmHWM") / 102.4) / 10, rssMb: Math.round(kb("VmRSS") / 102.4) / 10 };
}

const root = process.cwd();
/** A contract's ABI from the Hardhat artifacts (`hardhat build` wrote them; no Hardhat runtime in this process). */
async function readAbi(name: string): Promise<readonly AbiEntry[]> {
  const [file] = globSync(`artifacts/contracts/**/${name}.sol/${name}.json`, { cwd: root });
  if (file === undefined) throw new Error(`no artifact of ${name}: run npx hardhat build`);
  return (JSON.parse(readFileSync(`${root}/${file}`, "utf8")) as { abi: readonly AbiEntry[] }).abi;
}

const mode = process.env.BENCH_STORE_MODE ?? "index";
const location =
  process.env.BENCH_STORE_URL !== undefined && process.env.BENCH_STORE_URL !== ""
    ? { databaseUrl: process.env.BENCH_STORE_URL }
    : { dataDir: process.env.BENCH_STORE_DIR ?? "" };

const store = await openStore(root, location);
emit("opened", { kind: store.db.kind, applied: store.applied });

if (mode === "index") {
  if (process.env.BENCH_STORE_RESET === "1") await resetStore(store);
  const chain = new SyntheticChain(
    {
      users: Number(process.env.BENCH_USERS ?? 10_000),
      events: Number(process.env.BENCH_EVENTS ?? 1_000_000),
    },
    {
      rbtc: await readAbi("RBTCSynth"),
      wrbtc: await readAbi("WrBTC"),
      feeVault: await readAbi("FeeVault"),
      feePolicy: await readAbi("FeePolicy"),
      oracle: await readAbi("Oracle"),
      disputeManager: await readAbi("DisputeManager"),
    },
  );
  emit("chain", {
    head: chain.head,
    events: chain.totalEvents,
    generationMs: Math.round(chain.generationMs),
  });
  const indexer = await createIndexer({
    root,
    store,
    reader: chain,
    deployment: chain.deployment,
    readAbi,
    confirmations: 0,
  });
  const before = (await indexer.checkpoint())?.block ?? null;
  emit("ready-to-index", { checkpoint: before, ...memory() });
  // SIGTERM: stop after the page being indexed (its transaction commits or not; either way the checkpoint is exact).
  let stop = false;
  process.on("SIGTERM", () => (stop = true));
  const oneStep = process.env.BENCH_ONE_STEP === "1";
  const t0 = performance.now();
  let lastReport = 0;
  let maxRss = 0;
  let first: string | undefined;
  for (;;) {
    const step = await indexer.step();
    first ??= step.action;
    const now = performance.now();
    maxRss = Math.max(maxRss, memory().rssMb);
    if (step.action === "caught-up" || stop || oneStep) break;
    // PGlite and the synthetic chain answer without I/O: give the event loop a turn, or SIGTERM is never delivered.
    await new Promise((resolve) => setImmediate(resolve));
    if (now - lastReport > 5_000) {
      lastReport = now;
      emit("progress", {
        block: step.checkpoint,
        head: chain.head,
        events: indexer.handled,
        heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
        externalMb: Math.round(process.memoryUsage().external / 1e5) / 10,
        ...memory(),
      });
    }
  }
  const indexMs = performance.now() - t0;
  emit("caught-up", {
    firstStep: first,
    checkpointBefore: before,
    checkpoint: (await indexer.checkpoint())?.block ?? null,
    head: chain.head,
    handled: indexer.handled,
    indexMs: Math.round(indexMs),
    generationMs: Math.round(chain.generationMs),
    maxSampledRssMb: maxRss,
    heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10,
    ...memory(),
  });
  if (process.env.BENCH_STORE_COUNT === "1") {
    const rows: Record<string, number> = {};
    for (const t of store.schema.tables.values()) {
      const [r] = await store.db.query<{ n: string }>(
        `select count(*)::text as n from "reservebtc"."${t.table}"`,
      );
      rows[t.entity] = Number(r?.n ?? 0);
    }
    emit("rows", { rows, expected: chain.countsUpTo((await indexer.checkpoint())?.block ?? 0) });
  }
  await store.close();
  emit("closed", memory());
} else {
  const server = await startServer({
    source: new PostgresSource(store.db, store.schema),
    noCache: process.env.BENCH_NO_CACHE === "1",
    maxInFlight: 1_024,
    // One load generator measuring latency: the per-client rate limit would measure itself.
    limits: { rateLimitMax: 0 },
  });
  emit("listening", { url: server.url, ...memory() });
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  await server.close();
  await store.close();
  emit("closed", memory());
}
