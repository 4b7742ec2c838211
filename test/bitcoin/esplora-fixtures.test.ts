import { readFileSync } from "node:fs";

import { expect } from "chai";

import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import { send, shapeDiff, shapeOf, startStub } from "./helpers.js";
import type { StubServer } from "./helpers.js";

const dir = new URL("../fixtures/esplora/", import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, dir), "utf8");
const json = (name: string): unknown => JSON.parse(fixture(name));

const ADDRESS = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
const TIP_HASH = fixture("tip-hash.txt").trim();
const TX = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";

/** Route → [content type, fixture file]; mirrors blockstream.info/api. */
const ROUTES: Record<string, [string, string]> = {
  "/blocks/tip/height": ["text/plain", "tip-height.txt"],
  "/blocks/tip/hash": ["text/plain", "tip-hash.txt"],
  [`/block/${TIP_HASH}`]: ["application/json", "block.json"],
  [`/address/${ADDRESS}`]: ["application/json", "address.json"],
  [`/address/${ADDRESS}/utxo`]: ["application/json", "address-utxo.json"],
  [`/address/${ADDRESS}/txs`]: ["application/json", "address-txs.json"],
  [`/tx/${TX}`]: ["application/json", "tx.json"],
  [`/tx/${TX}/status`]: ["application/json", "tx-status.json"],
};

/** Witness data is absent from devnet transactions (they are unsigned); everything else must match. */
const ignoreWitness = (path: string) => path.includes(".witness");

describe("Esplora fixtures (real API shapes)", function () {
  let real: StubServer;
  let devnet: RunningDevnet;
  let devAddress: string;
  let devSpendTxid: string;

  before(async function () {
    real = await startStub((req, res) => {
      const route = ROUTES[req.url ?? ""];
      if (!route) return send(res, 404, "Not found");
      send(res, 200, fixture(route[1]), route[0]);
    });
    devnet = await startDevnet({ port: 0 });
    const alice = new DevnetWallet("alice");
    devAddress = alice.address("p2wpkh").address;
    const bob = new DevnetWallet("bob").address("p2sh-p2wpkh").address;
    // same story as the fixtures: a coinbase-like funding, a confirmed spend with change, a mempool spend
    devnet.chain.fund(devAddress, 1_000_000n);
    devnet.chain.mine(1);
    devSpendTxid = devnet.chain.spend(devAddress, bob, 148_590n, 1_410n).txid;
    devnet.chain.mine(1);
    devnet.chain.fund(devAddress, 5_000n); // stays confirmed and unspent
    devnet.chain.mine(1);
    devnet.chain.spend(devAddress, new DevnetWallet("carol").address("p2tr").address, 25_000n, 1_000n);
  });
  after(async function () {
    await devnet.close();
    await real.close();
  });

  async function both(realPath: string, devPath: string): Promise<[Response, Response]> {
    return Promise.all([fetch(`${real.url}${realPath}`), fetch(`${devnet.url}${devPath}`)]);
  }

  context("when the client reads the recorded responses", function () {
    it("reads the tip as a consistent (height, hash) pair", async function () {
      const client = new EsploraClient({ baseUrl: real.url, retries: 0 });
      expect(await client.tip()).to.deep.equal({ height: 870004, hash: TIP_HASH });
    });

    it("counts only UTXOs with enough confirmations", async function () {
      const client = new EsploraClient({ baseUrl: real.url, retries: 0, network: "mainnet" });
      // UTXOs: 1,000,000 at 870000 (5 conf), 350,000 at 870003 (2 conf), 25,000 unconfirmed; tip 870004
      const one = await client.confirmedBalance(ADDRESS, 1);
      expect(one).to.include({ sats: 1_350_000n, pendingSats: 25_000n, utxoCount: 2, tipHeight: 870004 });
      expect((await client.confirmedBalance(ADDRESS, 3)).sats).to.equal(1_000_000n);
      expect((await client.confirmedBalance(ADDRESS, 5)).sats).to.equal(1_000_000n);
      expect((await client.confirmedBalance(ADDRESS, 6)).sats).to.equal(0n);
    });

    it("parses the address history page", async function () {
      const client = new EsploraClient({ baseUrl: real.url, retries: 0 });
      const txs = await client.addressHistory(ADDRESS);
      expect(txs.map((t) => t.status.confirmed)).to.deep.equal([false, true, true]);
    });
  });

  context("when the devnet answers the same endpoints", function () {
    it("serves the tip height as text/plain digits", async function () {
      const [r, d] = await both("/blocks/tip/height", "/blocks/tip/height");
      expect(d.headers.get("content-type")).to.contain(r.headers.get("content-type") ?? "");
      expect(await d.text()).to.match(/^\d+$/);
      expect(await r.text()).to.match(/^\d+$/);
    });

    it("serves the tip hash as 64 hex characters of text/plain", async function () {
      const [r, d] = await both("/blocks/tip/hash", "/blocks/tip/hash");
      expect(d.headers.get("content-type")).to.contain("text/plain");
      expect(await d.text()).to.match(/^[0-9a-f]{64}$/);
      expect(await r.text()).to.match(/^[0-9a-f]{64}$/);
    });

    it("serves /block/:hash with the same fields and types", async function () {
      const [r, d] = await both(`/block/${TIP_HASH}`, `/block/${devnet.chain.tipHash}`);
      expect(shapeDiff(shapeOf(await d.json()), shapeOf(await r.json()))).to.deep.equal([]);
    });

    it("serves /address/:a with the same fields and types", async function () {
      const [r, d] = await both(`/address/${ADDRESS}`, `/address/${devAddress}`);
      expect(shapeDiff(shapeOf(await d.json()), shapeOf(await r.json()))).to.deep.equal([]);
    });

    it("serves /address/:a/utxo with the same fields and types (confirmed and unconfirmed)", async function () {
      const [r, d] = await both(`/address/${ADDRESS}/utxo`, `/address/${devAddress}/utxo`);
      const utxos = (await d.json()) as Array<{ status: { confirmed: boolean } }>;
      expect(utxos.map((u) => u.status.confirmed).sort()).to.deep.equal([false, true]);
      expect(shapeDiff(shapeOf(utxos), shapeOf(await r.json()))).to.deep.equal([]);
    });

    it("serves /address/:a/txs with the same fields and types (coinbase, confirmed and mempool)", async function () {
      const [r, d] = await both(`/address/${ADDRESS}/txs`, `/address/${devAddress}/txs`);
      expect(shapeDiff(shapeOf(await d.json()), shapeOf(await r.json()), ignoreWitness)).to.deep.equal([]);
    });

    it("serves /tx/:txid and /tx/:txid/status with the same fields and types", async function () {
      const [r, d] = await both(`/tx/${TX}`, `/tx/${devSpendTxid}`);
      expect(shapeDiff(shapeOf(await d.json()), shapeOf(await r.json()), ignoreWitness)).to.deep.equal([]);
      const [rs, ds] = await both(`/tx/${TX}/status`, `/tx/${devSpendTxid}/status`);
      expect(shapeDiff(shapeOf(await ds.json()), shapeOf(await rs.json()))).to.deep.equal([]);
    });

    it("uses Esplora's script type names and asm notation", async function () {
      const tx = (await (await fetch(`${devnet.url}/tx/${devSpendTxid}`)).json()) as {
        vout: Array<{ scriptpubkey_type: string; scriptpubkey_asm: string }>;
      };
      const real = json("tx.json") as typeof tx;
      expect(tx.vout.map((o) => o.scriptpubkey_type)).to.deep.equal(
        real.vout.map((o) => o.scriptpubkey_type),
      );
      expect(tx.vout[0]?.scriptpubkey_asm).to.match(/^OP_HASH160 OP_PUSHBYTES_20 [0-9a-f]{40} OP_EQUAL$/);
      expect(tx.vout[1]?.scriptpubkey_asm).to.match(/^OP_0 OP_PUSHBYTES_20 [0-9a-f]{40}$/);
    });
  });

  context("when the shape checker itself is exercised", function () {
    it("reports a field whose type differs", function () {
      const diff = shapeDiff(shapeOf({ value: "1" }), shapeOf({ value: 1 }));
      expect(diff).to.deep.equal(["$.value: expected number, got string"]);
    });
    it("reports missing and unexpected fields", function () {
      const diff = shapeDiff(shapeOf({ a: 1 }), shapeOf({ b: 1 }));
      expect(diff).to.deep.equal(["missing $.b (number)", "unexpected $.a"]);
    });
  });
});
