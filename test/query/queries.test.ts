import { expect } from "chai";
import { parseEther } from "ethers";
import { network } from "hardhat";

import { BackendError, UserInputError } from "../../src/errors.js";
import { runQuery, validateParams } from "../../src/query/query.js";
import { renderResult } from "../../src/query/render.js";
import { EMERGENCY_BURN_TOPIC, RpcSource } from "../../src/query/rpc.js";
import { ChainEventStream } from "../../src/query/stream.js";
import type { StreamEvent } from "../../src/query/stream.js";
import { SubgraphSource } from "../../src/query/subgraph.js";
import type {
  BalancesResult,
  DisputesResult,
  ProofOfReservesResult,
  QueryName,
  TransactionsResult,
  YieldStatusResult,
} from "../../src/query/types.js";
import { QUERY_NAMES } from "../../src/query/types.js";
import { formatTokenAmount, readYieldUnits, yieldStatusForDisplay } from "../../src/query/yield-units.js";
import { startServer } from "../../src/realtime/server.js";
import type { RunningServer } from "../../src/realtime/server.js";
import { startFakeSubgraph } from "./fake-subgraph.js";
import type { History } from "./history.js";
import { DISPUTE, scriptedHistory } from "./history.js";

const connection = await network.create();

/** yield-status as the subgraph source gives it: the reward-index fields null. */
function withoutIndexFields(result: unknown): unknown {
  const r = structuredClone(result) as YieldStatusResult;
  if (!r.available) return r;
  Object.assign(r.status, {
    rateBps: null,
    totalHolderWeight: null,
    committedRewards: null,
    runwaySeconds: null,
  });
  if (r.userStatus !== null)
    Object.assign(r.userStatus, { earnedTier: null, rateBps: null, claimable: null });
  return r;
}

describe("realtime queries", function () {
  this.timeout(120_000);
  let history: History;
  let rpc: RpcSource;
  let alice: string;
  let bob: string;
  let carol: string;

  // The history is built once (a devnet, real BIP-322 bindings and two committee rounds) and only read by the
  // source tests; the server tests that write (stream) run last.
  before(async function () {
    history = await scriptedHistory(connection);
    rpc = new RpcSource(history.provider, history.deployment);
    ({ alice, bob, carol } = {
      alice: history.users.alice.address,
      bob: history.users.bob.address,
      carol: history.users.carol.address,
    });
  });
  after(async () => history.close());

  describe("rpc source", function () {
    it("balances: alice's position after the burn that slashed her wrBTC", async function () {
      const r = await rpc.balances(alice);
      expect(r).to.deep.include({
        user: alice,
        rbtcFree: "0",
        rbtcEscrow: "10000",
        wrbtc: "0",
        attestedSats: "10000",
      });
      expect(r.sequence).to.equal("2");
      expect(r.lastSync).to.not.equal(null);
      expect(r.lastSync?.block).to.be.greaterThan(0);
    });

    it("balances: bob holds the wrBTC alice sent and withdrew part of his fees", async function () {
      const r = await rpc.balances(bob);
      expect(r).to.deep.include({
        rbtcFree: "80000",
        rbtcEscrow: "0",
        wrbtc: "50000",
        attestedSats: "80000",
      });
      expect(BigInt(r.feeVaultWei)).to.be.lessThan(parseEther("0.04"));
    });

    it("balances: carol's mint is deferred for lack of prepaid fees", async function () {
      const r = await rpc.balances(carol);
      expect(r).to.deep.include({ rbtcFree: "0", deferredSats: "50000", feeVaultWei: "0" });
    });

    it("sync-status: committee, threshold, last round and lag", async function () {
      const r = await rpc.syncStatus();
      expect(r.committee.threshold).to.be.greaterThan(0);
      expect(r.committee.operators).to.have.length(r.committee.size);
      expect(r.minConfirmations).to.equal(2);
      expect(r.paused).to.deep.equal({ oracle: false, wrbtc: false });
      expect(r.lastRound).to.not.equal(null);
      expect(r.lag?.blocks).to.equal(r.head.block - (r.lastRound?.block ?? 0));
    });

    it("transactions: alice's events newest first with every kind", async function () {
      const r = await rpc.transactions(alice, 50);
      const types = r.items.map((i) => i.type);
      expect(types).to.include.members([
        "mint",
        "burn",
        "wrap",
        "redeem",
        "slash",
        "fee-deposit",
        "fee-spend",
      ]);
      for (let i = 1; i < r.items.length; i++) {
        const [a, b] = [r.items[i - 1], r.items[i]];
        expect(a!.block * 1e6 + a!.logIndex).to.be.greaterThan(b!.block * 1e6 + b!.logIndex);
      }
      const slash = r.items.find((i) => i.type === "slash");
      expect(slash).to.deep.include({ amountSats: "5000", amountWei: null });
      expect(slash?.detail).to.deep.equal({ requestedSats: "45000", uncoveredSats: "40000" });
      const burn = r.items.find((i) => i.type === "burn");
      expect(burn?.detail).to.deep.equal({ freeSats: "95000", escrowSats: "45000" });
      expect(burn?.amountSats).to.equal("140000");
    });

    it("transactions: --limit keeps the newest N", async function () {
      const all = await rpc.transactions(alice, 50);
      const two = await rpc.transactions(alice, 2);
      expect(two.items).to.deep.equal(all.items.slice(0, 2));
    });

    it("transactions: bob's fee withdrawal", async function () {
      const r = await rpc.transactions(bob, 10);
      expect(r.items.find((i) => i.type === "fee-withdraw")?.amountWei).to.equal(
        parseEther("0.01").toString(),
      );
    });

    it("bitcoin-addresses: every bound address with its owner's attested sats", async function () {
      const r = await rpc.bitcoinAddresses();
      expect(r.count).to.equal(3);
      expect(r.addresses.find((a) => a.user === alice)).to.deep.equal({
        btcAddress: history.users.alice.btcAddress,
        user: alice,
        userAttestedSats: "10000",
      });
      const one = await rpc.bitcoinAddresses(bob);
      expect(one.addresses.map((a) => a.btcAddress)).to.deep.equal([history.users.bob.btcAddress]);
    });

    it("proof-of-reserves: supply, uncovered deficit and backing ratio", async function () {
      const r = await rpc.proofOfReserves();
      expect(r).to.deep.include({
        rbtcSupply: "90000",
        rbtcFree: "80000",
        rbtcEscrow: "10000",
        wrbtcSupply: "50000",
        uncoveredSats: "40000",
        round: 2,
        merkleRootUnavailable: null,
      });
      const claims = 80_000n + 50_000n;
      expect(r.isFullyBacked).to.equal(BigInt(r.attestedSats) >= claims);
      const por = history.system.proofOfReserves;
      expect(r.merkleRoot).to.equal(await por.merkleRoot());
      expect(r.merkleRoot).to.match(/^0x[0-9a-f]{64}$/);
      // round 2 attests the confirmed BTC of every bound address: alice's 10,000 + bob's 80,000 + carol's 50,000
      // (her mint is deferred, so the Oracle's attested sum is 90,000).
      expect(r.roundAttestedSats).to.equal("140000");
      expect(r.attestedSats).to.equal("90000");
      expect(r.roundBtcHeight).to.be.a("number").greaterThan(0);
    });

    it("disputes: carol's rejected dispute of bob, with every filter", async function () {
      const { bob: b, carol: c } = history.users;
      const r = await rpc.disputes({ limit: 100 });
      expect(r.available).to.equal(true);
      if (!r.available) return;
      expect(r).to.deep.include({ status: null, user: null, limit: 100, count: 1 });
      const [d] = r.disputes;
      const deployer = await (await connection.ethers.getSigners())[0]!.getAddress();
      expect(d).to.deep.include({
        id: "1",
        user: b.address,
        challenger: c.address,
        status: "rejected",
        claimedSats: DISPUTE.claimedSats.toString(),
        attestedSats: "80000",
        resolvedSats: null,
        bondWei: DISPUTE.bondWei.toString(),
        rewardWei: null,
        evidenceURI: DISPUTE.evidenceURI,
        closedBy: deployer,
      });
      expect(d?.opened.block).to.equal(history.blocks.opened);
      expect(d?.closed?.block).to.equal(history.blocks.rejected);
      expect(d?.deadline).to.be.greaterThan(d?.opened.timestamp ?? 0);
      expect((await rpc.disputes({ status: "rejected", user: b.address, limit: 1 })).available).to.equal(
        true,
      );
      for (const filter of [{ status: "open" as const }, { user: alice }]) {
        const none = await rpc.disputes({ ...filter, limit: 10 });
        expect(none).to.deep.include({ count: 0, disputes: [] });
      }
    });

    it("yield-status: pool status and bob's claimed yield", async function () {
      const r = await rpc.yieldStatus(bob);
      expect(r.available).to.equal(true);
      if (!r.available) return;
      expect(r.pool).to.equal(history.deployment.yieldPool);
      expect(r.status).to.deep.include({
        holders: 1,
        liquidityProviders: 0,
        supplySats: "90000",
        totalStakedSats: "0",
        paused: false,
      });
      expect(BigInt(r.status.rateBps ?? "0")).to.be.greaterThan(0n);
      expect(BigInt(r.status.peakSupplySats)).to.be.greaterThanOrEqual(90_000n);
      expect(r.userStatus).to.deep.include({
        user: bob,
        state: "ACTIVE",
        tier: "BRONZE",
        backedSats: "80000",
        claimed: history.claimedReward.toString(),
      });
      expect(history.claimedReward).to.be.greaterThan(0n);
      const carolStatus = (await rpc.yieldStatus(carol)) as {
        userStatus: { state: string; claimed: string };
      };
      expect(carolStatus.userStatus).to.deep.include({ state: "NONE", claimed: "0" });
      const poolOnly = await rpc.yieldStatus();
      expect(poolOnly).to.deep.include({ user: null, userStatus: null });
    });

    it("yield-status's table: reward and liquidity amounts in token units, not raw 18-decimal integers", async function () {
      const r = await rpc.yieldStatus(bob);
      if (!r.available) expect.fail("the pool is deployed");
      const units = await readYieldUnits(history.provider, r.pool);
      expect(units).to.deep.equal({
        reward: { symbol: "mSTABLE", decimals: 18 },
        liquidity: { symbol: "mSTABLE", decimals: 18 },
      });
      const table = renderResult("yield-status", yieldStatusForDisplay(r, units));
      const row = (key: string) =>
        new RegExp(`^\\s+${key.replace(".", "\\.")}\\s+(.*)$`, "m").exec(table)?.[1];
      expect(row("userStatus.claimed")).to.equal(
        formatTokenAmount(history.claimedReward.toString(), units!.reward),
      );
      expect(row("userStatus.claimed")).to.match(/^0\.\d+ mSTABLE$/);
      expect(row("status.rewardReserve")).to.match(/^\d{3},\d{3}(\.\d+)? mSTABLE$/);
      expect(row("status.baseRate")).to.equal("5.00 %");
      expect(row("status.scale")).to.equal("1.0");
      expect(table).not.to.include(history.claimedReward.toString());
      // Without the chain's token metadata the amounts stay raw and say so; the JSON form is untouched.
      expect(renderResult("yield-status", yieldStatusForDisplay(r, undefined))).to.include(
        `${history.claimedReward} (smallest units)`,
      );
      expect(r.userStatus?.claimed).to.equal(history.claimedReward.toString());
      expect(formatTokenAmount("1234567500000000000000000", { symbol: "mUSD", decimals: 18 })).to.equal(
        "1,234,567.5 mUSD",
      );
      expect(formatTokenAmount("2500000", { symbol: "USDC", decimals: 6 })).to.equal("2.5 USDC");
    });

    it("yield-status: unavailable with a reason on a deployment without a pool", async function () {
      const { yieldPool: _pool, ...core } = history.deployment;
      const r = await new RpcSource(history.provider, core).yieldStatus();
      expect(r).to.deep.include({ available: false });
      expect((r as { reason: string }).reason).to.match(/no YieldScalesPool/);
    });

    it("emergency-burns: the history's BACKING_LOST burn, read from the Oracle's EmergencyBurn logs", async function () {
      const r = await rpc.emergencyBurns();
      expect(r.available).to.equal(true);
      if (!r.available) return;
      expect(r.count).to.equal(1);
      expect(r.burns.map((b) => b.user)).to.deep.equal([alice]);
    });
  });

  describe("input validation", function () {
    it("rejects a bad address with a UserInputError", async function () {
      expect(() => validateParams("balances", { user: "0x123" })).to.throw(
        UserInputError,
        /is not an EVM address/,
      );
      expect(() => validateParams("transactions", { user: alice, limit: "0" })).to.throw(
        UserInputError,
        /limit/,
      );
      expect(() => validateParams("disputes", { status: "weird" })).to.throw(UserInputError, /status/);
    });

    it("checksums a lowercase address", async function () {
      expect(validateParams("balances", { user: alice.toLowerCase() }).user).to.equal(alice);
    });
  });

  describe("subgraph source (local GraphQL server indexed from the same history)", function () {
    let fake: Awaited<ReturnType<typeof startFakeSubgraph>>;
    let subgraph: SubgraphSource;
    before(async () => {
      fake = await startFakeSubgraph(history.provider, history.deployment);
      subgraph = new SubgraphSource(fake.url);
    });
    after(async () => fake.close());

    const cases = (): Array<[QueryName, Record<string, string>]> => [
      ["balances", { user: alice }],
      ["balances", { user: bob }],
      ["balances", { user: carol }],
      ["sync-status", {}],
      ["transactions", { user: alice, limit: "50" }],
      ["transactions", { user: alice, limit: "3" }],
      ["transactions", { user: bob }],
      ["bitcoin-addresses", {}],
      ["bitcoin-addresses", { user: carol }],
      ["emergency-burns", {}],
      ["yield-status", {}],
      ["yield-status", { user: bob }],
      ["yield-status", { user: carol }],
      ["disputes", {}],
      ["disputes", { status: "open" }],
      ["disputes", { status: "rejected", user: bob, limit: "1" }],
      ["proof-of-reserves", {}],
    ];

    it("answers every query with the same shape and values as the rpc source", async function () {
      for (const [name, raw] of cases()) {
        const params = validateParams(name, raw);
        const fromRpc = await runQuery(rpc, name, params);
        const fromSubgraph = await runQuery(subgraph, name, params);
        if (name === "yield-status") {
          // The fields that hang on the pool's per-second reward index are not in any event: null on the subgraph.
          expect(fromSubgraph, JSON.stringify(raw)).to.deep.equal(withoutIndexFields(fromRpc));
          continue;
        }
        expect(fromSubgraph, `${name} ${JSON.stringify(raw)}`).to.deep.equal(fromRpc);
      }
      expect(fake.operations).to.include.members([
        "Balances",
        "SyncStatus",
        "Transactions",
        "BitcoinAddresses",
        "ProofOfReserves",
        "Disputes",
        "EmergencyBurns",
        "YieldStatus",
        "YieldUserStatus",
      ]);
    });

    it("turns an unreachable endpoint into a BackendError", async function () {
      const broken = new SubgraphSource("http://127.0.0.1:1/none", { timeoutMs: 2_000 });
      const error = await broken.syncStatus().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(BackendError);
      expect((error as Error).message).to.match(/unreachable/);
    });
  });

  describe("HTTP server", function () {
    let server: RunningServer;
    let stream: ChainEventStream;
    before(async () => {
      stream = new ChainEventStream(history.provider, history.deployment, 20);
      server = await startServer({
        source: new RpcSource(history.provider, history.deployment, {
          head: () => stream.head(),
          logs: stream.logs,
        }),
        stream,
      });
    });
    after(async () => server.close());

    it("serves the eight routes with the query results", async function () {
      for (const name of QUERY_NAMES) {
        const qs = name === "balances" || name === "transactions" ? `?user=${alice}` : "";
        const res = await fetch(`${server.url}/api/realtime/${name}${qs}`);
        expect(res.status, name).to.equal(200);
        const body = await res.json();
        expect(body).to.deep.equal(
          await runQuery(rpc, name, validateParams(name, { user: qs === "" ? undefined : alice })),
        );
      }
      const res = await fetch(`${server.url}/api/realtime/transactions?user=${alice}&limit=2`);
      expect(((await res.json()) as TransactionsResult).items).to.have.length(2);
    });

    it("answers 400 with a JSON error for a bad address or limit", async function () {
      let res = await fetch(`${server.url}/api/realtime/balances?user=0xnope`);
      expect(res.status).to.equal(400);
      expect(await res.json()).to.deep.equal({
        error: { code: "BAD_ADDRESS", message: 'user: "0xnope" is not an EVM address' },
      });
      res = await fetch(`${server.url}/api/realtime/balances`);
      expect(res.status).to.equal(400);
      res = await fetch(`${server.url}/api/realtime/transactions?user=${alice}&limit=abc`);
      expect(res.status).to.equal(400);
      res = await fetch(`${server.url}/api/realtime/stream?user=bad`);
      expect(res.status).to.equal(400);
    });

    it("accepts the disputes and yield-status parameters, and answers 400 for bad ones", async function () {
      const qs = `status=rejected&user=${bob.toLowerCase()}&limit=1`;
      let res = await fetch(`${server.url}/api/realtime/disputes?${qs}`);
      expect(res.status).to.equal(200);
      const disputes = (await res.json()) as DisputesResult;
      expect(disputes).to.deep.equal(await rpc.disputes({ status: "rejected", user: bob, limit: 1 }));
      expect(disputes).to.deep.include({ count: 1, user: bob, status: "rejected", limit: 1 });
      res = await fetch(`${server.url}/api/realtime/yield-status?user=${bob}`);
      expect(res.status).to.equal(200);
      expect(((await res.json()) as { userStatus: { user: string } }).userStatus.user).to.equal(bob);
      const bad: Array<[string, string]> = [
        ["disputes?status=weird", "BAD_STATUS"],
        ["disputes?user=0x12", "BAD_ADDRESS"],
        ["disputes?limit=0", "BAD_LIMIT"],
        ["disputes?limit=1001", "BAD_LIMIT"],
        ["yield-status?user=nope", "BAD_ADDRESS"],
      ];
      for (const [path, code] of bad) {
        res = await fetch(`${server.url}/api/realtime/${path}`);
        expect(res.status, path).to.equal(400);
        expect(((await res.json()) as { error: { code: string } }).error.code, path).to.equal(code);
      }
    });

    it("answers log queries from the stream's log index exactly as from the node", async function () {
      const head = await stream.head();
      expect(stream.logs.coveredTo).to.equal(head);
      const indexed = new RpcSource(history.provider, history.deployment, {
        head: () => Promise.resolve(head),
        logs: stream.logs,
      });
      const node = new RpcSource(history.provider, history.deployment, { head: () => Promise.resolve(head) });
      const cases: Array<[QueryName, Record<string, string>]> = [
        ["transactions", { user: alice, limit: "50" }],
        ["transactions", { user: bob, limit: "2" }],
        ["balances", { user: alice }],
        ["sync-status", {}],
        ["disputes", {}],
        ["emergency-burns", {}],
      ];
      for (const [name, raw] of cases) {
        const params = validateParams(name, raw);
        expect(await runQuery(indexed, name, params), name).to.deep.equal(await runQuery(node, name, params));
      }
      const burns = stream.logs.query({
        address: [history.deployment.oracle],
        topics: [EMERGENCY_BURN_TOPIC],
        fromBlock: 0,
        toBlock: head,
      });
      expect(burns).to.have.length(1);
      const burnBlock = burns?.[0]?.blockNumber ?? 0;
      expect(stream.logs.blockTime(burnBlock)).to.equal(
        (await history.provider.getBlock(burnBlock))?.timestamp,
      );
      // A range past the indexed head is not answered from memory (the source asks the node).
      const beyond = { address: [history.deployment.oracle], topics: [EMERGENCY_BURN_TOPIC], fromBlock: 0 };
      expect(stream.logs.query({ ...beyond, toBlock: head + 1 })).to.equal(undefined);
    });

    it("answers 404 with a JSON error for an unknown route", async function () {
      const res = await fetch(`${server.url}/api/realtime/nope`);
      expect(res.status).to.equal(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("NOT_FOUND");
    });

    it("sends CORS headers, also on preflight", async function () {
      let res = await fetch(`${server.url}/api/realtime/sync-status`, {
        headers: { origin: "http://example.test" },
      });
      expect(res.headers.get("access-control-allow-origin")).to.equal("*");
      res = await fetch(`${server.url}/api/realtime/sync-status`, {
        method: "OPTIONS",
        headers: { origin: "http://example.test", "access-control-request-method": "GET" },
      });
      expect(res.status).to.equal(204);
      expect(res.headers.get("access-control-allow-methods")).to.include("GET");
    });

    it("reports health", async function () {
      const res = await fetch(`${server.url}/healthz`);
      expect(await res.json()).to.include({
        status: "ok",
        source: "rpc",
      });
    });

    it("answers 503 beyond the in-flight limit", async function () {
      const tight = await startServer({ source: rpc, maxInFlight: 0 });
      try {
        const res = await fetch(`${tight.url}/api/realtime/sync-status`);
        expect(res.status).to.equal(503);
        expect(((await res.json()) as { error: { code: string } }).error.code).to.equal("OVERLOADED");
      } finally {
        await tight.close();
      }
    });

    it("streams the events of a sync as Server-Sent Events within one block, and refreshes cached answers", async function () {
      const before = (await (
        await fetch(`${server.url}/api/realtime/balances?user=${carol}`)
      ).json()) as BalancesResult;
      expect(before.rbtcFree).to.equal("0");
      const controller = new AbortController();
      const res = await fetch(`${server.url}/api/realtime/stream?user=${carol}`, {
        signal: controller.signal,
      });
      expect(res.status).to.equal(200);
      expect(res.headers.get("content-type")).to.match(/text\/event-stream/);
      const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
      const decoder = new TextDecoder();
      const received: StreamEvent[] = [];
      let buffer = "";
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event = /^event: (.*)$/m.exec(message)?.[1];
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (event !== undefined && event !== "head" && data !== undefined)
              received.push(JSON.parse(data) as StreamEvent);
          }
          if (received.some((e) => e.event === "Minted")) return;
        }
      })();
      // carol tops up her fees; the next round mints her deferred BTC.
      const { carol: c } = history.users;
      await (
        await history.system.feeVault.connect(c.signer).depositETH(c.address, { value: parseEther("0.05") })
      ).wait();
      const summary = await history.sync();
      const mintBlock = summary.batches.at(-1)?.blockNumber;
      await Promise.race([
        reading,
        new Promise((_, reject) => setTimeout(() => reject(new Error("no Minted event")), 10_000)),
      ]);
      controller.abort();
      const names = received.map((e) => e.event);
      expect(names).to.include.members(["FeeDeposited", "Synced", "Minted"]);
      const minted = received.find((e) => e.event === "Minted");
      expect(minted).to.deep.include({ contract: "RBTCSynth", user: carol, block: mintBlock });
      expect(minted?.args).to.deep.equal({ user: carol, amountSats: "50000" });
      const after = (await (
        await fetch(`${server.url}/api/realtime/balances?user=${carol}`)
      ).json()) as BalancesResult;
      expect(after.rbtcFree).to.equal("50000");
      const por = (await (
        await fetch(`${server.url}/api/realtime/proof-of-reserves`)
      ).json()) as ProofOfReservesResult;
      expect(por.rbtcFree).to.equal("130000");
    });

    it("streams dispute, yield and reserve-round events within one block", async function () {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/api/realtime/stream`, { signal: controller.signal });
      const reader: ReadableStreamDefaultReader<Uint8Array> = res.body!.getReader();
      const decoder = new TextDecoder();
      const received: StreamEvent[] = [];
      let buffer = "";
      const wanted = ["Joined", "DisputeOpened", "DisputeRejected", "ReservesCommitted"];
      const reading = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const message = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const data = /^data: (.*)$/m.exec(message)?.[1];
            if (/^event: /m.test(message) && !/^event: head$/m.test(message) && data !== undefined)
              received.push(JSON.parse(data) as StreamEvent);
          }
          if (wanted.every((name) => received.some((e) => e.event === name))) return;
        }
      })();
      const { bob: b, carol: c } = history.users;
      const { yieldPool, disputeManager } = history.system;
      // carol joins (bob already has; alice has an uncovered wrBTC deficit — history step 3 — and cannot).
      const joinBlock = (await (await yieldPool!.connect(c.signer).join()).wait())?.blockNumber;
      await history.sync();
      const openBlock = (
        await (
          await disputeManager.connect(b.signer).openDispute(c.address, 1n, "", { value: parseEther("0.01") })
        ).wait()
      )?.blockNumber;
      const rejectBlock = (await (await disputeManager.resolveDispute(2n, false, 0n)).wait())?.blockNumber;
      await Promise.race([
        reading,
        new Promise((_, reject) => setTimeout(() => reject(new Error(JSON.stringify(received))), 10_000)),
      ]);
      controller.abort();
      const first = (name: string) => received.find((e) => e.event === name);
      expect(first("Joined")).to.deep.include({ contract: "YieldScalesPool", user: carol, block: joinBlock });
      expect(first("DisputeOpened")).to.deep.include({
        contract: "DisputeManager",
        user: carol,
        block: openBlock,
      });
      expect(first("DisputeOpened")?.args).to.deep.include({
        disputeId: "2",
        challenger: bob,
        claimedSats: "1",
      });
      expect(first("DisputeRejected")).to.deep.include({ block: rejectBlock });
      const committed = received.filter((e) => e.event === "ReservesCommitted").at(-1);
      expect(committed).to.deep.include({ contract: "ProofOfReserves" });
      // committed by the sync round between the join and the dispute
      expect(committed?.block)
        .to.be.greaterThan(joinBlock ?? 0)
        .and.lessThan(openBlock ?? 0);
      expect(Number(committed?.args.roundId)).to.be.greaterThanOrEqual(3);
    });
  });
});
