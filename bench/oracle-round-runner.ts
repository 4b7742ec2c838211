/**
 * The oracle runner of `bench/oracle-round.ts`, in a process of its own so its memory and time are the runner's
 * alone (the devnet and the setup data live in the benchmark's process). It does what `oracle:sync` does —
 * `loadOracleContext` (operators from Hardhat's default accounts) and `syncCommand` (reports, committee
 * signatures, batched submission, the proof-of-reserves commitment) — once per `round` line on stdin, and answers
 * each with one `ROUND <json>` line on stdout. Not meant to be run by hand.
 *
 * Environment: the tasks' own LOCALHOST_RPC_URL (the `hardhat node`) and RESERVEBTC_DEPLOYMENTS_DIR (a folder with
 * `chain-31337/` of the deployment under test), BENCH_BITCOIN_URL (Esplora root), BENCH_BATCH (optional cap of
 * reports per transaction).
 */
import { createInterface } from "node:readline";

import { network } from "hardhat";
import type { EthereumProvider } from "hardhat/types/providers";

import { bitcoinSourceFor } from "../src/oracle/bitcoin-source.js";
import { syncCommand } from "../src/oracle/commands.js";
import type { Committee } from "../src/oracle/committee.js";
import { loadOracleContext, resolveRemoteOperators } from "../src/oracle/context.js";

/** Bitcoin lookups in flight (the `--concurrency` of `oracle:sync`, raised for a 10,000-user round). */
const BITCOIN_CONCURRENCY = 32;
const MB = 1024 * 1024;

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") throw new Error(`${name} is not set`);
  return value;
}

/** JSON-RPC time and calls per method over one round. */
let rpc: Record<string, { calls: number; ms: number }> = {};

/** Wraps an EIP-1193 provider's `request` so every JSON-RPC call is timed per method into `rpc`. */
function profileRpc(provider: EthereumProvider): void {
  const request = provider.request.bind(provider);
  provider.request = async (args): Promise<unknown> => {
    const started = performance.now();
    try {
      return await request(args);
    } finally {
      const entry = (rpc[args.method] ??= { calls: 0, ms: 0 });
      entry.calls += 1;
      entry.ms += performance.now() - started;
    }
  };
}

const startedAt = performance.now();
const connection = await network.create({ network: "localhost" });
profileRpc(connection.provider);
// With ORACLE_OPERATORS set (bench/oracle-operators.ts) the runner is an aggregator of operator nodes, holding no
// operator key; otherwise it signs with Hardhat's default accounts, as `oracle:sync` does on a local chain.
const operators = await resolveRemoteOperators(undefined, "");
const loaded = await loadOracleContext(
  connection,
  operators === undefined ? {} : { operators, signTimeoutMs: 120_000 },
);
/** Committee signing time per batch of the current round: what waiting for the operators costs. */
let signing: Array<{ reports: number; ms: number }> = [];
const inner = loaded.committee;
const timed: Committee = {
  kind: inner.kind,
  get threshold() {
    return inner.threshold;
  },
  get size() {
    return inner.size;
  },
  get lastFailures() {
    return inner.lastFailures;
  },
  get lastSigned() {
    return inner.lastSigned;
  },
  get lastRequestAt() {
    return inner.lastRequestAt;
  },
  batchSigner: (oracle) => {
    const sign = inner.batchSigner(oracle);
    return async (reports, deadline) => {
      const started = performance.now();
      const approval = await sign(reports, deadline);
      signing.push({ reports: reports.length, ms: Math.round(performance.now() - started) });
      return approval;
    };
  },
  reserveSigner: (reserves) => inner.reserveSigner(reserves),
  signBinding: (oracle, request, proof) => inner.signBinding(oracle, request, proof),
  signRevocation: (oracle, revocation) => inner.signRevocation(oracle, revocation),
  tallies: () => inner.tallies(),
};
const ctx = { ...loaded, committee: timed };
const bitcoin = bitcoinSourceFor(required("BENCH_BITCOIN_URL"), "regtest", {
  concurrency: BITCOIN_CONCURRENCY,
});
const batchSize = process.env.BENCH_BATCH === undefined ? undefined : Number(process.env.BENCH_BATCH);
const readyMs = Math.round(performance.now() - startedAt);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== "round") break;
  rpc = {};
  signing = [];
  const phases: Array<{ atMs: number; what: string }> = [];
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const started = performance.now();
  const { json } = await syncCommand(ctx, bitcoin, {
    ...(batchSize === undefined ? {} : { batchSize }),
    bitcoinConcurrency: BITCOIN_CONCURRENCY,
    submit: { receiptPollMs: 50 },
    onProgress: (what) => phases.push({ atMs: Math.round(performance.now() - started), what }),
  });
  const wallMs = Math.round(performance.now() - started);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const { reports, batches, ...summary } = json;
  const result = {
    ...summary,
    wallMs,
    readyMs,
    transactions: batches.length,
    largestBatch: Math.max(0, ...batches.map((b) => b.reports)),
    reportCount: reports.length,
    rssBeforeMb: Math.round((rssBefore / MB) * 10) / 10,
    roundPeakRssMb: Math.round((peakRss / MB) * 10) / 10,
    /** The process's peak resident set since it started (getrusage), the figure the goal is about. */
    processPeakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
    heapUsedMb: Math.round((process.memoryUsage().heapUsed / MB) * 10) / 10,
    rpc: Object.fromEntries(
      Object.entries(rpc).map(([m, e]) => [m, { calls: e.calls, ms: Math.round(e.ms) }]),
    ),
    phases,
    signing,
    tallies: ctx.committee.tallies(),
  };
  process.stdout.write(`ROUND ${JSON.stringify(result)}\n`);
}
clearInterval(sampler);
await connection.close();
