/**
 * Benchmark of the realtime query layer against a real `hardhat node` (spawned on a free 127.0.0.1 port):
 * deploy through Ignition (the system plus a YieldScalesPool: the YieldLocal module), create ~1,000 bound users and ~10,000 events (bindings, fee deposits, two
 * committee-signed sync rounds), start `realtime:serve`'s server (rpc source over a batching JsonRpcProvider, the
 * chain event stream) in this process, then for every endpoint measure p50/p95/p99 latency and throughput at 1, 16
 * and 128 concurrent clients — with the per-block answer cache (default) and without it (`noCache`) — and the
 * event-to-stream latency of FeeDeposited events over SSE.
 *
 *   npx hardhat run bench/query.ts            (env: BENCH_USERS=1000 BENCH_REQUESTS=2000 BENCH_UNCACHED_REQUESTS=100)
 *
 * The load generator is a bounded loop of `fetch` (undici, keep-alive) in the same process as the server.
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import { JsonRpcProvider, Wallet, keccak256, parseEther, toUtf8Bytes } from "ethers";
import { network } from "hardhat";

import { committeeWallets, signBinding, signSyncBatch } from "../src/oracle/signing.js";
import { RpcSource } from "../src/query/rpc.js";
import { ChainEventStream } from "../src/query/stream.js";
import { QUERY_NAMES } from "../src/query/types.js";
import { startServer } from "../src/realtime/server.js";
import type { RunningServer } from "../src/realtime/server.js";
import { deployBenchSystem, freePort, startNode } from "./node-process.js";

const USERS = Number(process.env.BENCH_USERS ?? 1_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const UNCACHED_REQUESTS = Number(process.env.BENCH_UNCACHED_REQUESTS ?? 100);
const CONCURRENCY = [1, 16, 128];
const SYNC_BATCH = 100;
const STREAM_SAMPLES = 30;

const log = (message: string) => console.error(`[bench] ${message}`);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const ms = (x: number) => Math.round(x * 100) / 100;

interface Row {
  endpoint: string;
  cache: boolean;
  concurrency: number;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  rps: number;
  errors: number;
}

async function load(server: RunningServer, path: (i: number) => string, concurrency: number, total: number) {
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const t0 = performance.now();
        const res = await fetch(`${server.url}${path(i)}`);
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        if (res.status !== 200) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    p50: ms(percentile(latencies, 50)),
    p95: ms(percentile(latencies, 95)),
    p99: ms(percentile(latencies, 99)),
    rps: Math.round(total / seconds),
    errors,
  };
}

const deploymentId = `bench-query-${Date.now()}`;
const port = await freePort();
log(`starting hardhat node on 127.0.0.1:${port}`);
const node = await startNode(port);
let server: RunningServer | undefined;
try {
  const url = `http://127.0.0.1:${port}`;
  const connection = await network.create({ network: "localhost", override: { url } });
  const setupStart = performance.now();
  const { system } = await deployBenchSystem(connection, deploymentId);
  const { oracle, feeVault } = system;
  const [operators, threshold] = await oracle.committee();
  const committee = committeeWallets(operators.length)
    .filter((w) => operators.includes(w.address))
    .slice(0, Number(threshold));
  const users = Array.from({ length: USERS }, () => Wallet.createRandom().address);
  const provider = new JsonRpcProvider(url, undefined, {
    staticNetwork: true,
    batchMaxCount: 100,
    cacheTimeout: -1,
  });
  const now = async () => BigInt((await provider.getBlock("latest"))?.timestamp ?? 0);

  log(`binding ${USERS} users and funding their fees`);
  for (const [i, user] of users.entries()) {
    const btcAddress = `bcrt1qbench${i.toString().padStart(6, "0")}`;
    const request = {
      user,
      btcAddress,
      proofDigest: keccak256(toUtf8Bytes(`proof:${btcAddress}`)),
      nonce: 0n,
      deadline: (await now()) + 600n,
    };
    await oracle.bindAddress(request, await signBinding(oracle, request, committee));
    await feeVault.depositETH(user, { value: parseEther("0.1") });
  }
  log("two committee-signed sync rounds");
  for (const [round, height] of [
    [1n, 100n],
    [2n, 101n],
  ] as const) {
    for (let start = 0; start < users.length; start += SYNC_BATCH) {
      const reports = users.slice(start, start + SYNC_BATCH).map((user, j) => ({
        user,
        newTotalSats: BigInt(10_000 + (start + j) * 10) * round,
        btcHeight: height,
        btcBlockHash: keccak256(toUtf8Bytes(`btc-${height}`)),
        sequence: round,
      }));
      const deadline = (await now()) + 600n;
      await (
        await oracle.sync(reports, deadline, await signSyncBatch(oracle, reports, deadline, committee))
      ).wait();
    }
  }
  const head = await provider.getBlockNumber();
  const addresses = [
    system.deployment.oracle,
    system.deployment.rbtc,
    system.deployment.wrbtc,
    system.deployment.feeVault,
  ];
  const events = (await provider.getLogs({ address: addresses, fromBlock: 0, toBlock: head })).length;
  const setupSeconds = Math.round((performance.now() - setupStart) / 1000);
  log(`setup: ${USERS} users, ${events} events, ${head} blocks in ${setupSeconds} s`);

  const pathFor = (name: string) => (i: number) => {
    const user = users[(i * 7919) % users.length] ?? "";
    if (name === "balances" || name === "transactions") return `/api/realtime/${name}?user=${user}`;
    if (name === "bitcoin-addresses" && i % 2 === 1) return `/api/realtime/${name}?user=${user}`;
    if (name === "yield-status" && i % 2 === 1) return `/api/realtime/${name}?user=${user}`;
    return `/api/realtime/${name}`;
  };
  const rows: Row[] = [];
  for (const cache of [true, false]) {
    const stream = new ChainEventStream(provider, system.deployment);
    server = await startServer({
      source: new RpcSource(provider, system.deployment, { head: () => stream.head(), logs: stream.logs }),
      stream,
      noCache: !cache,
      maxInFlight: 1_024,
      // One client measuring throughput: the per-client rate limit would measure itself.
      limits: { rateLimitMax: 0 },
    });
    for (const name of QUERY_NAMES) {
      for (const concurrency of CONCURRENCY) {
        const total = cache ? REQUESTS : UNCACHED_REQUESTS;
        const r = await load(server, pathFor(name), concurrency, total);
        rows.push({ endpoint: name, cache, concurrency, requests: total, ...r });
        log(
          `${name} cache=${cache} c=${concurrency}: p50 ${r.p50} p95 ${r.p95} p99 ${r.p99} ms, ${r.rps} req/s, errors ${r.errors}`,
        );
      }
    }
    if (!cache) break;
    await server.close();
    server = undefined;
  }

  // Event-to-stream latency: time from a mined deposit's receipt to its SSE message.
  log("event-to-stream latency");
  const controller = new AbortController();
  const res = await fetch(`${server?.url ?? ""}/api/realtime/stream`, { signal: controller.signal });
  const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
  const arrivals = new Map<string, { at: number; block: number }>();
  let buffer = "";
  let lastHead = 0;
  const reading = (async () => {
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const message = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = /^data: (.*)$/m.exec(message)?.[1];
        const event = /^event: (.*)$/m.exec(message)?.[1];
        if (data === undefined) continue;
        const parsed = JSON.parse(data) as { txHash?: string; block: number };
        if (event === "head") lastHead = parsed.block;
        else if (event === "FeeDeposited" && parsed.txHash !== undefined)
          arrivals.set(parsed.txHash, { at: performance.now(), block: lastHead });
      }
    }
  })();
  const latencies: number[] = [];
  let blockLag = 0;
  for (let i = 0; i < STREAM_SAMPLES; i++) {
    const tx = await feeVault.depositETH(users[i] ?? "", { value: 1n });
    const receipt = await tx.wait();
    const mined = performance.now();
    const hash = receipt?.hash ?? "";
    const deadline = performance.now() + 5_000;
    while (!arrivals.has(hash) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const arrival = arrivals.get(hash);
    if (arrival !== undefined) {
      latencies.push(Math.max(0, arrival.at - mined));
      blockLag = Math.max(blockLag, (await provider.getBlockNumber()) - (receipt?.blockNumber ?? 0));
    }
  }
  controller.abort();
  await reading;
  latencies.sort((a, b) => a - b);
  const stream = {
    samples: latencies.length,
    p50: ms(percentile(latencies, 50)),
    p95: ms(percentile(latencies, 95)),
    max: ms(latencies[latencies.length - 1] ?? 0),
    maxBlocksBehind: blockLag,
  };
  log(`event-to-stream: ${JSON.stringify(stream)}`);

  const out = { users: USERS, events, blocks: head, setupSeconds, rows, stream };
  console.log(JSON.stringify(out, null, 2));
  console.log("\n| endpoint | cache | clients | p50 ms | p95 ms | p99 ms | req/s | errors |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.endpoint} | ${r.cache ? "yes" : "no"} | ${r.concurrency} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.rps} | ${r.errors} |`,
    );
  }
  await connection.close();
} finally {
  await server?.close();
  // The throw-away Ignition journal of this run (its node is gone).
  await rm(path.join("deploy", "deployments", deploymentId), { recursive: true, force: true });
  // npx runs hardhat as its child: end the whole group this benchmark started.
  if (node.pid !== undefined) process.kill(-node.pid, "SIGTERM");
}
