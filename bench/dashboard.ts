/**
 * Benchmark of the operator dashboard's two heavy routes, `/api/dashboard/status` and `/api/dashboard/history?points=500`,
 * against a real `hardhat node` (spawned on a free 127.0.0.1 port) and an in-process Bitcoin devnet:
 * deploy through Ignition, bind BENCH_USERS users (committee-approved `bindAddress`, fees prepaid), give them BTC on
 * the devnet, then send one committee-signed one-user `sync` per block until there are BENCH_POINTS history points
 * (every such block is a point), start `realtime:serve`'s server exactly as the task does (batching JsonRpcProvider,
 * rpc source over the chain event stream, the Bitcoin audit) and measure:
 *
 * - cold: the first answer of each route after the server starts (the work before the first computation exists);
 * - computation: what the server spends to compute a status (`DashboardService.recompute`) — before the status was
 *   computed in the background, what the first request after every new block waited for;
 * - warm: BENCH_REQUESTS sequential requests per route on an idle chain, then again while a block is mined every
 *   BENCH_BLOCK_MS (BENCH_MOVING_BLOCKS blocks, each a new history point), p50/p95/max round trip measured by the
 *   client.
 *
 *   npx hardhat run bench/dashboard.ts   (env: BENCH_USERS=150 BENCH_POINTS=500 BENCH_REQUESTS=200 BENCH_BLOCK_MS=500
 *                                         BENCH_MOVING_BLOCKS=20)
 *
 * Writes bench/dashboard.results.json.
 */
import { writeFile } from "node:fs/promises";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { keccak256, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { startDevnet } from "../src/bitcoin/devnet/server.js";
import type { DashboardHistory, DashboardStatus } from "../src/dashboard/types.js";
import { committeeWallets, signSyncBatch } from "../src/oracle/signing.js";
import { chainAccess } from "../src/query/context.js";
import { RpcSource } from "../src/query/rpc.js";
import { ChainEventStream } from "../src/query/stream.js";
import { startRealtimeServer } from "../src/realtime/serve.js";
import type { RealtimeServer } from "../src/realtime/serve.js";
import { bindUsers, fundUsers, syntheticUsers } from "../test/helpers/oracle-population.js";
import { deployBenchSystem, freePort, startNode } from "./node-process.js";

const USERS = Number(process.env.BENCH_USERS ?? 150);
const POINTS = Number(process.env.BENCH_POINTS ?? 500);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const BLOCK_MS = Number(process.env.BENCH_BLOCK_MS ?? 500);
const MOVING_BLOCKS = Number(process.env.BENCH_MOVING_BLOCKS ?? 20);
const RESULTS = "bench/dashboard.results.json";

const log = (message: string) => console.error(`[bench] ${message}`);
const round2 = (x: number) => Math.round(x * 100) / 100;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

interface Figures {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

function figures(samples: number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    p50Ms: round2(percentile(sorted, 50)),
    p95Ms: round2(percentile(sorted, 95)),
    maxMs: round2(sorted[sorted.length - 1] ?? 0),
  };
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

async function get<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const deploymentId = `bench-dashboard-${Date.now()}`;
const port = await freePort();
log(`starting hardhat node on 127.0.0.1:${port}`);
const node = await startNode(port);
const devnet = await startDevnet({ port: 0 });
let server: RealtimeServer | undefined;
try {
  const url = `http://127.0.0.1:${port}`;
  const connection = await network.create({ network: "localhost", override: { url } });
  const setupStart = performance.now();
  const { deployment, system } = await deployBenchSystem(connection, deploymentId);
  const [operators, threshold] = await system.oracle.committee();
  const committee = committeeWallets(operators.length)
    .filter((w) => operators.includes(w.address))
    .slice(0, Number(threshold));

  log(`binding ${USERS} users`);
  const users = syntheticUsers(USERS, "bench-dashboard");
  await bindUsers(system, connection.ethers.provider, committee, users, { feeEth: "0.5" });
  const rounds = Math.ceil(POINTS / USERS);
  const totalOf = (i: number, r: number) => BigInt(10_000 * r + i);
  fundUsers(devnet.chain, users, (i) => totalOf(i, rounds));
  devnet.chain.mine(6);

  log(`${POINTS} one-user syncs (one history point each)`);
  let sent = 0;
  /** Each user's last report sequence (the Oracle wants exactly the next one). */
  const sequence = users.map(() => 0n);
  for (let r = 1; r <= rounds && sent < POINTS; r++) {
    for (let i = 0; i < users.length && sent < POINTS; i++) {
      sequence[i] = BigInt(r);
      const report = {
        user: users[i]?.user ?? "",
        newTotalSats: totalOf(i, r),
        btcHeight: BigInt(r),
        btcBlockHash: keccak256(toUtf8Bytes(`bench-btc-${r}`)),
        sequence: BigInt(r),
      };
      const latest = await connection.ethers.provider.getBlock("latest");
      const deadline = BigInt(latest?.timestamp ?? 0) + 600n;
      const signatures = await signSyncBatch(system.oracle, [report], deadline, committee);
      await (await system.oracle.sync([report], deadline, signatures)).wait();
      sent += 1;
    }
  }
  const setupSeconds = Math.round((performance.now() - setupStart) / 1000);
  log(`setup: ${USERS} users, ${sent} sync blocks in ${setupSeconds} s`);

  // realtime:serve's assembly (tasks/realtime/serve.action.ts): batching provider, stream, rpc source, audit.
  const chain = await chainAccess(connection, deployment);
  const stream = new ChainEventStream(chain.provider, chain.deployment, undefined, true);
  const source = new RpcSource(chain.provider, chain.deployment, {
    head: () => stream.head(),
    logs: stream.logs,
  });
  const started = await timed(() =>
    startRealtimeServer({
      source,
      stream,
      chain,
      bitcoin: [devnet.url],
      limits: { rateLimitMax: 0 },
      monitorStateFiles: [],
    }),
  );
  server = started.value;
  const base = server.url;
  const historyUrl = `${base}/api/dashboard/history?points=${POINTS}`;
  const coldStatus = await timed(() => get<DashboardStatus>(`${base}/api/dashboard/status`));
  const coldHistory = await timed(() => get<DashboardHistory>(historyUrl));
  const points = coldHistory.value.available ? coldHistory.value.points.length : 0;
  log(
    `server up in ${Math.round(started.ms)} ms; first status ${Math.round(coldStatus.ms)} ms, ` +
      `first history (${points} points) ${Math.round(coldHistory.ms)} ms`,
  );

  // What the server computes (the work a request used to wait for after every block).
  const computeStatus: number[] = [];
  for (let i = 0; i < 10; i++) computeStatus.push((await timed(() => server!.dashboard.recompute())).ms);
  log(`computation: status p50 ${figures(computeStatus).p50Ms} ms`);

  const measure = async (target: string): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const res = await fetch(target);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${target}: HTTP ${res.status}`);
      samples.push(performance.now() - t0);
    }
    return samples;
  };
  const idle = {
    status: figures(await measure(`${base}/api/dashboard/status`)),
    history: figures(await measure(historyUrl)),
  };
  log(`idle chain: status ${JSON.stringify(idle.status)}, history ${JSON.stringify(idle.history)}`);

  // MOVING_BLOCKS blocks, one every BLOCK_MS, each a history point (a one-user sync), while a client alternates the
  // two routes without pause: every new block finds a status and a history that must catch up.
  let mined = 0;
  const sequenceNext = (i: number) => (sequence[i] = (sequence[i] ?? 0n) + 1n);
  const miner = (async () => {
    const r = rounds + 1;
    while (mined < MOVING_BLOCKS) {
      const i = mined % users.length;
      const seq = sequenceNext(i);
      const report = {
        user: users[i]?.user ?? "",
        // Alternating totals: every block changes the figures (a history point).
        newTotalSats: totalOf(i, rounds) - (seq % 2n === 0n ? 0n : 1n),
        btcHeight: BigInt(r),
        btcBlockHash: keccak256(toUtf8Bytes(`bench-btc-${r}`)),
        sequence: seq,
      };
      const latest = await connection.ethers.provider.getBlock("latest");
      const deadline = BigInt(latest?.timestamp ?? 0) + 600n;
      const signatures = await signSyncBatch(system.oracle, [report], deadline, committee);
      await (await system.oracle.sync([report], deadline, signatures)).wait();
      mined += 1;
      await new Promise((resolve) => setTimeout(resolve, BLOCK_MS));
    }
  })();
  let minerDone = false;
  void miner.finally(() => (minerDone = true)).catch(() => undefined);
  const movingSamples = { status: [] as number[], history: [] as number[] };
  while (!minerDone) {
    for (const [route, target] of [
      ["status", `${base}/api/dashboard/status`],
      ["history", historyUrl],
    ] as const) {
      const t0 = performance.now();
      const res = await fetch(target);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${target}: HTTP ${res.status}`);
      movingSamples[route].push(performance.now() - t0);
    }
  }
  await miner;
  const moving = { status: figures(movingSamples.status), history: figures(movingSamples.history) };
  log(
    `moving chain (${mined} blocks): status ${JSON.stringify(moving.status)}, history ${JSON.stringify(moving.history)}`,
  );

  const out = {
    command: "npx hardhat run bench/dashboard.ts",
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadAverage1m: round2(os.loadavg()[0] ?? 0) },
    users: USERS,
    historyPoints: points,
    setupSeconds,
    cold: {
      serverStartMs: Math.round(started.ms),
      firstStatusMs: Math.round(coldStatus.ms),
      firstHistoryMs: Math.round(coldHistory.ms),
    },
    computation: { statusMs: figures(computeStatus) },
    idle,
    moving: { blockEveryMs: BLOCK_MS, blocksMined: mined, ...moving },
    goals: { statusP95Ms: 100, historyP95Ms: 200 },
  };
  await writeFile(RESULTS, `${JSON.stringify(out, null, 2)}\n`);
  console.log(JSON.stringify(out, null, 2));
  console.log("\n| route | chain | requests | p50 ms | p95 ms | max ms |");
  console.log("|---|---|---|---|---|---|");
  for (const [chainState, set] of [
    ["idle", idle],
    [`a block every ${BLOCK_MS} ms`, moving],
  ] as const) {
    for (const [route, f] of [
      ["status", set.status],
      [`history?points=${POINTS}`, set.history],
    ] as const) {
      console.log(`| ${route} | ${chainState} | ${f.requests} | ${f.p50Ms} | ${f.p95Ms} | ${f.maxMs} |`);
    }
  }
  await connection.close();
} finally {
  await server?.close();
  await devnet.close();
  await rm(path.join("deploy", "deployments", deploymentId), { recursive: true, force: true });
  if (node.pid !== undefined) process.kill(-node.pid, "SIGTERM");
}
