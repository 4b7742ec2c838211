import { expect } from "chai";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient, MultiEsplora, mapLimit } from "../../src/bitcoin/esplora.js";
import { BackendError, UserInputError } from "../../src/errors.js";
import { closedPort, send, startStub } from "./helpers.js";
import type { StubServer } from "./helpers.js";

const alice = new DevnetWallet("alice");
const bob = new DevnetWallet("bob");
const ALICE = alice.address("p2wpkh").address;
const ALICE_TR = alice.address("p2tr").address;
const BOB = bob.address("p2wpkh").address;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}

describe("EsploraClient", function () {
  describe("against the devnet", function () {
    let devnet: RunningDevnet;
    let client: EsploraClient;

    beforeEach(async function () {
      devnet = await startDevnet({ port: 0 });
      client = new EsploraClient({ baseUrl: devnet.url, network: "regtest", retries: 0 });
    });
    afterEach(async function () {
      await devnet.close();
    });

    context("when reading the tip", function () {
      it("returns the chain's height and hash, and block hashes by height", async function () {
        devnet.chain.mine(5);
        expect(await client.tipHeight()).to.equal(5);
        expect(await client.tipHash()).to.equal(devnet.chain.tipHash);
        expect(await client.tip()).to.deep.equal({ height: 5, hash: devnet.chain.tipHash });
        expect(await client.blockHashAt(2)).to.equal(devnet.chain.blockAt(2)?.hash);
      });

      it("fails with HTTP 404 for a height above the tip, without retrying", async function () {
        const retrying = new EsploraClient({ baseUrl: devnet.url, retries: 3, backoffMs: 1 });
        const error = await rejection(retrying.blockHashAt(99));
        expect(error).to.be.instanceOf(BackendError).with.property("status", 404);
        expect(retrying.stats()).to.include({ requests: 1, retries: 0 });
      });
    });

    context("when counting confirmations", function () {
      it("does not count mempool coins", async function () {
        devnet.chain.fund(ALICE, 50_000n);
        const b = await client.confirmedBalance(ALICE, 1);
        expect(b.sats).to.equal(0n);
        expect(b.pendingSats).to.equal(50_000n);
      });

      it("counts a coin once it has minConfirmations = tip − height + 1", async function () {
        devnet.chain.fund(ALICE, 50_000n);
        devnet.chain.mine(1);
        expect((await client.confirmedBalance(ALICE, 1)).sats).to.equal(50_000n);
        expect((await client.confirmedBalance(ALICE, 3)).sats).to.equal(0n);
        devnet.chain.mine(1);
        expect((await client.confirmedBalance(ALICE, 3)).sats).to.equal(0n);
        devnet.chain.mine(1);
        const b = await client.confirmedBalance(ALICE, 3);
        expect(b).to.include({ sats: 50_000n, utxoCount: 1, tipHeight: 3, tipHash: devnet.chain.tipHash });
      });

      it("evaluates against a caller-supplied tip snapshot", async function () {
        devnet.chain.fund(ALICE, 10_000n);
        devnet.chain.mine(1);
        const old = await client.tip();
        devnet.chain.mine(2);
        expect((await client.confirmedBalance(ALICE, 3, old)).sats).to.equal(0n);
        expect((await client.confirmedBalance(ALICE, 3)).sats).to.equal(10_000n);
      });

      it("drops a confirmed coin as soon as a mempool transaction spends it (Esplora semantics)", async function () {
        devnet.chain.fund(ALICE, 100_000n);
        devnet.chain.mine(1);
        devnet.chain.spend(ALICE, BOB, 30_000n, 1_000n);
        const b = await client.confirmedBalance(ALICE, 1);
        expect(b.sats).to.equal(0n);
        expect(b.pendingSats).to.equal(69_000n);
        devnet.chain.mine(1);
        expect((await client.confirmedBalance(ALICE, 1)).sats).to.equal(69_000n);
        expect((await client.confirmedBalance(BOB, 1)).sats).to.equal(30_000n);
      });

      it("rejects minConfirmations below 1", async function () {
        const error = await rejection(client.confirmedBalance(ALICE, 0));
        expect(error).to.be.instanceOf(UserInputError);
      });

      it("validates addresses for its network before any request", async function () {
        const error = await rejection(
          client.confirmedBalance("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", 1, {
            height: 0,
            hash: "0".repeat(64),
          }),
        );
        expect(error).to.be.instanceOf(UserInputError).with.property("message", "mainnet address on regtest");
        expect(client.stats().requests).to.equal(0);
      });

      it("surfaces the server's HTTP 400 for an invalid address when it has no network", async function () {
        const raw = new EsploraClient({ baseUrl: devnet.url, retries: 2, backoffMs: 1 });
        const error = await rejection(raw.addressUtxos("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
        expect(error).to.be.instanceOf(BackendError).with.property("status", 400);
        expect(error.message).to.contain("Invalid Bitcoin address");
        expect(raw.stats().retries).to.equal(0);
      });
    });

    context("when a reorg is shallower than minConfirmations", function () {
      it("never changes the confirmed balance", async function () {
        const minConf = 3;
        devnet.chain.fund(ALICE, 70_000n);
        devnet.chain.mine(3); // 3 confirmations: counted
        devnet.chain.fund(ALICE_TR, 5_000n);
        devnet.chain.mine(1); // 1 confirmation: not yet counted
        const before = await client.confirmedBalance(ALICE, minConf);
        const trBefore = await client.confirmedBalance(ALICE_TR, minConf);
        const reorg = devnet.chain.reorg(2);
        const after = await client.confirmedBalance(ALICE, minConf);
        const trAfter = await client.confirmedBalance(ALICE_TR, minConf);
        expect(reorg.droppedTxids).to.have.length(1);
        expect(after.tipHash).to.not.equal(before.tipHash);
        expect([before.sats, after.sats]).to.deep.equal([70_000n, 70_000n]);
        expect([trBefore.sats, trAfter.sats]).to.deep.equal([0n, 0n]);
      });
    });

    context("when a reorg is as deep as minConfirmations", function () {
      it("removes a balance that had been reported, and the old anchor hash no longer matches", async function () {
        const minConf = 3;
        devnet.chain.fund(ALICE, 70_000n);
        devnet.chain.mine(3);
        const before = await client.confirmedBalance(ALICE, minConf);
        expect(before.sats).to.equal(70_000n);
        devnet.chain.reorg(3);
        const after = await client.confirmedBalance(ALICE, minConf);
        expect(after.sats).to.equal(0n);
        expect(after.pendingSats).to.equal(0n);
        expect(await client.blockHashAt(before.tipHeight)).to.not.equal(before.tipHash);
      });
    });

    context("when paging through address history", function () {
      it("returns 25 confirmed transactions per page, newest first, with mempool ones on the first page", async function () {
        for (let i = 1; i <= 60; i++) {
          devnet.chain.fund(ALICE, BigInt(i));
          devnet.chain.mine(1);
        }
        devnet.chain.fund(ALICE, 1_000n); // mempool
        const first = await client.addressHistory(ALICE);
        expect(first).to.have.length(26);
        expect(first[0]?.status.confirmed).to.equal(false);
        expect(first[1]?.vout[0]?.value).to.equal(60);
        const last = first[first.length - 1];
        const second = await client.addressHistory(ALICE, last?.txid);
        expect(second.map((t) => t.vout[0]?.value)).to.deep.equal(
          Array.from({ length: 25 }, (_, i) => 35 - i),
        );
        const all = await client.allAddressHistory(ALICE);
        expect(all).to.have.length(61);
        expect(new Set(all.map((t) => t.txid)).size).to.equal(61);
        expect(all[60]?.vout[0]?.value).to.equal(1);
      });

      it("reports an unknown last-seen txid as a backend error", async function () {
        devnet.chain.fund(ALICE, 1n);
        devnet.chain.mine(1);
        const error = await rejection(client.addressHistory(ALICE, "ab".repeat(32)));
        expect(error).to.be.instanceOf(BackendError).with.property("status", 404);
      });
    });

    context("when reading many balances", function () {
      it("returns them in input order at one tip", async function () {
        const addresses = Array.from(
          { length: 12 },
          (_, i) => new DevnetWallet(`user${i}`).address("p2wpkh").address,
        );
        addresses.forEach((a, i) => devnet.chain.fund(a, BigInt(1_000 * (i + 1))));
        devnet.chain.mine(2);
        const result = await client.balances(addresses, 2);
        expect(result.tipHash).to.equal(devnet.chain.tipHash);
        expect(result.balances.map((b) => b.sats)).to.deep.equal(
          addresses.map((_, i) => BigInt(1_000 * (i + 1))),
        );
      });
    });
  });

  describe("against a failing backend", function () {
    let stub: StubServer | undefined;
    afterEach(async function () {
      await stub?.close();
      stub = undefined;
    });

    it("times out a request that never answers and retries it", async function () {
      stub = await startStub(() => undefined);
      const client = new EsploraClient({ baseUrl: stub.url, timeoutMs: 100, retries: 1, backoffMs: 1 });
      const error = await rejection(client.tipHeight());
      expect(error).to.be.instanceOf(BackendError).with.property("code", "BACKEND_TIMEOUT");
      expect(error.message).to.contain("timed out after 100 ms (after 2 attempts)");
      expect(stub.hits).to.have.length(2);
    });

    it("retries HTTP 5xx and then succeeds", async function () {
      stub = await startStub((_req, res, hit) => (hit <= 2 ? send(res, 503, "busy") : send(res, 200, "123")));
      const client = new EsploraClient({ baseUrl: stub.url, retries: 3, backoffMs: 1 });
      expect(await client.tipHeight()).to.equal(123);
      expect(client.stats()).to.include({ requests: 3, retries: 2, failures: 0 });
    });

    it("gives up after the configured retries with the last HTTP status", async function () {
      stub = await startStub((_req, res) => send(res, 502, "bad gateway"));
      const client = new EsploraClient({ baseUrl: stub.url, retries: 2, backoffMs: 1 });
      const error = await rejection(client.tipHash());
      expect(error).to.be.instanceOf(BackendError).with.property("status", 502);
      expect(error.message).to.contain("(after 3 attempts)");
      expect(stub.hits).to.have.length(3);
    });

    it("waits for Retry-After on HTTP 429", async function () {
      const times: number[] = [];
      stub = await startStub((_req, res, hit) => {
        times.push(Date.now());
        if (hit === 1) send(res, 429, "slow down", "text/plain", { "retry-after": "1" });
        else send(res, 200, "7");
      });
      const client = new EsploraClient({ baseUrl: stub.url, retries: 2, backoffMs: 1 });
      expect(await client.tipHeight()).to.equal(7);
      expect((times[1] ?? 0) - (times[0] ?? 0)).to.be.at.least(950);
    });

    it("does not retry other 4xx answers", async function () {
      stub = await startStub((_req, res) => send(res, 404, "not found"));
      const client = new EsploraClient({ baseUrl: stub.url, retries: 3, backoffMs: 1 });
      const error = await rejection(client.tipHeight());
      expect(error).to.be.instanceOf(BackendError).with.property("status", 404);
      expect(stub.hits).to.have.length(1);
    });

    it("reports malformed JSON with the URL", async function () {
      stub = await startStub((_req, res) => send(res, 200, "{not json", "application/json"));
      const client = new EsploraClient({ baseUrl: stub.url, retries: 2, backoffMs: 1 });
      const error = await rejection(client.addressUtxos(ALICE));
      expect(error).to.be.instanceOf(BackendError).with.property("code", "BACKEND_MALFORMED");
      expect(error.message).to.match(
        new RegExp(`^malformed response from ${stub.url}/address/${ALICE}/utxo: `),
      );
      expect(stub.hits).to.have.length(1);
    });

    it("reports JSON of the wrong shape as malformed", async function () {
      stub = await startStub((_req, res) =>
        send(
          res,
          200,
          JSON.stringify([{ txid: "ab".repeat(32), vout: 0, status: { confirmed: true } }]),
          "application/json",
        ),
      );
      const client = new EsploraClient({ baseUrl: stub.url, retries: 0 });
      const error = await rejection(client.addressUtxos(ALICE));
      expect(error.message).to.contain("[0].value must be sats");
    });

    it("reports a non-numeric tip height as malformed", async function () {
      stub = await startStub((_req, res) => send(res, 200, "<html>maintenance</html>"));
      const client = new EsploraClient({ baseUrl: stub.url, retries: 0 });
      const error = await rejection(client.tipHeight());
      expect(error.message).to.contain("expected a block height");
    });

    it("reports a refused connection as unreachable", async function () {
      const port = await closedPort();
      const client = new EsploraClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 1, backoffMs: 1 });
      const error = await rejection(client.tipHeight());
      expect(error).to.be.instanceOf(BackendError).with.property("code", "BACKEND_UNREACHABLE");
      expect(error.message).to.contain("ECONNREFUSED");
    });

    it("keeps at most `concurrency` requests in flight", async function () {
      let inFlight = 0;
      let peak = 0;
      stub = await startStub(async (_req, res) => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 15));
        inFlight -= 1;
        send(res, 200, "[]", "application/json");
      });
      const client = new EsploraClient({ baseUrl: stub.url, concurrency: 3 });
      await Promise.all(Array.from({ length: 20 }, () => client.addressUtxos(ALICE)));
      expect(peak).to.equal(3);
    });
  });

  describe("configuration", function () {
    it("rejects a non-http URL and negative retries at construction", function () {
      expect(() => new EsploraClient({ baseUrl: "ftp://127.0.0.1" })).to.throw(
        UserInputError,
        "must be http(s)",
      );
      expect(() => new EsploraClient({ baseUrl: "http://127.0.0.1", retries: -1 })).to.throw(
        UserInputError,
        "retries must be an integer ≥ 0",
      );
      expect(() => new EsploraClient({ baseUrl: "http://127.0.0.1", concurrency: 0 })).to.throw(
        UserInputError,
        "concurrency",
      );
    });
  });

  describe("mapLimit", function () {
    it("preserves input order", async function () {
      const out = await mapLimit([30, 10, 20], 2, async (ms, i) => {
        await new Promise((r) => setTimeout(r, ms));
        return i;
      });
      expect(out).to.deep.equal([0, 1, 2]);
    });
  });
});

describe("MultiEsplora", function () {
  let a: RunningDevnet;
  let a2: RunningDevnet;
  let b: RunningDevnet;
  let liar: StubServer;

  before(async function () {
    a = await startDevnet({ port: 0 });
    a2 = await startDevnet({ port: 0, chain: a.chain }); // a second server over the same chain: agrees
    b = await startDevnet({ port: 0, clock: () => 1_600_000_000 }); // an independent chain: another tip
    a.chain.fund(ALICE, 42_000n);
    a.chain.mine(2);
    b.chain.fund(ALICE, 42_000n);
    b.chain.mine(2);
    // same tip as `a`, but inflates every UTXO
    liar = await startStub(async (req, res) => {
      const upstream = await fetch(`${a.url}${req.url ?? ""}`);
      let body = await upstream.text();
      if (req.url?.endsWith("/utxo"))
        body = body.replace(/"value":(\d+)/g, (_m, v: string) => `"value":${Number(v) + 1}`);
      send(res, upstream.status, body, upstream.headers.get("content-type") ?? "text/plain");
    });
  });
  after(async function () {
    await liar.close();
    await b.close();
    await a2.close();
    await a.close();
  });

  const opts = { retries: 0 };

  it("reports a balance that a quorum agrees on at the same tip", async function () {
    const multi = new MultiEsplora({ backends: [a.url, a2.url, b.url], clientOptions: opts });
    const result = await multi.confirmedBalance(ALICE, 1);
    expect(result).to.include({ sats: 42_000n, agreeing: 2, backends: 3, tipHash: a.chain.tipHash });
  });

  it("fails with 'backends disagree' when the quorum is not met", async function () {
    const multi = new MultiEsplora({ backends: [a.url, a2.url, b.url], clientOptions: opts, quorum: 3 });
    const error = await rejection(multi.confirmedBalance(ALICE, 1));
    expect(error).to.be.instanceOf(BackendError).with.property("code", "BACKEND_DISAGREE");
    expect(error.message).to.contain(`backends disagree on ${ALICE}`);
  });

  it("fails when backends at the same tip report different sats", async function () {
    const multi = new MultiEsplora({ backends: [a.url, liar.url], clientOptions: opts });
    const error = await rejection(multi.confirmedBalance(ALICE, 1));
    expect(error.message).to.contain("backends disagree");
    expect(error.message).to.contain("42001 sats");
  });

  it("tolerates a dead backend while a quorum still answers", async function () {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const multi = new MultiEsplora({ backends: [a.url, a2.url, dead], clientOptions: opts });
    expect((await multi.confirmedBalance(ALICE, 1)).agreeing).to.equal(2);
  });

  it("fails with 'only k of n backends answered' when too many are down", async function () {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const multi = new MultiEsplora({ backends: [a.url, dead, dead], clientOptions: opts });
    const error = await rejection(multi.confirmedBalance(ALICE, 1));
    expect(error).to.be.instanceOf(BackendError).with.property("code", "BACKEND_NO_QUORUM");
    expect(error.message).to.contain("only 1 of 3 backends answered (quorum 2)");
  });

  it("agrees on many balances at once and names the first disagreement", async function () {
    const good = new MultiEsplora({ backends: [a.url, a2.url, liar.url], clientOptions: opts });
    const result = await good.balances([ALICE, BOB], 1);
    expect(result.balances.map((x) => x.sats)).to.deep.equal([42_000n, 0n]);
    expect(result.agreeing).to.equal(3);
    const strict = new MultiEsplora({ backends: [a.url, a2.url, liar.url], clientOptions: opts, quorum: 3 });
    const error = await rejection(strict.balances([ALICE, BOB], 1));
    expect(error.message).to.contain(`backends disagree on ${ALICE}`);
  });

  it("rejects an impossible quorum", function () {
    expect(() => new MultiEsplora({ backends: [a.url], quorum: 2 })).to.throw(
      UserInputError,
      "quorum must be between 1 and 1",
    );
  });
});
