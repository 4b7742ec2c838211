/**
 * Benchmark: confirmed-balance lookups for many addresses against the in-process devnet, through the
 * EsploraClient over real HTTP on 127.0.0.1 (bounded concurrency).
 *
 *   npx tsx bench/bitcoin-balances.ts [--addresses 10000] [--concurrency 16] [--min-conf 6] [--json]
 *
 * Prints throughput (lookups/s), latency percentiles and memory: RSS before/after the lookups and the
 * process's peak RSS (devnet server and client share the process, so the figure bounds both).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { Address } from "@scure/btc-signer";

import { startDevnet } from "../src/bitcoin/devnet/server.js";
import { EsploraClient, mapLimit } from "../src/bitcoin/esplora.js";
import { networkParams } from "../src/bitcoin/networks.js";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const count = option("addresses", 10_000);
const concurrency = option("concurrency", 16);
const minConf = option("min-conf", 6);
const json = process.argv.includes("--json");

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

const encoder = Address(networkParams("regtest"));
const addresses = Array.from({ length: count }, (_, i) =>
  encoder.encode({ type: "wpkh", hash: sha256(new TextEncoder().encode(`bench-${i}`)).subarray(0, 20) }),
);

const devnet = await startDevnet({ port: 0 });
try {
  const setupStart = performance.now();
  addresses.forEach((a, i) => devnet.chain.fund(a, BigInt(10_000 + i)));
  devnet.chain.mine(minConf);
  const setupMs = performance.now() - setupStart;

  const client = new EsploraClient({ baseUrl: devnet.url, network: "regtest", concurrency, retries: 2 });
  // warm-up (JIT, keep-alive sockets)
  await mapLimit(addresses.slice(0, 200), concurrency, (a) => client.confirmedBalance(a, minConf));

  const heapAfterGc = (): number | null => {
    if (typeof globalThis.gc !== "function") return null;
    globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const heapBefore = heapAfterGc();
  const rssBefore = process.memoryUsage().rss;
  let rssPeakSampled = rssBefore;
  const sampler = setInterval(() => {
    rssPeakSampled = Math.max(rssPeakSampled, process.memoryUsage().rss);
  }, 50);

  const tip = await client.tip();
  const latencies = new Array<number>(count);
  let total = 0n;
  const start = performance.now();
  await mapLimit(addresses, concurrency, async (a, i) => {
    const t0 = performance.now();
    const b = await client.confirmedBalance(a, minConf, tip);
    latencies[i] = performance.now() - t0;
    total += b.sats;
  });
  const elapsedMs = performance.now() - start;
  const heapAfter = heapAfterGc();

  // the same work through the batch API (one tip snapshot + re-check)
  const batchStart = performance.now();
  const batch = await client.balances(addresses, minConf);
  const batchMs = performance.now() - batchStart;
  clearInterval(sampler);

  const expected = addresses.reduce((s, _a, i) => s + BigInt(10_000 + i), 0n);
  const batchTotal = batch.balances.reduce((s, b) => s + b.sats, 0n);
  if (total !== expected || batchTotal !== expected)
    throw new Error(`balance mismatch: ${total} / ${batchTotal} vs ${expected}`);

  const sorted = [...latencies].sort((x, y) => x - y);
  const result = {
    addresses: count,
    concurrency,
    minConfirmations: minConf,
    setupSeconds: Math.round(setupMs) / 1000,
    lookupSeconds: Math.round(elapsedMs) / 1000,
    lookupsPerSecond: Math.round((count / elapsedMs) * 1000),
    latencyMs: {
      p50: Math.round(percentile(sorted, 50) * 100) / 100,
      p95: Math.round(percentile(sorted, 95) * 100) / 100,
      p99: Math.round(percentile(sorted, 99) * 100) / 100,
      max: Math.round((sorted[sorted.length - 1] ?? 0) * 100) / 100,
    },
    batchBalancesSeconds: Math.round(batchMs) / 1000,
    /** Live heap after a full GC (run with NODE_OPTIONS=--expose-gc): what the lookups retained. */
    heapAfterGcMB:
      heapBefore === null || heapAfter === null ? null : { before: mb(heapBefore), after: mb(heapAfter) },
    rssMB: {
      beforeLookups: mb(rssBefore),
      peakDuringLookups: mb(rssPeakSampled),
      processPeak: mb(process.resourceUsage().maxRSS * 1024),
    },
    requests: client.stats(),
    totalSats: total.toString(),
  };
  if (json) console.log(JSON.stringify(result, null, 2));
  else {
    const heap = result.heapAfterGcMB;
    console.log(`bitcoin-balances: ${count} addresses, concurrency ${concurrency}, minConf ${minConf}`);
    console.log(`  throughput  ${result.lookupsPerSecond} lookups/s (${result.lookupSeconds} s)`);
    console.log(
      `  latency     p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms, p99 ${result.latencyMs.p99} ms`,
    );
    console.log(`  batch API   ${result.batchBalancesSeconds} s for balances(${count})`);
    console.log(
      `  memory      RSS ${result.rssMB.beforeLookups} MB before, ${result.rssMB.peakDuringLookups} MB peak during lookups, ${result.rssMB.processPeak} MB process peak`,
    );
    if (heap)
      console.log(`  live heap   ${heap.before} MB before lookups, ${heap.after} MB after (after full GC)`);
  }
} finally {
  await devnet.close();
}
