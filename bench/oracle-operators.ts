/**
 * Benchmark of a round through independent operator nodes on loopback. Run: `npm run hh -- run
 * bench/oracle-operators.ts` (BENCH_USERS, default 10000; BENCH_LATENCY_TIPS, default 10).
 *
 * Setup (this process): `hardhat node` on a free port, the Bitcoin devnet served from here, a fresh deployment, N
 * users bound and funded (as bench/oracle-round.ts). Then three `hardhat oracle:operator` processes (Hardhat accounts
 * 1..3, each its own slashing-protection record, each reading the devnet through its own client) and the aggregator
 * (bench/oracle-round-runner.ts with ORACLE_OPERATORS: exactly what `oracle:sync --operators …` runs, holding no
 * operator key). Measured: the first round (N first mints), an idle round and an update round (every balance grows):
 * wall time, the aggregator's peak RSS and each node's (VmHWM), CPU seconds of every process during the round (where
 * the time goes), the committee's signing time per batch; then the signing latency of batches of 500 reports sent to
 * the three nodes at once — the first batch at a new Bitcoin tip (cold: every balance is read) and the next one
 * (the node's background scan of the tip has started). Results: bench/oracle-operators.results.json.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { network } from "hardhat";

import { startDevnet } from "../src/bitcoin/devnet/server.js";
import { readUserViews } from "../src/oracle/chain-state.js";
import { blockHashToBytes32 } from "../src/oracle/reports.js";
import { committeeWallets } from "../src/oracle/signing.js";
import { startHardhat } from "../test/helpers/cli.js";
import { bindUsers, fundUsers, syntheticUsers } from "../test/helpers/oracle-population.js";
import { deployTo, removeDeployments, startHardhatNode } from "../test/oracle/integration/helpers.js";
import type { RunnerRound } from "./runner-process.js";
import { log, measuredRound, startRunner } from "./runner-process.js";

const n = Number(process.env.BENCH_USERS ?? 10_000);
const latencyTips = Number(process.env.BENCH_LATENCY_TIPS ?? 10);
const BATCH = 500;
const fundedSats = (i: number) => BigInt(50_000 + (i % 1000));
const UPDATE_SATS = 1_000n;
const MB = 1024 * 1024;

/** Peak resident set (VmHWM) of a process, MB. */
async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** CPU seconds (user + system) a process has used. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const node = await startHardhatNode();
const devnet = await startDevnet({ port: 0 });
const dataRoot = await mkdtemp(path.join(tmpdir(), "reservebtc-bench-operators-"));
const operators: Array<{ url: string; pid: number; child: ChildProcess; done: Promise<unknown> }> = [];
const connection = await network.create({ network: "localhost", override: { url: node.url } });
try {
  log(`hardhat node ${node.url}, devnet ${devnet.url}`);
  const setupStarted = Date.now();
  const users = syntheticUsers(n, `bench-operators-${n}`);
  const system = await deployTo(connection, { minConfirmations: 1 });
  await bindUsers(system, connection.ethers.provider, committeeWallets(2), users, {
    feeEth: "0.01",
    concurrency: 16,
    onProgress: (done) => log(`  bound ${done}/${n}`),
  });
  fundUsers(devnet.chain, users, fundedSats);
  devnet.chain.mine(1);
  const setupSeconds = (Date.now() - setupStarted) / 1000;
  log(`${n} users bound and funded in ${setupSeconds.toFixed(1)} s; starting three operator nodes…`);

  const env = {
    ...process.env,
    LOCALHOST_RPC_URL: node.url,
    RESERVEBTC_DEPLOYMENTS_DIR: system.deploymentsRoot,
  };
  for (const i of [0, 1, 2]) {
    let resolveUrl: (url: string) => void = () => undefined;
    const ready = new Promise<string>((resolve) => (resolveUrl = resolve));
    const { child, done } = startHardhat(
      [
        "oracle:operator",
        "--network",
        "localhost",
        "--json",
        "--no-compile",
        "--port",
        "0",
        "--dev-account",
        String(i + 1),
        "--bitcoin",
        devnet.url,
        "--concurrency",
        "32",
        "--data-dir",
        path.join(dataRoot, `operator-${i}`),
      ],
      {
        env,
        onLine: (line) => {
          const url = /"event":"listening".*?"url":"([^"]+)"/.exec(line)?.[1];
          if (url !== undefined) resolveUrl(url);
        },
      },
    );
    const url = await Promise.race([
      ready,
      done.then((r) => {
        throw new Error(`operator ${i} exited: ${r.stderr}`);
      }),
    ]);
    operators.push({ url, pid: child.pid ?? 0, child, done });
    log(`  operator ${i}: ${url} (pid ${child.pid})`);
  }
  const urls = operators.map((o) => o.url).join(",");

  const runner = startRunner({
    LOCALHOST_RPC_URL: node.url,
    BENCH_BITCOIN_URL: devnet.url,
    RESERVEBTC_DEPLOYMENTS_DIR: system.deploymentsRoot,
    ORACLE_OPERATORS: urls,
  });
  const pids = {
    aggregator: runner.pid,
    hardhatNode: node.process.pid ?? 0,
    ...Object.fromEntries(operators.map((o, i) => [`operator${i}`, o.pid])),
  };
  /** One round with every process's CPU seconds during it. */
  const profiled = async () => {
    const before = Object.fromEntries(
      await Promise.all(Object.entries(pids).map(async ([k, pid]) => [k, await cpuSeconds(pid)] as const)),
    );
    const devnetBefore = process.cpuUsage();
    const result = await measuredRound(runner);
    const cpu: Record<string, number> = {};
    for (const [k, pid] of Object.entries(pids))
      cpu[k] = Math.round(((await cpuSeconds(pid)) - (before[k] as number)) * 10) / 10;
    const devnetCpu = process.cpuUsage(devnetBefore);
    cpu.devnetAndBench = Math.round(((devnetCpu.user + devnetCpu.system) / 1e6) * 10) / 10;
    return { ...result, cpu };
  };
  const summarise = (r: Awaited<ReturnType<typeof profiled>>) => {
    const round: RunnerRound = r.round;
    const signs = round.signing.map((s) => s.ms);
    return {
      wallSeconds: round.wallMs / 1000,
      loadAverage: r.load,
      changed: round.changed,
      transactions: round.transactions,
      largestBatch: round.largestBatch,
      gasPerUser: Number(round.gasPerReport),
      aggregatorPeakRssMb: round.processPeakRssMb,
      cpuSeconds: r.cpu,
      signing: {
        batches: round.signing.length,
        totalSeconds: Math.round(signs.reduce((a, b) => a + b, 0)) / 1000,
        p50Ms: percentile(signs, 50),
        p95Ms: percentile(signs, 95),
        perBatch: round.signing,
      },
      tallies: round.tallies,
      phases: round.phases,
    };
  };

  const first = await profiled();
  if (first.round.changed !== n || first.round.skipped.length > 0) {
    throw new Error(
      `unexpected first round: ${first.round.changed} changed, ${first.round.skipped.length} skipped`,
    );
  }
  const supply = await system.rbtc.totalSupply();
  const expected = users.reduce((sum, _u, i) => sum + fundedSats(i), 0n);
  if (supply !== expected)
    throw new Error(`rBTC supply ${supply} after the first round, expected ${expected}`);
  log(`first round ${(first.round.wallMs / 1000).toFixed(1)} s, supply ${supply} sats as funded`);
  const idle = await profiled();
  fundUsers(devnet.chain, users, () => UPDATE_SATS);
  devnet.chain.mine(1);
  const update = await profiled();
  if (update.round.changed !== n) throw new Error(`update round changed ${update.round.changed}`);
  await runner.stop();

  // Signing latency per batch of 500 reports, the three nodes asked at once as the aggregator does.
  const oracle = system.oracle;
  const latency: Array<{
    tip: number;
    batch: "first at the tip" | "next";
    perNodeMs: number[];
    committeeMs: number;
  }> = [];
  for (let t = 0; t < latencyTips && (2 * t + 2) * BATCH <= n; t++) {
    devnet.chain.mine(1);
    const deadline = BigInt((await connection.ethers.provider.getBlock("latest"))?.timestamp ?? 0) + 600n;
    for (const [k, label] of [
      [0, "first at the tip"],
      [1, "next"],
    ] as const) {
      const slice = users.slice((2 * t + k) * BATCH, (2 * t + k + 1) * BATCH).map((u) => u.user);
      const head = await connection.ethers.provider.getBlockNumber();
      const { views } = await readUserViews(oracle, slice, head);
      const body = JSON.stringify({
        deadline: deadline.toString(),
        reports: views.map((v) => ({
          user: v.user,
          newTotalSats: v.attestedSats.toString(),
          btcHeight: String(devnet.chain.tipHeight),
          btcBlockHash: blockHashToBytes32(devnet.chain.tipHash),
          sequence: (v.sequence + 1n).toString(),
        })),
      });
      const started = performance.now();
      const perNodeMs = await Promise.all(
        operators.map(async (o) => {
          const response = await fetch(`${o.url}/v1/sign/sync-batch`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
          });
          if (response.status !== 200)
            throw new Error(`${o.url} answered ${response.status}: ${await response.text()}`);
          return Math.round(performance.now() - started);
        }),
      );
      latency.push({
        tip: devnet.chain.tipHeight,
        batch: label,
        perNodeMs,
        committeeMs: Math.max(...perNodeMs),
      });
    }
  }
  const latencyOf = (batch: string) => {
    const rows = latency.filter((l) => l.batch === batch);
    const all = rows.flatMap((l) => l.perNodeMs);
    const committee = rows.map((l) => l.committeeMs);
    return {
      batches: rows.length,
      perNode: { p50Ms: percentile(all, 50), p95Ms: percentile(all, 95) },
      slowestOfThree: { p50Ms: percentile(committee, 50), p95Ms: percentile(committee, 95) },
    };
  };
  const nodePeakRssMb = await Promise.all(operators.map((o) => peakRssMb(o.pid)));
  const result = {
    users: n,
    setupSeconds,
    operators: operators.length,
    threshold: 2,
    firstRound: summarise(first),
    idleRound: summarise(idle),
    updateRound: summarise(update),
    nodePeakRssMb,
    aggregatorPeakRssMb: Math.max(
      first.round.processPeakRssMb,
      idle.round.processPeakRssMb,
      update.round.processPeakRssMb,
    ),
    signingLatency500: {
      firstAtTip: latencyOf("first at the tip"),
      next: latencyOf("next"),
      samples: latency,
    },
    benchProcessRssMb: Math.round((process.memoryUsage().rss / MB) * 10) / 10,
  };
  await writeFile("bench/oracle-operators.results.json", `${JSON.stringify(result, null, 2)}\n`);
  const row = (name: string, r: ReturnType<typeof summarise>) =>
    `| ${name} | ${r.loadAverage} | ${r.wallSeconds.toFixed(1)} s | ${r.changed} | ${r.transactions} | ` +
    `${r.signing.batches} batches, ${r.signing.totalSeconds} s (p50 ${r.signing.p50Ms} ms, p95 ${r.signing.p95Ms} ms) | ` +
    `aggregator ${r.cpuSeconds.aggregator}, nodes ${r.cpuSeconds.operator0}/${r.cpuSeconds.operator1}/${r.cpuSeconds.operator2}, ` +
    `hardhat node ${r.cpuSeconds.hardhatNode}, devnet ${r.cpuSeconds.devnetAndBench} |`;
  console.log(
    [
      `${n} users, 2 of 3 operator nodes on loopback`,
      "",
      "| round | load avg | wall | reports | txs | committee signing | CPU seconds |",
      "|---|---|---|---|---|---|---|",
      row("first (all mint)", result.firstRound),
      row("idle", result.idleRound),
      row("update (all grow)", result.updateRound),
      "",
      `peak RSS: aggregator ${result.aggregatorPeakRssMb} MB; nodes ${nodePeakRssMb.map((m) => `${m} MB`).join(", ")}`,
      "",
      "signing latency, batches of 500 reports to three nodes at once (ms):",
      `  first batch at a new tip: per node p50 ${result.signingLatency500.firstAtTip.perNode.p50Ms}, p95 ${result.signingLatency500.firstAtTip.perNode.p95Ms}; slowest of three p50 ${result.signingLatency500.firstAtTip.slowestOfThree.p50Ms}, p95 ${result.signingLatency500.firstAtTip.slowestOfThree.p95Ms}`,
      `  next batch:               per node p50 ${result.signingLatency500.next.perNode.p50Ms}, p95 ${result.signingLatency500.next.perNode.p95Ms}; slowest of three p50 ${result.signingLatency500.next.slowestOfThree.p50Ms}, p95 ${result.signingLatency500.next.slowestOfThree.p95Ms}`,
    ].join("\n"),
  );
} finally {
  for (const o of operators) o.child.kill("SIGTERM");
  await Promise.all(operators.map((o) => o.done));
  await connection.close();
  await devnet.close();
  await node.stop();
  await removeDeployments();
  await rm(dataRoot, { recursive: true, force: true });
}
