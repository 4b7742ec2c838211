/**
 * LightRelay under the regtest rule set against the devnet (whose blocks have real proof of work), end to end: proofs
 * built from the devnet's Esplora API and verified by the relay, forged proofs refused with named errors, a reorg, and
 * `syncRelay`. Then the retargeting and testnet rules with headers mined here at easy targets (a regtest-like limit,
 * so they are cheap to grind): the retarget arithmetic, the epoch-end-in-the-future guard, stale proofs, and testnet's
 * minimum-difficulty blocks.
 */
import { expect } from "chai";
import { network } from "hardhat";

import type { RelayRules } from "../../deploy/modules/LightRelay.js";
import { RELAY_RULES } from "../../deploy/modules/LightRelay.js";
import { startDevnet } from "../../src/bitcoin/devnet/server.js";
import type { RunningDevnet } from "../../src/bitcoin/devnet/server.js";
import { DevnetWallet } from "../../src/bitcoin/devnet/wallet.js";
import { EsploraClient } from "../../src/bitcoin/esplora.js";
import type { BlockHeader } from "../../src/bitcoin/headers.js";
import { bitsToTarget, grindHeader, retargetBits, sha256d, workOf } from "../../src/bitcoin/headers.js";
import { ChainError, UserInputError } from "../../src/errors.js";
import { relayGenesis } from "../../src/relay/genesis.js";
import { buildTxProof, verifyOnRelay } from "../../src/relay/proof.js";
import type { TxProofBundle } from "../../src/relay/proof.js";
import { syncRelay } from "../../src/relay/sync.js";
import { deployRelay, rejectionOf } from "./helpers.js";

const connection = await network.create();
const { networkHelpers } = connection;

const ALICE = new DevnetWallet("alice").address("p2wpkh").address;
const BOB = new DevnetWallet("bob").address("p2wpkh").address;
const REGTEST_WORK = workOf(bitsToTarget(0x207fffff));

/** Flips one bit of byte `index` of a 0x-hex string. */
function flip(hexString: string, index: number): string {
  const bytes = Buffer.from(hexString.slice(2), "hex");
  bytes[index] = (bytes[index] as number) ^ 0x01;
  return `0x${bytes.toString("hex")}`;
}

describe("LightRelay (regtest rules) with the devnet", function () {
  let devnet: RunningDevnet;
  let esplora: EsploraClient;
  let spendTxid: string;

  before(async function () {
    devnet = await startDevnet({ port: 0 });
    esplora = new EsploraClient({ baseUrl: devnet.url });
    devnet.chain.fund(ALICE, 100_000n);
    devnet.chain.mine(1);
    spendTxid = devnet.chain.spend(ALICE, BOB, 30_000n, 500n).txid;
    devnet.chain.mine(1);
  });
  after(async function () {
    await devnet.close();
  });

  async function relayFixture() {
    const genesis = await relayGenesis(esplora, "regtest");
    const { genesisHeader, genesisHeight, rules } = genesis.parameters.LightRelay;
    return {
      relay: await deployRelay(connection, rules, { height: genesisHeight, hex: genesisHeader.slice(2) }),
    };
  }

  it("refuses to build a proof before six confirmations", async function () {
    const error = await rejectionOf(buildTxProof(esplora, spendTxid, { confirmations: 6 }));
    expect(error).to.be.instanceOf(UserInputError);
    expect(error.message).to.contain("has 1 confirmations, the proof needs 6");
    expect(error.code).to.equal("TX_TOO_FEW_CONFIRMATIONS");
  });

  context("once the spend has six confirmations", function () {
    let bundle: TxProofBundle;
    before(async function () {
      devnet.chain.mine(5);
      bundle = await buildTxProof(esplora, spendTxid, { confirmations: 6 });
    });

    it("verifies the devnet spend with its coinbase and six headers of real regtest work", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const verdict = await verifyOnRelay(relay, bundle);
      expect(verdict).to.deep.equal({ txid: spendTxid, blockHash: bundle.blockHash, confirmations: 6 });
      expect(bundle.blockHeight).to.equal(2);
      expect(bundle.proof.txIndex).to.equal(1);
      const [, , work, required] = await relay.validateProofWork(bundle.proof.headers);
      expect([work, required]).to.deep.equal([6n * REGTEST_WORK, 6n * REGTEST_WORK]);
    });

    it("verifies a proof whose chain starts at an earlier anchor block", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const anchored = await buildTxProof(esplora, spendTxid, { confirmations: 6, fromHeight: 0 });
      expect(anchored.proof.blockIndex).to.equal(2);
      expect((await verifyOnRelay(relay, anchored)).confirmations).to.equal(6);
      await expect(relay.verifyTransaction({ ...anchored.proof, blockIndex: 8 }))
        .to.be.revertedWithCustomError(relay, "RelayBlockIndexOutOfRange")
        .withArgs(8n, 8n);
    });

    it("reverts with RelayInsufficientWork for five confirmations (regtest work is counted, not skipped)", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const five = await buildTxProof(esplora, spendTxid, { confirmations: 5 });
      await expect(relay.verifyTransaction(five.proof))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientWork")
        .withArgs(5n * REGTEST_WORK, 6n * REGTEST_WORK);
    });

    it("refuses forged proofs with named errors", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const p = bundle.proof;
      await expect(
        relay.verifyTransaction({ ...p, merkleProof: flip(p.merkleProof, 3) }),
      ).to.be.revertedWithCustomError(relay, "BitcoinMerkleTxNotIncluded");
      await expect(relay.verifyTransaction({ ...p, txIndex: 0 })).to.be.revertedWithCustomError(
        relay,
        "BitcoinMerkleTxNotIncluded",
      );
      await expect(relay.verifyTransaction({ ...p, coinbase: p.transaction })).to.be.revertedWithCustomError(
        relay,
        "BitcoinTxNotCoinbase",
      );
      // The last header with a nonce whose hash misses the (easy) regtest target.
      const { headers, blockHash } = withFailingNonce(p.headers, 5);
      await expect(relay.verifyTransaction({ ...p, headers }))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientProofOfWork")
        .withArgs(5n, blockHash, 0x207fffffn);
      // A header left out: the chain no longer links.
      const gap = `0x${p.headers.slice(2, 2 + 160 * 2)}${p.headers.slice(2 + 160 * 3)}`;
      await expect(relay.verifyTransaction({ ...p, headers: gap }))
        .to.be.revertedWithCustomError(relay, "RelayBrokenChain")
        .withArgs(2n, prevField(p.headers, 3), blockHashOf(p.headers, 1));
    });

    it("reports the relay's refusal as a ChainError naming the error", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const five = await buildTxProof(esplora, spendTxid, { confirmations: 5 });
      const error = await rejectionOf(verifyOnRelay(relay, five));
      expect(error).to.be.instanceOf(ChainError);
      expect(error.message).to.match(/RelayInsufficientWork\(10, 12\)/);
    });

    it("syncRelay: nothing to retarget on regtest; the relay accepts a proof-sized chain at the tip", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const lines: string[] = [];
      const result = await syncRelay(relay, esplora, { progress: (l) => lines.push(l) });
      expect(result.retargets).to.deep.equal([]);
      expect(result.nextRetargetAtHeight).to.equal(null);
      expect(result.tip).to.deep.include({ accepted: true, reason: null, toHeight: devnet.chain.tipHeight });
      expect(result.upToDate).to.equal(true);
      expect(result.currentEpochEnd).to.equal(null);
      expect(lines.join("\n")).to.contain("the relay accepts headers");
    });

    it("syncRelay: refuses a backend that is not on the relay's network", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const other = await startDevnet({ port: 0, clock: () => 1_600_000_000 });
      try {
        other.chain.mine(7);
        const error = await rejectionOf(syncRelay(relay, new EsploraClient({ baseUrl: other.url })));
        expect(error).to.be.instanceOf(UserInputError);
        expect(error.message).to.contain("is not the relay's genesis");
        expect(error.code).to.equal("RELAY_WRONG_NETWORK");
      } finally {
        await other.close();
      }
    });
  });

  context("when a reorg orphans the confirming block before six confirmations", function () {
    it("refuses the orphaned branch's proof: it cannot reach six blocks of work", async function () {
      const { relay } = await networkHelpers.loadFixture(relayFixture);
      const txid = devnet.chain.spend(BOB, ALICE, 1_000n).txid;
      devnet.chain.mine(3);
      const before = await buildTxProof(esplora, txid, { confirmations: 3 });
      devnet.chain.reorg(3);
      // The transaction was dropped with the orphaned blocks: the backend no longer knows it.
      expect((await rejectionOf(buildTxProof(esplora, txid, { confirmations: 3 }))).message).to.contain(
        "HTTP 404",
      );
      // The orphaned headers still carry valid proof of work, but only three blocks of it.
      await expect(relay.verifyTransaction(before.proof))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientWork")
        .withArgs(3n * REGTEST_WORK, 6n * REGTEST_WORK);
    });
  });

  it("reverts with RelayRetargetDisabled on regtest", async function () {
    const { relay } = await networkHelpers.loadFixture(relayFixture);
    await expect(relay.retarget("0x")).to.be.revertedWithCustomError(relay, "RelayRetargetDisabled");
  });
});

/** The previous-block field of header `i` of a 0x-hex chain, as the relay reads it. */
function prevField(headers: string, i: number): string {
  return `0x${headers.slice(2 + i * 160 + 8, 2 + i * 160 + 72)}`;
}

/** The block hash (internal order) of header `i` of a 0x-hex chain. */
function blockHashOf(headers: string, i: number): string {
  return `0x${Buffer.from(sha256d(Buffer.from(headers.slice(2 + i * 160, 2 + (i + 1) * 160), "hex"))).toString("hex")}`;
}

/** `headers` with header `i`'s nonce changed to the first one whose hash misses the header's target. */
function withFailingNonce(headers: string, i: number): { headers: string; blockHash: string } {
  const bytes = Buffer.from(headers.slice(2), "hex");
  const header = bytes.subarray(i * 80, (i + 1) * 80);
  const target = bitsToTarget(header.readUInt32LE(72));
  for (let nonce = header.readUInt32LE(76) + 1; ; nonce++) {
    header.writeUInt32LE(nonce >>> 0, 76);
    const hash = Buffer.from(sha256d(header));
    if (BigInt(`0x${Buffer.from(hash).reverse().toString("hex")}`) > target) {
      return { headers: `0x${bytes.toString("hex")}`, blockHash: `0x${hash.toString("hex")}` };
    }
  }
}

/** Retargeting and testnet rules with headers ground here, at targets a test can afford. */
describe("LightRelay (retargeting and testnet rules, mined headers)", function () {
  /** A regtest-like limit so the headers are cheap to mine; epochs start harder than the limit. */
  const LIMIT = 0x207fffff;
  const START_BITS = 0x2000ffff;
  const WEEK = 7 * 24 * 3600;
  const DAY = 24 * 3600;

  const rulesOf = (overrides: Partial<RelayRules> = {}): RelayRules => ({
    ...RELAY_RULES.mainnet,
    powLimitBits: LIMIT,
    retargetProofLength: 3,
    ...overrides,
  });

  interface Mined {
    header: BlockHeader;
    hex: string;
    hash: string;
  }

  /** Mines a header on `prev` (or on an arbitrary parent) at `time` with `bits`. */
  function mine(prev: Mined | undefined, time: number, bits: number): Mined {
    const { header, bytes, hash } = grindHeader({
      version: 0x20000000,
      prevHash: prev?.hash ?? "11".repeat(32),
      merkleRoot: "22".repeat(32),
      time,
      bits,
    });
    return { header, hex: Buffer.from(bytes).toString("hex"), hash };
  }

  /** `count` headers after `prev`, `spacing` seconds apart, with `bits`. */
  function mineRun(prev: Mined, count: number, spacing: number, bits: number): Mined[] {
    const out: Mined[] = [];
    let tip = prev;
    for (let i = 0; i < count; i++) {
      tip = mine(tip, tip.header.time + spacing, bits);
      out.push(tip);
    }
    return out;
  }

  const join = (headers: readonly Mined[]): string => `0x${headers.map((h) => h.hex).join("")}`;
  const last = (headers: readonly Mined[]): Mined => headers[headers.length - 1] as Mined;
  const target = bitsToTarget;

  /**
   * A retarget proof for an epoch that started at `start` with `bits`: its last three headers ending `length` seconds
   * after `start`, then three headers at the adjusted bits.
   */
  function retargetProof(start: number, bits: number, length = WEEK, after?: Mined) {
    const first = mine(after, start + length - 200, bits);
    const pre = [first, ...mineRun(first, 2, 100, bits)];
    const newBits = retargetBits(target(bits), start, last(pre).header.time, target(LIMIT));
    return { pre, post: mineRun(last(pre), 3, 100, newBits), newBits };
  }

  /** A relay whose genesis (epoch 0) started ten days ago at START_BITS. */
  async function relayAt(overrides: Partial<RelayRules> = {}, startedAgo = 10 * DAY) {
    const now = await networkHelpers.time.latest();
    const genesis = mine(undefined, now - startedAgo, START_BITS);
    const relay = await deployRelay(connection, rulesOf(overrides), { height: 0, hex: genesis.hex });
    return { relay, genesis, now };
  }

  /** A relay retargeted to epoch 1; `epoch1` holds six consecutive headers of epoch 1. */
  async function retargetedRelay(overrides: Partial<RelayRules> = {}, startedAgo = 10 * DAY) {
    const { relay, genesis } = await relayAt(overrides, startedAgo);
    const r = retargetProof(genesis.header.time, START_BITS);
    await relay.retarget(join([...r.pre, ...r.post]));
    return { relay, ...r, epoch1: [...r.post, ...mineRun(last(r.post), 3, 100, r.newBits)] };
  }

  it("computes the retarget exactly: one week for two weeks' blocks halves the target", async function () {
    const { relay, genesis } = await relayAt();
    const { pre, post, newBits } = retargetProof(genesis.header.time, START_BITS);
    expect(newBits).to.equal(0x1f7fff80);
    await expect(relay.retarget(join([...pre, ...post])))
      .to.emit(relay, "Retarget")
      .withArgs(1n, BigInt(START_BITS), BigInt(newBits), BigInt((post[0] as Mined).header.time));
    const six = [...post, ...mineRun(last(post), 3, 100, newBits)];
    const [, , work, required] = await relay.validateProofWork(join(six));
    expect(work).to.equal(required);
    expect(work).to.equal(6n * workOf(target(newBits)));
  });

  it("clamps the timespan to 4× and caps the new target at the proof-of-work limit", async function () {
    const { relay, genesis } = await relayAt({}, 60 * DAY);
    // Eight weeks for the epoch: clamped to four times two weeks, so the target grows 4×.
    const { pre, post, newBits } = retargetProof(genesis.header.time, START_BITS, 8 * WEEK);
    expect(newBits).to.equal(0x2003fffc);
    await relay.retarget(join([...pre, ...post]));
    expect((await relay.epoch(1)).bits).to.equal(BigInt(newBits));
    // An epoch already at the limit cannot get easier.
    const now = await networkHelpers.time.latest();
    const atLimit = mine(undefined, now - 60 * DAY, LIMIT);
    const capped = await deployRelay(connection, rulesOf(), { height: 0, hex: atLimit.hex });
    const again = retargetProof(atLimit.header.time, LIMIT, 8 * WEEK);
    expect(again.newBits).to.equal(LIMIT);
    await expect(capped.retarget(join([...again.pre, ...again.post])))
      .to.emit(capped, "Retarget")
      .withArgs(1n, BigInt(LIMIT), BigInt(LIMIT), BigInt((again.post[0] as Mined).header.time));
  });

  it("reverts with RelayUnexpectedBits when the new bits are not Bitcoin's adjustment", async function () {
    const { relay, genesis } = await relayAt();
    const { pre, newBits } = retargetProof(genesis.header.time, START_BITS);
    const wrong = mineRun(last(pre), 3, 100, START_BITS);
    await expect(relay.retarget(join([...pre, ...wrong])))
      .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
      .withArgs(3n, BigInt(START_BITS), BigInt(newBits));
  });

  it("reverts with RelayEpochEndInFuture when the old epoch's last block claims a future time", async function () {
    const { relay, genesis, now } = await relayAt({}, 2 * DAY);
    const { pre, post } = retargetProof(genesis.header.time, START_BITS, 2 * DAY + 3600);
    const end = last(pre).header.time;
    expect(end).to.be.greaterThan(now);
    await expect(relay.retarget(join([...pre, ...post])))
      .to.be.revertedWithCustomError(relay, "RelayEpochEndInFuture")
      .withArgs(BigInt(end), (nowSeconds: bigint) => nowSeconds < BigInt(end));
  });

  it("reverts with RelayProofEpochTooOld for a proof two epochs back, which validateChain still accepts", async function () {
    const { relay, pre, post, newBits } = await retargetedRelay({}, 20 * DAY);
    const e1Start = (post[0] as Mined).header.time;
    const r2 = retargetProof(e1Start, newBits, WEEK, last(post));
    await relay.retarget(join([...r2.pre, ...r2.post]));
    expect(await relay.currentEpoch()).to.equal(2n);
    const old = [...pre, ...mineRun(last(pre), 3, 10, START_BITS)];
    expect((await relay.validateChain(join(old)))[1]).to.equal(6n);
    await expect(relay.validateProofWork(join(old)))
      .to.be.revertedWithCustomError(relay, "RelayProofEpochTooOld")
      .withArgs(0n, 2n);
  });

  context("testnet4 minimum-difficulty blocks", function () {
    it("accepts one more than 20 minutes after its parent and counts its own (small) work", async function () {
      const { relay, epoch1, newBits } = await retargetedRelay({ minDifficultyBlocks: true });
      const easy = mine(last(epoch1), last(epoch1).header.time + 1201, LIMIT);
      const [, , work] = await relay.validateProofWork(join([...epoch1, easy]));
      expect(work).to.equal(6n * workOf(target(newBits)) + workOf(target(LIMIT)));
    });

    it("refuses one 20 minutes or less after its parent, or first in a chain, or under mainnet rules", async function () {
      const { relay, epoch1, newBits } = await retargetedRelay({ minDifficultyBlocks: true });
      const early = mine(last(epoch1), last(epoch1).header.time + 1200, LIMIT);
      await expect(relay.validateChain(join([...epoch1, early])))
        .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
        .withArgs(6n, BigInt(LIMIT), BigInt(newBits));
      const late = mine(last(epoch1), last(epoch1).header.time + 1201, LIMIT);
      await expect(relay.validateChain(join([late])))
        .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
        .withArgs(0n, BigInt(LIMIT), BigInt(newBits));

      const strict = await retargetedRelay();
      const strictLate = mine(last(strict.epoch1), last(strict.epoch1).header.time + 1201, LIMIT);
      await expect(strict.relay.validateChain(join([...strict.epoch1, strictLate])))
        .to.be.revertedWithCustomError(strict.relay, "RelayUnexpectedBits")
        .withArgs(6n, BigInt(LIMIT), BigInt(strict.newBits));
    });

    it("retargets from the epoch's real target across a minimum-difficulty block (BIP-94)", async function () {
      const { relay, genesis } = await relayAt({ minDifficultyBlocks: true });
      const p1 = mine(undefined, genesis.header.time + WEEK - 3000, START_BITS);
      const p2 = mine(p1, p1.header.time + 1500, LIMIT);
      const p3 = mine(p2, p2.header.time + 100, START_BITS);
      const bits = retargetBits(target(START_BITS), genesis.header.time, p3.header.time, target(LIMIT));
      const post = mineRun(p3, 3, 100, bits);
      await expect(relay.retarget(join([p1, p2, p3, ...post])))
        .to.emit(relay, "Retarget")
        .withArgs(1n, BigInt(START_BITS), BigInt(bits), BigInt((post[0] as Mined).header.time));
    });
  });
});
