/**
 * Benchmark of the realtime store (issue 18): BENCH_EVENTS synthetic events (default 1,000,000 over BENCH_USERS =
 * 10,000 users; bench/store-chain.ts) indexed by the store's real indexer — the subgraph's compiled mappings, the
 * entity store, one transaction per page with its checkpoint (`createIndexer`, what `realtime:index` runs) — reading
 * a synthetic `ChainReader` instead of a node. Measured, per backend (PGlite, the default; a real Postgres server with
 * BENCH_BACKENDS=pglite,postgres):
 *
 * 1. indexing: events/s (with and without the time the synthetic chain spends generating and encoding its logs) and
 *    the indexing process's peak RSS (VmHWM from /proc; the process runs the indexer alone, under tsx — bench/
 *    store-node.ts); the stored rows are checked against the events generated up to the checkpoint;
 *    BENCH_INDEX_MINUTES bounds the run (the store is then measured at the size reached, and the results say so);
 * 2. restart: a new indexing process on the same store — time from spawn to its first step (caught up, or the next
 *    page after the checkpoint), events handled by that step (0 at the head: no re-backfill), rows re-checked;
 * 3. the Hardhat runtime a `realtime:index`/`realtime:serve` process adds: `realtime:migrate` on the same store
 *    under /usr/bin/time (peak RSS, wall time);
 * 4. queries over HTTP at BENCH_CLIENTS (16) concurrent clients, BENCH_REQUESTS per query: the server with the
 *    `postgres` source and the answer cache off (every request reaches the store), then the real
 *    `realtime:serve --source postgres --external-writer` task (its per-block cache on, as users run it).
 *
 *   npx hardhat run bench/store.ts     (env: BENCH_EVENTS BENCH_USERS BENCH_BACKENDS BENCH_CLIENTS BENCH_REQUESTS
 *                                        BENCH_INDEX_MINUTES BENCH_STORE_DIR — results: bench/store.results.json)
 */
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";

import { startPostgres } from "../test/helpers/postgres.js";
import type { PostgresServer } from "../test/helpers/postgres.js";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const USERS = Number(process.env.BENCH_USERS ?? 10_000);
const BACKENDS = (process.env.BENCH_BACKENDS ?? "pglite").split(",").map((b) => b.trim());
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 16);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 800);
const INDEX_MINUTES = Number(process.env.BENCH_INDEX_MINUTES ?? 0);
/** Phases to run (a later run with BENCH_STORE_DIR and fewer phases updates the results of the phases it ran). */
const PHASES = new Set(
  (process.env.BENCH_PHASES ?? "index,restart,hardhat,queries").split(",").map((p) => p.trim()),
);
const RESULTS = process.env.BENCH_RESULTS ?? "bench/store.results.json";

const log = (message: string) => console.error(`[bench:store] ${message}`);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

type Line = Record<string, unknown> & { type: string; ms: number };

/** A bench/store-node.ts process: its JSON lines as they come, and its exit. */
interface NodeRun {
  child: ChildProcess;
  spawnedAt: number;
  lines: Line[];
  next(type: string, timeoutMs?: number): Promise<Line & { at: number }>;
  exited: Promise<number | null>;
}

function startNode(env: Record<string, string>): NodeRun {
  const spawnedAt = performance.now();
  // One process (node with tsx's loader), so its signals and /proc entries are the indexer's own.
  const child = spawn(process.execPath, ["--import", "tsx", "bench/store-node.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: Line[] = [];
  const waiters: Array<{ type: string; resolve: (l: Line & { at: number }) => void }> = [];
  let buffer = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    let cut: number;
    while ((cut = buffer.indexOf("\n")) >= 0) {
      const text = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 1);
      if (!text.startsWith("{")) continue;
      const line: Line & { at: number } = { ...(JSON.parse(text) as Line), at: performance.now() };
      lines.push(line);
      if (line.type === "progress") {
        log(
          `  block ${String(line.block)}/${String(line.head)}, ${String(line.events)} events, ` +
            `RSS ${String(line.rssMb)} MB (peak ${String(line.peakRssMb)}, heap ${String(line.heapUsedMb)}, ` +
            `external ${String(line.externalMb)}), load ${loadavg()[0]?.toFixed(1)}`,
        );
      }
      for (const w of waiters.filter((x) => x.type === line.type)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    spawnedAt,
    lines,
    exited,
    next: (type, timeoutMs = 4 * 3_600_000) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => l.type === type);
        if (seen !== undefined) return resolve(seen as Line & { at: number });
        const timer = setTimeout(() => reject(new Error(`no "${type}" line in ${timeoutMs} ms`)), timeoutMs);
        timer.unref();
        waiters.push({
          type,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `store-node exited (${code}) before "${type}": ${stderr.split("\n").slice(-6).join(" | ")}`,
            ),
          );
        });
      }),
  };
}

function thin<T>(list: T[], max = 40): T[] {
  const step = Math.max(1, Math.ceil(list.length / max));
  return list.filter((_, i) => i % step === 0 || i === list.length - 1);
}

function signal(run: NodeRun, sig: NodeJS.Signals): void {
  run.child.kill(sig);
}

/** Stored rows of the event entities against the events the chain emitted up to the checkpoint. */
const ROW_CHECKS: Array<[entity: string, event: string]> = [
  ["Sync", "Synced"],
  ["Mint", "Minted"],
  ["Burn", "Burned"],
  ["Wrap", "Wrapped"],
  ["Redeem", "Redeemed"],
  ["FeeDeposit", "FeeDeposited"],
  ["FeeSpend", "FeeSpent"],
  ["EmergencyBurn", "EmergencyBurn"],
  ["Dispute", "DisputeOpened"],
  ["AddressBinding", "AddressBound"],
];

function checkRows(rows: Record<string, number>, expected: Record<string, number>) {
  const mismatches = ROW_CHECKS.filter(
    ([entity, event]) => (rows[entity] ?? 0) !== (expected[event] ?? 0),
  ).map(([entity, event]) => `${entity} ${rows[entity] ?? 0} ≠ ${event} ${expected[event] ?? 0}`);
  const total = Object.values(rows).reduce((a, b) => a + b, 0);
  return { ok: mismatches.length === 0, mismatches, totalRows: total };
}

// ---- HTTP load ------------------------------------------------------------------------------------------------------

interface Cell {
  query: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  rps: number;
  errors: number;
  bytes: number;
}

async function load(
  url: string,
  name: string,
  pathOf: (i: number) => string,
  requests: number,
): Promise<Cell> {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (;;) {
        const i = next++;
        if (i >= requests) return;
        const t0 = performance.now();
        const res = await fetch(`${url}${pathOf(i)}`);
        const body = await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        bytes = Math.max(bytes, body.byteLength);
        if (res.status !== 200) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    query: name,
    requests,
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? 0),
    rps: Math.round(requests / seconds),
    errors,
    bytes,
  };
}

function userOf(i: number): string {
  // The same addresses bench/store-chain.ts gives its users (keccak of a label), spread over all of them.
  return userAddresses[(i * 7_919) % userAddresses.length] ?? "";
}
let userAddresses: string[] = [];

/** Requests of the whole-system lists (every bound address: 10,000 rows an answer at the default size). */
const LIST_REQUESTS = Number(process.env.BENCH_LIST_REQUESTS ?? 64);

const QUERIES: Array<[name: string, path: (i: number) => string, requests?: number]> = [
  ["balances", (i) => `/api/realtime/balances?user=${userOf(i)}`],
  ["sync-status", () => `/api/realtime/sync-status`],
  ["transactions", (i) => `/api/realtime/transactions?user=${userOf(i)}`],
  ["bitcoin-addresses (one user)", (i) => `/api/realtime/bitcoin-addresses?user=${userOf(i)}`],
  ["bitcoin-addresses (all)", () => `/api/realtime/bitcoin-addresses`, LIST_REQUESTS],
  ["emergency-burns", () => `/api/realtime/emergency-burns`],
  ["yield-status", () => `/api/realtime/yield-status`],
  ["yield-status (one user)", (i) => `/api/realtime/yield-status?user=${userOf(i)}`],
  ["disputes", () => `/api/realtime/disputes`],
  ["proof-of-reserves", () => `/api/realtime/proof-of-reserves`],
];

async function loadAll(url: string, label: string): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (const [name, pathOf, requests = REQUESTS] of QUERIES) {
    // A short warm-up (connections, statement plans), not measured.
    for (let i = 0; i < 3; i++) await (await fetch(`${url}${pathOf(i + REQUESTS)}`)).arrayBuffer();
    const cell = await load(url, name, pathOf, requests);
    cells.push(cell);
    log(
      `  ${label} ${name}: p50 ${cell.p50} p95 ${cell.p95} p99 ${cell.p99} ms, ${cell.rps} req/s, ` +
        `errors ${cell.errors}, ${cell.bytes} B, load ${loadavg()[0]?.toFixed(1)}`,
    );
  }
  return cells;
}

/** The real `realtime:serve --source postgres --external-writer` task on the store; its URL once it listens. */
async function startServeTask(where: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    "npx",
    [
      "hardhat",
      "realtime:serve",
      "--source",
      "postgres",
      "--external-writer",
      ...where,
      "--port",
      "0",
      "--bitcoin",
      "",
      "--rate-limit",
      "0",
      "--max-in-flight",
      "1024",
      "--json",
    ],
    { stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4_000)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`realtime:serve did not start: ${stderr}`)), 300_000);
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /"url":"([^"]+)"/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`realtime:serve exited (${code}): ${stderr}`)));
  });
  return { child, url };
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  process.kill(-child.pid, "SIGTERM");
  const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, "SIGKILL"), 30_000);
  await exited;
  clearTimeout(timer);
}

// ---- one backend ----------------------------------------------------------------------------------------------------

async function benchBackend(backend: string) {
  let pg: PostgresServer | undefined;
  let dir: string | undefined;
  const env: Record<string, string> = { BENCH_EVENTS: String(EVENTS), BENCH_USERS: String(USERS) };
  if (backend === "postgres") {
    pg = await startPostgres();
    env.BENCH_STORE_URL = pg.url;
  } else {
    dir = process.env.BENCH_STORE_DIR ?? (await mkdtemp(path.join(tmpdir(), "reservebtc-bench-store-")));
    env.BENCH_STORE_DIR = dir;
  }
  const where = pg !== undefined ? ["--database-url", pg.url] : ["--data-dir", dir ?? ""];
  const result: Record<string, unknown> = { backend };
  try {
    if (PHASES.has("index")) {
      // A resumed run (a new process continuing a large store) is kept beside the run that built the store.
      result[process.env.BENCH_RESUME === "1" ? "indexingResumed" : "indexing"] = await indexPhase(
        backend,
        env,
      );
    }
    if (PHASES.has("restart")) result.restart = await restartPhase(backend, env);
    if (PHASES.has("hardhat")) result.hardhatTask = hardhatPhase(backend, where);
    if (PHASES.has("queries")) result.queries = await queryPhase(backend, env, where);
    return result;
  } finally {
    await pg?.stop();
    if (dir !== undefined && process.env.BENCH_STORE_DIR === undefined)
      await rm(dir, { recursive: true, force: true });
  }
}

async function indexPhase(backend: string, env: Record<string, string>) {
  {
    // 1. Index everything (or until BENCH_INDEX_MINUTES).
    log(`${backend}: indexing ${EVENTS} events of ${USERS} users`);
    // BENCH_RESUME=1: continue the store's indexing in a new process instead of starting over.
    const resume = process.env.BENCH_RESUME === "1";
    const first = startNode({
      ...env,
      BENCH_STORE_MODE: "index",
      BENCH_STORE_RESET: resume ? "0" : "1",
      BENCH_STORE_COUNT: "1",
    });
    const chain = await first.next("chain");
    const ready = await first.next("ready-to-index");
    let stoppedEarly = false;
    let timer: NodeJS.Timeout | undefined;
    if (INDEX_MINUTES > 0) {
      timer = setTimeout(() => {
        stoppedEarly = true;
        log(
          `${backend}: BENCH_INDEX_MINUTES=${INDEX_MINUTES} reached, stopping the indexer after its current page`,
        );
        signal(first, "SIGTERM");
      }, INDEX_MINUTES * 60_000);
    }
    // A child that dies first rejects here; the timer must not keep this process alive after that.
    const done = await first.next("caught-up").finally(() => clearTimeout(timer));
    const rows = await first.next("rows");
    const closed = await first.next("closed");
    await first.exited;
    const handled = Number(done.handled);
    const indexSeconds = Number(done.indexMs) / 1000;
    const generationSeconds = Number(done.generationMs) / 1000;
    const rowCheck = checkRows(rows.rows as Record<string, number>, rows.expected as Record<string, number>);
    const indexing = {
      resumedFromCheckpoint: ready.checkpoint,
      eventsGenerated: chain.events,
      chainHead: chain.head,
      eventsIndexed: handled,
      checkpoint: done.checkpoint,
      complete: !stoppedEarly && done.checkpoint === chain.head,
      startupSeconds: round(Number(ready.ms) / 1000),
      indexSeconds: round(indexSeconds, 1),
      eventsPerSecond: Math.round(handled / indexSeconds),
      syntheticChainSeconds: round(generationSeconds, 1),
      eventsPerSecondWithoutChain: Math.round(handled / Math.max(0.001, indexSeconds - generationSeconds)),
      // VmHWM of the whole process (a new PGlite store's initdb included) and the highest VmRSS seen after a page.
      peakRssMb: closed.peakRssMb,
      maxRssWhileIndexingMb: done.maxSampledRssMb,
      rssAtReadyMb: ready.rssMb,
      rssAtEndMb: done.rssMb,
      heapUsedAtEndMb: done.heapUsedMb,
      rows: rowCheck,
      // RSS (and V8 heap) as the history grows: at most 40 of the progress samples.
      samples: thin(first.lines.filter((l) => l.type === "progress")).map((l) => ({
        events: l.events,
        rssMb: l.rssMb,
        heapUsedMb: l.heapUsedMb,
      })),
    };
    log(`${backend}: indexing ${JSON.stringify(indexing)}`);
    return indexing;
  }
}

async function restartPhase(backend: string, env: Record<string, string>) {
  {
    // 2. Restart: a new process resumes from the checkpoint.
    log(`${backend}: restart`);
    const second = startNode({
      ...env,
      BENCH_STORE_MODE: "index",
      BENCH_STORE_COUNT: "1",
      BENCH_ONE_STEP: "1",
    });
    const opened2 = await second.next("opened");
    const ready2 = await second.next("ready-to-index");
    const step2 = await second.next("caught-up");
    const rows2 = await second.next("rows");
    const closed2 = await second.next("closed");
    await second.exited;
    const restart = {
      checkpointBefore: step2.checkpointBefore,
      firstStep: step2.firstStep,
      checkpointAfter: step2.checkpoint,
      eventsHandled: step2.handled,
      // At the head nothing is handled; behind it, the first page starts right after the stored checkpoint.
      noBackfill: step2.firstStep === "caught-up" ? step2.handled === 0 : step2.checkpointBefore !== null,
      secondsToStoreOpen: round((opened2.at - second.spawnedAt) / 1000),
      secondsToIndexerReady: round((ready2.at - second.spawnedAt) / 1000),
      secondsToFirstStepDone: round((step2.at - second.spawnedAt) / 1000),
      peakRssMb: closed2.peakRssMb,
      rows: checkRows(rows2.rows as Record<string, number>, rows2.expected as Record<string, number>),
    };
    log(`${backend}: restart ${JSON.stringify(restart)}`);
    return restart;
  }
}

function hardhatPhase(backend: string, where: string[]) {
  {
    // 3. What the Hardhat runtime adds: realtime:migrate (a Hardhat task opening the same store) under /usr/bin/time.
    const timed = spawnSync(
      "/usr/bin/time",
      ["-f", "%M %e", "npx", "hardhat", "realtime:migrate", ...where, "--json"],
      { encoding: "utf8" },
    );
    const [maxKb, wall] = (timed.stderr.trim().split("\n").at(-1) ?? "").split(" ");
    const hardhatTask = {
      command: "realtime:migrate (store already current)",
      exit: timed.status,
      peakRssMb: round(Number(maxKb) / 1024, 1),
      wallSeconds: Number(wall),
    };
    log(`${backend}: hardhat task ${JSON.stringify(hardhatTask)}`);
    return hardhatTask;
  }
}

async function queryPhase(backend: string, env: Record<string, string>, where: string[]) {
  {
    // 4. Queries over HTTP.
    log(`${backend}: queries at ${CLIENTS} clients, ${REQUESTS} requests each, answer cache off`);
    const server = startNode({ ...env, BENCH_STORE_MODE: "serve", BENCH_NO_CACHE: "1" });
    const listening = await server.next("listening");
    const uncached = await loadAll(String(listening.url), "no cache");
    signal(server, "SIGTERM");
    const serverClosed = await server.next("closed");
    await server.exited;

    log(`${backend}: queries through realtime:serve --source postgres (answer cache on)`);
    const task = await startServeTask(where);
    const cached = await loadAll(task.url, "realtime:serve");
    await stopGroup(task.child);

    return {
      clients: CLIENTS,
      requests: REQUESTS,
      serverPeakRssMb: serverClosed.peakRssMb,
      uncached,
      realtimeServe: cached,
    };
  }
}

// ---- main -----------------------------------------------------------------------------------------------------------

const { SyntheticChain } = await import("./store-chain.js");
userAddresses = [...new SyntheticChain({ users: USERS, events: 0 }, emptyAbis()).users];
const started = new Date().toISOString();
const load0 = loadavg();
type Result = Record<string, unknown> & { backend: string };
const previous =
  existsSync(RESULTS) && PHASES.size < 4
    ? (JSON.parse(readFileSync(RESULTS, "utf8")) as { results: Result[]; runs?: unknown[] })
    : undefined;
const results: Result[] = previous?.results ?? [];
for (const backend of BACKENDS) {
  const r = (await benchBackend(backend)) as Result;
  const i = results.findIndex((x) => x.backend === backend);
  if (i >= 0) results[i] = { ...results[i], ...r };
  else results.push(r);
}
const run = {
  started,
  finished: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? "",
    loadAtStart: load0.map((l) => round(l)),
    loadAtEnd: loadavg().map((l) => round(l)),
  },
  command: `${process.env.BENCH_RESUME === "1" ? "BENCH_RESUME=1 " : ""}${process.env.BENCH_STORE_DIR !== undefined ? `BENCH_STORE_DIR=${process.env.BENCH_STORE_DIR} ` : ""}BENCH_EVENTS=${EVENTS} BENCH_USERS=${USERS} BENCH_BACKENDS=${BACKENDS.join(",")} BENCH_CLIENTS=${CLIENTS} BENCH_REQUESTS=${REQUESTS}${INDEX_MINUTES > 0 ? ` BENCH_INDEX_MINUTES=${INDEX_MINUTES}` : ""} BENCH_PHASES=${[...PHASES].join(",")} npx hardhat run bench/store.ts`,
};
const out = { runs: [...(previous?.runs ?? []), run], results };
await writeFile(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
for (const r of results as Array<Result & { queries?: { uncached: Cell[]; realtimeServe: Cell[] } }>) {
  const q = r.queries;
  if (q === undefined) continue;
  console.log(
    `\n${r.backend}: | query | p50 ms (no cache) | p95 ms (no cache) | p95 ms (realtime:serve) | errors |`,
  );
  q.uncached.forEach((c, i) => {
    const s = q.realtimeServe[i];
    console.log(`| ${c.query} | ${c.p50} | ${c.p95} | ${s?.p95 ?? "-"} | ${c.errors + (s?.errors ?? 0)} |`);
  });
}

function emptyAbis() {
  const none = [] as const;
  return { rbtc: none, wrbtc: none, feeVault: none, feePolicy: none, oracle: none, disputeManager: none };
}
