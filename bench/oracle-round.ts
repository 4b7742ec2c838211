/**
 * Benchmark of full oracle rounds over N bound users on a real `hardhat node` (spawned on a free port) and the
 * Bitcoin devnet (served over HTTP from this process). Run: `npm run hh -- run bench/oracle-round.ts`
 * (BENCH_USERS="1000,10000" to choose sizes, BENCH_BATCH=100 to cap reports per transaction).
 *
 * Setup per size (this process): a fresh deployment (Ignition), N users bound through the real `bindAddress` call
 * with committee approvals (no per-user BIP-322 proof, see test/helpers/oracle-population.ts) and a 0.01 ETH fee
 * prepaid each, then every user funded on the devnet and confirmed. The rounds run in a separate runner process
 * (bench/oracle-round-runner.ts: what `oracle:sync` runs, proof-of-reserves commitment included), so its wall time
 * and peak RSS are the runner's own: the first round (N first mints, fees charged), an idle round (nothing changed)
 * and an update round (every balance grows), then BENCH_IDLE_ROUNDS (default 5) more idle rounds to watch the
 * runner's memory, one after another in the same process, as `oracle:run` would.
 */
import { writeFile } from "node:fs/promises";

import { network } from "hardhat";

import { startDevnet } from "../src/bitcoin/devnet/server.js";
import { committeeWallets } from "../src/oracle/signing.js";
import { bindUsers, fundUsers, syntheticUsers } from "../test/helpers/oracle-population.js";
import { deployTo, removeDeployments, startHardhatNode } from "../test/oracle/integration/helpers.js";
import type { RunnerRound } from "./runner-process.js";
import { log, measuredRound, startRunner } from "./runner-process.js";

const sizes = (process.env.BENCH_USERS ?? "1000,10000").split(",").map((s) => Number(s.trim()));
/** Sats each user holds after funding: distinct per user so a swapped balance would show in the total. */
const fundedSats = (i: number) => BigInt(50_000 + (i % 1000));
const UPDATE_SATS = 1_000n;
/** Idle rounds run after the update round, to see whether the runner's memory keeps growing round after round. */
const extraIdleRounds = Number(process.env.BENCH_IDLE_ROUNDS ?? 5);

const node = await startHardhatNode();
const devnet = await startDevnet({ port: 0 });
const results: unknown[] = [];
const rows: string[] = [];
try {
  log(`hardhat node ${node.url}, devnet ${devnet.url}`);
  for (const n of sizes) {
    const setupStarted = Date.now();
    const users = syntheticUsers(n, `bench-${n}`);
    // A fresh connection per size: pooled keep-alive sockets left idle during the derivation may have been closed.
    const connection = await network.create({ network: "localhost", override: { url: node.url } });
    const system = await deployTo(connection, { minConfirmations: 1 });
    const wallets = committeeWallets(3);
    log(`${n} users: addresses derived, system deployed; binding…`);
    await bindUsers(system, connection.ethers.provider, wallets.slice(0, 2), users, {
      feeEth: "0.01",
      concurrency: 16,
      onProgress: (done) => log(`  bound ${done}/${n}`),
    });
    fundUsers(devnet.chain, users, fundedSats);
    devnet.chain.mine(1);
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    log(`${n} users bound and funded in ${setupSeconds.toFixed(1)} s; starting the runner…`);

    const runner = startRunner({
      LOCALHOST_RPC_URL: node.url,
      BENCH_BITCOIN_URL: devnet.url,
      RESERVEBTC_DEPLOYMENTS_DIR: system.deploymentsRoot,
      ...(process.env.BENCH_BATCH === undefined ? {} : { BENCH_BATCH: process.env.BENCH_BATCH }),
    });
    try {
      const first = await measuredRound(runner);
      const s = first.round;
      if (s.changed !== n || s.skipped.length > 0 || s.deferred.length > 0) {
        throw new Error(
          `unexpected round: ${s.changed} changed, ${s.skipped.length} skipped, ${s.deferred.length} deferred`,
        );
      }
      const expected = users.reduce((sum, _u, i) => sum + fundedSats(i), 0n);
      const supply = await system.rbtc.totalSupply();
      if (supply !== expected)
        throw new Error(`rBTC supply ${supply} after the first round, expected ${expected}`);
      log(`${n} users: first round ${(s.wallMs / 1000).toFixed(1)} s, supply ${supply} sats as funded`);
      const idle = await measuredRound(runner);
      if (idle.round.changed !== 0) throw new Error(`idle round changed ${idle.round.changed}`);
      fundUsers(devnet.chain, users, () => UPDATE_SATS);
      devnet.chain.mine(1);
      const update = await measuredRound(runner);
      if (update.round.changed !== n) throw new Error(`update round changed ${update.round.changed}`);
      const updated = await system.rbtc.totalSupply();
      if (updated !== expected + UPDATE_SATS * BigInt(n))
        throw new Error(`rBTC supply ${updated} after the update round`);
      const later: Array<{ round: RunnerRound; load: string }> = [];
      for (let i = 0; i < extraIdleRounds; i++) later.push(await measuredRound(runner));
      const brief = (r: { round: RunnerRound; load: string }) => ({
        wallSeconds: r.round.wallMs / 1000,
        loadAverage: r.load,
        changed: r.round.changed,
        transactions: r.round.transactions,
        largestBatch: r.round.largestBatch,
        gasUsed: r.round.gasUsed,
        gasPerUser: Number(r.round.gasPerReport),
        rpcCalls: r.round.rpcCalls,
        rssBeforeMb: r.round.rssBeforeMb,
        roundPeakRssMb: r.round.roundPeakRssMb,
        processPeakRssMb: r.round.processPeakRssMb,
        heapUsedMb: r.round.heapUsedMb,
        profile: { rpc: r.round.rpc, phases: r.round.phases },
      });
      const m = {
        users: n,
        batchSize: process.env.BENCH_BATCH ?? "auto",
        setupSeconds,
        runnerStartSeconds: first.round.readyMs / 1000,
        firstRound: brief(first),
        idleRound: brief(idle),
        updateRound: brief(update),
        /** Memory after each later idle round: a runner that leaks grows here. */
        laterIdleRounds: later.map((r) => ({
          wallSeconds: r.round.wallMs / 1000,
          rssBeforeMb: r.round.rssBeforeMb,
          roundPeakRssMb: r.round.roundPeakRssMb,
          heapUsedMb: r.round.heapUsedMb,
        })),
      };
      results.push(m);
      log(JSON.stringify(m));
      const peak = Math.max(...[first, idle, update, ...later].map((r) => r.round.processPeakRssMb));
      rows.push(
        `| ${n} | ${first.load} | ${(first.round.wallMs / 1000).toFixed(1)} s | ${first.round.transactions} (≤ ${first.round.largestBatch}) | ` +
          `${first.round.gasPerReport} | ${first.round.rpcCalls.perUser} (evm ${first.round.rpcCalls.evm}, bitcoin ${first.round.rpcCalls.bitcoin}) | ` +
          `${(idle.round.wallMs / 1000).toFixed(1)} s | ${(update.round.wallMs / 1000).toFixed(1)} s, ${update.round.gasPerReport} gas/user | ${peak} MB |`,
      );
    } finally {
      await runner.stop();
      await connection.close();
    }
  }
} finally {
  await devnet.close();
  await node.stop();
  await removeDeployments();
}

console.log(
  [
    "| users | load avg | first round (all mint) | txs (largest) | gas/user | RPC calls/user | idle round | update round | runner peak RSS |",
    "|---|---|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n"),
);
await writeFile("bench/oracle-round.results.json", `${JSON.stringify(results, null, 2)}\n`);
