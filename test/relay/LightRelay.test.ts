/**
 * LightRelay under mainnet rules against real Bitcoin mainnet headers: genesis, retargets, header chains, proof work,
 * a reorg. (The regtest and testnet rule sets, with headers mined here, are in LightRelay.rules.test.ts.)
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import type { RelayRules } from "../../deploy/modules/LightRelay.js";
import { RELAY_RULES } from "../../deploy/modules/LightRelay.js";
import {
  bitsToTarget,
  decodeHex,
  difficultyOf,
  headerHash,
  parseHeader,
  workOf,
} from "../../src/bitcoin/headers.js";
import { LightRelay__factory } from "../../types/ethers-contracts/index.js";
import type { FixtureHeader } from "./helpers.js";
import { concatHeaders, deployRelay, headersBetween, mainnetHeaders } from "./helpers.js";

const connection = await network.create();
const { ethers, networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const R554 = mainnetHeaders.retarget554400;
const R741 = mainnetHeaders.retarget741888;
const REORG = mainnetHeaders.reorg437478;

/** Block hash as the relay returns it (bytes32, internal byte order). */
function hashOf(h: FixtureHeader | string): string {
  const bytes = decodeHex(typeof h === "string" ? h : h.hex, "header");
  return `0x${Buffer.from(decodeHex(headerHash(bytes), "hash"))
    .reverse()
    .toString("hex")}`;
}
const bitsOf = (h: FixtureHeader): number => parseHeader(h.hex).bits;
const timeOf = (h: FixtureHeader): number => parseHeader(h.hex).time;
const workAt = (h: FixtureHeader): bigint => workOf(bitsToTarget(bitsOf(h)));
const at = (run: { headers: FixtureHeader[] }, height: number): FixtureHeader =>
  run.headers.find((h) => h.height === height) as FixtureHeader;

/** A copy of `h` with its nonce changed (its proof of work no longer holds). */
function tampered(h: FixtureHeader): FixtureHeader {
  const last = h.hex.slice(-2) === "00" ? "01" : "00";
  return { ...h, hex: h.hex.slice(0, -2) + last };
}

const mainnet = (overrides: Partial<RelayRules> = {}): RelayRules => ({
  ...RELAY_RULES.mainnet,
  ...overrides,
});

async function genesis554Fixture() {
  const relay = await deployRelay(connection, mainnet({ retargetProofLength: 4 }), R554.epochStart);
  const [, , thirdParty] = await ethers.getSigners();
  return { relay, thirdParty };
}

async function retargeted554Fixture() {
  const { relay, thirdParty } = await genesis554Fixture();
  const tx = await relay.connect(thirdParty).retarget(concatHeaders(headersBetween(R554, 554_396, 554_403)));
  return { relay, tx };
}

async function genesis741Fixture() {
  return { relay: await deployRelay(connection, mainnet(), R741.epochStart) };
}

async function retargeted741Fixture() {
  const { relay } = await genesis741Fixture();
  await relay.retarget(concatHeaders(headersBetween(R741, 741_868, 741_907)));
  return { relay };
}

async function reorgFixture() {
  const relay = await deployRelay(connection, mainnet({ retargetProofLength: 5 }), REORG.epochStart);
  await relay.retarget(concatHeaders(headersBetween(REORG, 437_467, 437_476)));
  return { relay };
}

describe("LightRelay (mainnet rules, real mainnet headers)", function () {
  describe("genesis", function () {
    it("records the genesis epoch and emits Genesis", async function () {
      const { relay } = await loadFixture(genesis554Fixture);
      const start = R554.epochStart;
      const [event] = await relay.queryFilter(relay.filters.Genesis());
      expect(event?.args.blockHeight).to.equal(552_384n);
      expect(event?.args.blockHash).to.equal(hashOf(start));
      expect(event?.args.bits).to.equal(BigInt(bitsOf(start)));
      expect(event?.args.timestamp).to.equal(BigInt(timeOf(start)));
      expect(await relay.genesisEpoch()).to.equal(274n);
      expect(await relay.currentEpoch()).to.equal(274n);
      expect(await relay.genesisHeight()).to.equal(552_384n);
      const epoch = await relay.epoch(274);
      expect(epoch.bits).to.equal(0x1731d97cn);
      expect(epoch.timestamp).to.equal(BigInt(timeOf(start)));
      // tBTC's relay test reports the same difficulty for this epoch.
      expect(await relay.getEpochDifficulty(274)).to.equal(5_646_403_851_534n);
      expect(await relay.getRelayRange()).to.deep.equal([552_384n, 552_384n + 2015n]);
      expect(await relay.getPrevEpochDifficulty()).to.equal(0n);
      expect(await relay.rules()).to.deep.equal([0x1d00ffffn, true, false, 6n, 4n]);
    });

    context("when the genesis is not acceptable", function () {
      const deploy = async (rules: RelayRules, header: string, height: number) => {
        const [signer] = await ethers.getSigners();
        return new LightRelay__factory(signer).deploy(rules, header, height);
      };

      it("reverts with RelayGenesisHeight off an epoch start", async function () {
        const factory = new LightRelay__factory((await ethers.getSigners())[0]);
        await expect(deploy(mainnet(), `0x${R554.epochStart.hex}`, 552_385))
          .to.be.revertedWithCustomError(factory, "RelayGenesisHeight")
          .withArgs(552_385n);
      });

      it("reverts with RelayInsufficientProofOfWork for a header that does not meet its target", async function () {
        const factory = new LightRelay__factory((await ethers.getSigners())[0]);
        const bad = tampered(R554.epochStart);
        await expect(deploy(mainnet(), `0x${bad.hex}`, 552_384))
          .to.be.revertedWithCustomError(factory, "RelayInsufficientProofOfWork")
          .withArgs(0n, hashOf(bad), BigInt(bitsOf(bad)));
      });

      it("reverts with RelayGenesisHeaderLength for anything but 80 bytes", async function () {
        const factory = new LightRelay__factory((await ethers.getSigners())[0]);
        await expect(deploy(mainnet(), `0x${R554.epochStart.hex.slice(2)}`, 552_384))
          .to.be.revertedWithCustomError(factory, "RelayGenesisHeaderLength")
          .withArgs(79n);
      });

      it("reverts with RelayInvalidRules for inconsistent rule sets", async function () {
        const factory = new LightRelay__factory((await ethers.getSigners())[0]);
        const genesis = `0x${R554.epochStart.hex}`;
        for (const rules of [
          mainnet({ txProofDifficultyFactor: 0 }),
          mainnet({ retargetProofLength: 0 }),
          mainnet({ retargetProofLength: 2016 }),
          { ...RELAY_RULES.regtest, retargetProofLength: 4 },
          { ...RELAY_RULES.regtest, minDifficultyBlocks: true },
        ]) {
          await expect(deploy(rules, genesis, 552_384)).to.be.revertedWithCustomError(
            factory,
            "RelayInvalidRules",
          );
        }
      });

      it("reverts with RelayGenesisBitsAboveLimit when the header's target is easier than the limit", async function () {
        const factory = new LightRelay__factory((await ethers.getSigners())[0]);
        await expect(deploy(mainnet({ powLimitBits: 0x1731d97c - 1 }), `0x${R554.epochStart.hex}`, 552_384))
          .to.be.revertedWithCustomError(factory, "RelayGenesisBitsAboveLimit")
          .withArgs(0x1731d97cn, BigInt(0x1731d97c - 1));
      });
    });
  });

  describe("retarget", function () {
    it("proves epoch 275 from four headers on each side of 554,400 (any caller) and emits Retarget", async function () {
      const { relay, tx } = await loadFixture(retargeted554Fixture);
      await expect(tx)
        .to.emit(relay, "Retarget")
        .withArgs(275n, 0x1731d97cn, 0x17371ef4n, BigInt(timeOf(at(R554, 554_400))));
      expect(await relay.currentEpoch()).to.equal(275n);
      expect(await relay.getEpochDifficulty(275)).to.equal(5_106_422_924_659n);
      expect(await relay.getCurrentAndPrevEpochDifficulty()).to.deep.equal([
        5_106_422_924_659n,
        5_646_403_851_534n,
      ]);
      expect(await relay.getBlockDifficulty(554_399)).to.equal(5_646_403_851_534n);
      expect(await relay.getBlockDifficulty(554_400)).to.equal(5_106_422_924_659n);
      expect(await relay.getRelayRange()).to.deep.equal([552_384n, 554_400n + 2015n]);
    });

    it("proves epoch 368 from twenty headers on each side of 741,888 (the mainnet proof length)", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      expect(await relay.currentEpoch()).to.equal(368n);
      expect((await relay.epoch(368)).bits).to.equal(0x170984ccn);
      expect(await relay.getEpochWork(368)).to.equal(workAt(at(R741, 741_888)));
      expect(await relay.getEpochDifficulty(368)).to.equal(difficultyOf(bitsToTarget(0x170984cc)));
    });

    context("when the proof is wrong", function () {
      it("reverts with RelayRetargetLength for any other number of headers", async function () {
        const { relay } = await loadFixture(genesis554Fixture);
        const headers = concatHeaders(headersBetween(R554, 554_396, 554_402));
        await expect(relay.retarget(headers))
          .to.be.revertedWithCustomError(relay, "RelayRetargetLength")
          .withArgs(7n * 80n, 8n * 80n);
      });

      it("reverts with RelayUnexpectedBits when the boundary is not in the middle", async function () {
        const { relay } = await loadFixture(genesis554Fixture);
        // One too late: the fourth header (554,400) already carries the new bits.
        await expect(relay.retarget(concatHeaders(headersBetween(R554, 554_397, 554_404))))
          .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
          .withArgs(3n, 0x17371ef4n, 0x1731d97cn);
        // One too early: the fifth header (554,399) still carries the old bits (the bits expected there are computed
        // from 554,398's time, so they differ a little from the real 0x17371ef4).
        await expect(relay.retarget(concatHeaders(headersBetween(R554, 554_395, 554_402))))
          .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
          .withArgs(4n, 0x1731d97cn, anyValue);
      });

      it("reverts with RelayBrokenChain when a header does not build on the one before", async function () {
        const { relay } = await loadFixture(genesis554Fixture);
        const headers = headersBetween(R554, 554_395, 554_403);
        const skipping = [...headers.slice(0, 2), ...headers.slice(3)];
        await expect(relay.retarget(concatHeaders(skipping)))
          .to.be.revertedWithCustomError(relay, "RelayBrokenChain")
          .withArgs(2n, parseHeaderPrev(skipping[2] as FixtureHeader), hashOf(skipping[1] as FixtureHeader));
      });

      it("reverts with RelayInsufficientProofOfWork when a header does not meet its target", async function () {
        const { relay } = await loadFixture(genesis554Fixture);
        const headers = headersBetween(R554, 554_396, 554_403);
        const bad = tampered(headers[5] as FixtureHeader);
        headers[5] = bad;
        await expect(relay.retarget(concatHeaders(headers)))
          .to.be.revertedWithCustomError(relay, "RelayInsufficientProofOfWork")
          .withArgs(5n, hashOf(bad), 0x17371ef4n);
      });

      it("reverts with RelayUnexpectedBits when the epoch was already proven", async function () {
        const { relay } = await loadFixture(retargeted554Fixture);
        await expect(relay.retarget(concatHeaders(headersBetween(R554, 554_396, 554_403))))
          .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
          .withArgs(0n, 0x1731d97cn, 0x17371ef4n);
      });
    });
  });

  describe("validateChain and validateProofWork", function () {
    it("accepts six headers of the current epoch: exactly six blocks of its work", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      const headers = headersBetween(R741, 741_888, 741_893);
      expect(await relay.validateChain(concatHeaders(headers))).to.deep.equal([
        BigInt(timeOf(headers[0] as FixtureHeader)),
        6n,
      ]);
      const w = workAt(at(R741, 741_888));
      expect(await relay.validateProofWork(concatHeaders(headers))).to.deep.equal([
        hashOf(headers[0] as FixtureHeader),
        hashOf(headers[5] as FixtureHeader),
        6n * w,
        6n * w,
      ]);
    });

    it("accepts six headers of the previous epoch", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      const result = await relay.validateProofWork(concatHeaders(headersBetween(R741, 741_882, 741_887)));
      expect(result[2]).to.equal(6n * workAt(at(R741, 741_882)));
    });

    it("reverts with RelayInsufficientWork for five headers", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      const w = workAt(at(R741, 741_888));
      await expect(relay.validateProofWork(concatHeaders(headersBetween(R741, 741_888, 741_892))))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientWork")
        .withArgs(5n * w, 6n * w);
    });

    it("follows a chain across the proven retarget, counting each block at its own target", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      const oldWork = workAt(at(R741, 741_887));
      const newWork = workAt(at(R741, 741_888));
      // Difficulty fell at 741,888: 3 old + 3 new blocks are valid but less than 6 blocks of the first one's epoch…
      const six = concatHeaders(headersBetween(R741, 741_885, 741_890));
      expect((await relay.validateChain(six))[1]).to.equal(6n);
      await expect(relay.validateProofWork(six))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientWork")
        .withArgs(3n * oldWork + 3n * newWork, 6n * oldWork);
      // …and 4 + 4 are enough.
      const eight = await relay.validateProofWork(concatHeaders(headersBetween(R741, 741_884, 741_891)));
      expect(eight[2]).to.equal(4n * oldWork + 4n * newWork);
    });

    it("reverts with RelayUnexpectedBits for a chain into an epoch not proven yet", async function () {
      const { relay } = await loadFixture(genesis741Fixture);
      await expect(relay.validateChain(concatHeaders(headersBetween(R741, 741_888, 741_893))))
        .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
        .withArgs(0n, 0x170984ccn, 0x17094b6an);
      await expect(relay.validateChain(concatHeaders(headersBetween(R741, 741_885, 741_890))))
        .to.be.revertedWithCustomError(relay, "RelayUnexpectedBits")
        .withArgs(3n, 0x170984ccn, 0x17094b6an);
    });

    it("reverts with RelayChainBeforeGenesis for a chain older than the relay", async function () {
      const { relay } = await loadFixture(genesis741Fixture);
      const headers = headersBetween(R554, 554_400, 554_405);
      await expect(relay.validateChain(concatHeaders(headers)))
        .to.be.revertedWithCustomError(relay, "RelayChainBeforeGenesis")
        .withArgs(BigInt(timeOf(headers[0] as FixtureHeader)), BigInt(timeOf(R741.epochStart)));
    });

    it("reverts with RelayBrokenChain, RelayInsufficientProofOfWork and RelayHeadersLength", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      const headers = headersBetween(R741, 741_888, 741_894);
      const gap = [...headers.slice(0, 3), ...headers.slice(4)];
      await expect(relay.validateChain(concatHeaders(gap)))
        .to.be.revertedWithCustomError(relay, "RelayBrokenChain")
        .withArgs(3n, parseHeaderPrev(gap[3] as FixtureHeader), hashOf(gap[2] as FixtureHeader));
      const bad = [...headers];
      bad[2] = tampered(headers[2] as FixtureHeader);
      await expect(relay.validateChain(concatHeaders(bad)))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientProofOfWork")
        .withArgs(2n, hashOf(bad[2]), 0x170984ccn);
      await expect(relay.validateChain(concatHeaders(headers).slice(0, -2)))
        .to.be.revertedWithCustomError(relay, "RelayHeadersLength")
        .withArgs(7n * 80n - 1n);
      await expect(relay.validateChain("0x"))
        .to.be.revertedWithCustomError(relay, "RelayHeadersLength")
        .withArgs(0n);
    });

    it("reports the difficulty of any block in range and refuses outside it", async function () {
      const { relay } = await loadFixture(retargeted741Fixture);
      expect(await relay.getBlockDifficulty(741_887)).to.equal(await relay.getEpochDifficulty(367));
      expect(await relay.getBlockDifficulty(741_900)).to.equal(await relay.getEpochDifficulty(368));
      await expect(relay.getBlockDifficulty(741_888 + 2016))
        .to.be.revertedWithCustomError(relay, "RelayEpochNotProven")
        .withArgs(369n, 368n);
      await expect(relay.getBlockDifficulty(700_000))
        .to.be.revertedWithCustomError(relay, "RelayEpochBeforeGenesis")
        .withArgs(347n, 367n);
    });
  });

  describe("a reorg: the orphaned block 437,478", function () {
    it("accepts the main chain after the retarget at 437,472", async function () {
      const { relay } = await loadFixture(reorgFixture);
      expect(await relay.currentEpoch()).to.equal(217n);
      const result = await relay.validateProofWork(concatHeaders(headersBetween(REORG, 437_472, 437_477)));
      expect(result[0]).to.equal(hashOf(at(REORG, 437_472)));
    });

    it("reverts with RelayBrokenChain when the main chain's 437,479 follows the orphan", async function () {
      const { relay } = await loadFixture(reorgFixture);
      const chain = [at(REORG, 437_477), REORG.orphan, at(REORG, 437_479)];
      await expect(relay.validateChain(concatHeaders(chain)))
        .to.be.revertedWithCustomError(relay, "RelayBrokenChain")
        .withArgs(2n, hashOf(at(REORG, 437_478)), hashOf(REORG.orphan));
    });

    it("reverts with RelayInsufficientWork for a proof confirmed by the orphan: nothing was built on it", async function () {
      const { relay } = await loadFixture(reorgFixture);
      const w = workAt(REORG.orphan);
      expect(await relay.validateChain(concatHeaders([at(REORG, 437_477), REORG.orphan]))).to.deep.equal([
        BigInt(timeOf(at(REORG, 437_477))),
        2n,
      ]);
      await expect(relay.validateProofWork(concatHeaders([REORG.orphan])))
        .to.be.revertedWithCustomError(relay, "RelayInsufficientWork")
        .withArgs(w, 6n * w);
    });
  });
});

/** The previous-block field of a header as the relay reads it (bytes32, internal order). */
function parseHeaderPrev(h: FixtureHeader): string {
  return `0x${h.hex.slice(8, 72)}`;
}
