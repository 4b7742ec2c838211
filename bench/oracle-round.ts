/**
 * Benchmark of one full oracle round over N bound users on a real `hardhat node` (spawned on a free port) and the
 * Bitcoin devnet (served over HTTP from this process). Run: `npm run hh -- run bench/oracle-round.ts`
 * (BENCH_USERS="1000,10000" to choose sizes, BENCH_BATCH=100 for the batch size).
 *
 * Setup per size: a fresh deployment (Ignition), N users bound through the real `bindAddress` call with committee
 * approvals (no per-user BIP-322 proof, see test/helpers/oracle-population.ts) and a 0.01 ETH fee prepaid each, then
 * every user funded on the devnet and confirmed. Measured: the first round (N mints, fees charged) and a second
 * round with nothing to change. Peak RSS is this process's (it also holds the devnet and the setup data).
 */
import { writeFile } from "node:fs/promises";

import { network } from "hardhat";
import type { EthereumProvider } from "hardhat/types/providers";

import { startDevnet } from "../src/bitcoin/devnet/server.js";
import { EsploraClient } from "../src/bitcoin/esplora.js";
import { Committee } from "../src/oracle/committee.js";
import type { RoundSummary } from "../src/oracle/round.js";
import { runSyncRound } from "../src/oracle/round.js";
import { committeeWallets } from "../src/oracle/signing.js";
import { bindUsers, fundUsers, syntheticUsers } from "../test/helpers/oracle-population.js";
import { deployTo, removeDeployments, startHardhatNode } from "../test/oracle/integration/helpers.js";

const sizes = (process.env.BENCH_USERS ?? "1000,10000").split(",").map((s) => Number(s.trim()));
/** Most reports per transaction; unset: sized from the block gas limit by the runner. */
const batchSize = process.env.BENCH_BATCH === undefined ? undefined : Number(process.env.BENCH_BATCH);

interface Measured {
  users: number;
  batchSize: number | "auto";
  setupSeconds: number;
  round: {
    wallSeconds: number;
    changed: number;
    transactions: number;
    /** Reports in the largest batch. */
    largestBatch: number;
    gasUsed: string;
    gasPerUser: number;
    rpcCallsEvm: number;
    rpcCallsBitcoin: number;
    rpcCallsPerUser: number;
    peakRssMb: number;
    rssBeforeMb: number;
  };
  idleRound: { wallSeconds: number; rpcCallsPerUser: number; peakRssMb: number };
  /** Where the first round's time went. */
  profile: ReturnType<typeof roundedProfile>;
  /** Every user's balance grows again (non-zero → non-zero: the steady state of a running system). */
  updateRound: { wallSeconds: number; gasPerUser: number; transactions: number; peakRssMb: number };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Runs `fn`, sampling RSS every 20 ms; returns its result and the peak. */
async function withPeakRss<T>(fn: () => Promise<T>): Promise<{ result: T; peak: number; before: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peak, before };
  } finally {
    clearInterval(timer);
  }
}

const log = (message: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** Where a round's time went: JSON-RPC time and calls per method, signing time, phase marks (ms since start). */
interface Profile {
  rpc: Record<string, { calls: number; ms: number }>;
  signMs: number;
  signCalls: number;
  phases: Array<{ atMs: number; what: string }>;
}
const newProfile = (): Profile => ({ rpc: {}, signMs: 0, signCalls: 0, phases: [] });
let profile = newProfile();

/** Wraps an EIP-1193 provider's `request` so every JSON-RPC call is timed per method into `profile`. */
function profileRpc(provider: EthereumProvider) {
  const request = provider.request.bind(provider);
  provider.request = async (args) => {
    const started = performance.now();
    try {
      return await request(args);
    } finally {
      const entry = (profile.rpc[args.method] ??= { calls: 0, ms: 0 });
      entry.calls += 1;
      entry.ms += performance.now() - started;
    }
  };
}

function roundedProfile(p: Profile) {
  return {
    rpc: Object.fromEntries(
      Object.entries(p.rpc).map(([m, e]) => [m, { calls: e.calls, ms: Math.round(e.ms) }]),
    ),
    signMs: Math.round(p.signMs),
    signCalls: p.signCalls,
    phases: p.phases,
  };
}

const node = await startHardhatNode();
const devnet = await startDevnet({ port: 0 });
const results: Measured[] = [];
try {
  log(`hardhat node ${node.url}, devnet ${devnet.url}`);
  for (const n of sizes) {
    const setupStarted = Date.now();
    const users = syntheticUsers(n, `bench-${n}`);
    // A fresh connection per size: pooled keep-alive sockets left idle during the derivation may have been closed.
    const connection = await network.create({ network: "localhost", override: { url: node.url } });
    profileRpc(connection.provider);
    const system = await deployTo(connection, { minConfirmations: 1 });
    const wallets = committeeWallets(3);
    log(`${n} users: addresses derived, system deployed; binding…`);
    await bindUsers(system, connection.ethers.provider, wallets.slice(0, 2), users, {
      feeEth: "0.01",
      concurrency: 16,
      onProgress: (done) => log(`  bound ${done}/${n}`),
    });
    fundUsers(devnet.chain, users, (i) => BigInt(50_000 + (i % 1000)));
    devnet.chain.mine(1);
    const setupSeconds = (Date.now() - setupStarted) / 1000;
    log(`${n} users bound and funded in ${setupSeconds.toFixed(1)} s; round…`);

    const committee = new Committee(wallets, 2);
    const esplora = new EsploraClient({ baseUrl: devnet.url, network: "regtest", concurrency: 32 });
    const committeeSign = committee.batchSigner(system.oracle);
    const sign: typeof committeeSign = async (reports, deadline) => {
      const started = performance.now();
      try {
        return await committeeSign(reports, deadline);
      } finally {
        profile.signMs += performance.now() - started;
        profile.signCalls += 1;
      }
    };
    const run = () => {
      profile = newProfile();
      const started = performance.now();
      return runSyncRound(system.oracle, system.rbtc, esplora, sign, {
        ...(batchSize === undefined ? {} : { batchSize }),
        bitcoinConcurrency: 32,
        submit: { receiptPollMs: 50 },
        onProgress: (what) => profile.phases.push({ atMs: Math.round(performance.now() - started), what }),
      });
    };
    const first = await withPeakRss<RoundSummary>(run);
    const firstProfile = roundedProfile(profile);
    const s = first.result;
    if (s.changed !== n || s.skipped.length > 0 || s.deferred.length > 0) {
      throw new Error(
        `unexpected round: ${s.changed} changed, ${s.skipped.length} skipped, ${s.deferred.length} deferred`,
      );
    }
    const idle = await withPeakRss<RoundSummary>(run);
    fundUsers(devnet.chain, users, () => 1_000n);
    devnet.chain.mine(1);
    const update = await withPeakRss<RoundSummary>(run);
    if (update.result.changed !== n) throw new Error(`update round changed ${update.result.changed}`);
    const m: Measured = {
      users: n,
      batchSize: batchSize ?? "auto",
      setupSeconds,
      round: {
        wallSeconds: s.durationMs / 1000,
        changed: s.changed,
        transactions: s.batches.length,
        largestBatch: Math.max(...s.batches.map((b) => b.reports)),
        gasUsed: s.gasUsed.toString(),
        gasPerUser: Number(s.gasUsed / BigInt(s.changed)),
        rpcCallsEvm: s.rpcCalls.evm,
        rpcCallsBitcoin: s.rpcCalls.bitcoin,
        rpcCallsPerUser: Math.round(s.rpcCalls.perUser * 1000) / 1000,
        peakRssMb: mb(first.peak),
        rssBeforeMb: mb(first.before),
      },
      profile: firstProfile,
      idleRound: {
        wallSeconds: idle.result.durationMs / 1000,
        rpcCallsPerUser: Math.round(idle.result.rpcCalls.perUser * 1000) / 1000,
        peakRssMb: mb(idle.peak),
      },
      updateRound: {
        wallSeconds: update.result.durationMs / 1000,
        gasPerUser: Number(update.result.gasUsed / BigInt(n)),
        transactions: update.result.batches.length,
        peakRssMb: mb(update.peak),
      },
    };
    results.push(m);
    log(JSON.stringify(m));
    await connection.close();
  }
} finally {
  await devnet.close();
  await node.stop();
  await removeDeployments();
}

const table = results.map(
  (r) =>
    `| ${r.users} | ${r.batchSize} (≤ ${r.round.largestBatch}) | ${r.round.wallSeconds.toFixed(1)} s | ${r.round.transactions} | ${r.round.gasPerUser} | ` +
    `${r.round.rpcCallsPerUser} (evm ${r.round.rpcCallsEvm}, bitcoin ${r.round.rpcCallsBitcoin}) | ${r.round.peakRssMb} MB | ` +
    `${r.idleRound.wallSeconds.toFixed(1)} s | ${r.updateRound.wallSeconds.toFixed(1)} s, ${r.updateRound.gasPerUser} gas/user |`,
);
console.log(
  [
    "| users | batch | first round (all mint) | txs | gas/user | RPC calls/user | peak RSS | idle round | update round |",
    "|---|---|---|---|---|---|---|---|---|",
    ...table,
  ].join("\n"),
);
await writeFile("bench/oracle-round.results.json", `${JSON.stringify(results, null, 2)}\n`);
