import { expect } from "chai";
import { network } from "hardhat";

import { ReserveTree, leafHash } from "../../src/oracle/reserve-tree.js";
import { signReserveRound } from "../../src/oracle/signing.js";
import { deployOracleSystem } from "../helpers/oracle.js";

const connection = await network.create();
const { networkHelpers } = connection;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const ALICE_BTC = "bc1qalice0000000000000000000000000000000000";
const ALICE_BTC_2 = "bc1qalice2222222222222222222222222222222222";
const BOB_BTC = "bc1qbob00000000000000000000000000000000000000";
const ONE_ETH = 10n ** 18n;
const RATIO_ONE = 100_000_000n;

/** alice (two addresses, 500,000 sats) and bob (300,000 sats) are synced; no reserve round yet. */
async function syncedFixture() {
  const s = await deployOracleSystem(connection);
  await s.bind(s.alice.address, ALICE_BTC);
  await s.bind(s.alice.address, ALICE_BTC_2);
  await s.bind(s.bob.address, BOB_BTC);
  await s.feeVault.depositETH(s.alice.address, { value: ONE_ETH });
  await s.feeVault.depositETH(s.bob.address, { value: ONE_ETH });
  await s.sync([await s.nextReport(s.alice.address, 500_000n), await s.nextReport(s.bob.address, 300_000n)]);
  const leaves = [
    { user: s.alice.address, btcAddress: ALICE_BTC, sats: 400_000n },
    { user: s.alice.address, btcAddress: ALICE_BTC_2, sats: 100_000n },
    { user: s.bob.address, btcAddress: BOB_BTC, sats: 300_000n },
  ];
  return { ...s, leaves };
}

/** syncedFixture plus round 1 over the leaves. */
async function committedFixture() {
  const s = await syncedFixture();
  const { tree } = await s.commitReserves(s.leaves);
  return { ...s, tree };
}

describe("ProofOfReserves", function () {
  describe("commitRound", function () {
    it("commits a committee-signed round and emits ReservesCommitted", async function () {
      const s = await loadFixture(syncedFixture);
      const tree = new ReserveTree(s.leaves);
      const height = await s.oracle.highestBtcHeight();
      const { tx } = await s.commitReserves(s.leaves, undefined, height);
      await expect(tx)
        .to.emit(s.proofOfReserves, "ReservesCommitted")
        .withArgs(1n, tree.root, 800_000n, height, 800_000n, 0n);
      expect(await s.proofOfReserves.latestRoundId()).to.equal(1n);
      expect(await s.proofOfReserves.merkleRoot()).to.equal(tree.root);
      expect(await s.proofOfReserves.attestedSats()).to.equal(800_000n);
    });

    it("reverts below the committee threshold", async function () {
      const s = await loadFixture(syncedFixture);
      const round = {
        roundId: 1n,
        merkleRoot: ethersZero(),
        attestedSats: 1n,
        btcHeight: 1n,
        deadline: (await s.now()) + 600n,
      };
      const signatures = await signReserveRound(s.proofOfReserves, round, s.operators.slice(0, 1));
      await expect(
        s.proofOfReserves.commitRound(round.merkleRoot, 1n, 1n, round.deadline, signatures),
      ).to.be.revertedWithCustomError(s.proofOfReserves, "ProofOfReservesInsufficientSignatures");
    });

    it("reverts for a signer outside the committee", async function () {
      const s = await loadFixture(syncedFixture);
      const round = {
        roundId: 1n,
        merkleRoot: ethersZero(),
        attestedSats: 1n,
        btcHeight: 1n,
        deadline: (await s.now()) + 600n,
      };
      const outsider = connection.ethers.Wallet.createRandom();
      const signatures = await signReserveRound(s.proofOfReserves, round, [s.operators[0]!, outsider]);
      await expect(
        s.proofOfReserves.commitRound(round.merkleRoot, 1n, 1n, round.deadline, signatures),
      ).to.be.revertedWithCustomError(s.proofOfReserves, "ProofOfReservesBadSigner");
    });

    it("reverts for a replayed round (the signed round id moved on)", async function () {
      const s = await loadFixture(committedFixture);
      const round = await s.proofOfReserves.round(1n);
      const deadline = (await s.now()) + 600n;
      const signed = {
        roundId: 1n,
        merkleRoot: round.merkleRoot,
        attestedSats: round.attestedSats,
        btcHeight: round.btcHeight,
        deadline,
      };
      const signatures = await signReserveRound(s.proofOfReserves, signed, s.operators.slice(0, 2));
      await expect(
        s.proofOfReserves.commitRound(
          round.merkleRoot,
          round.attestedSats,
          round.btcHeight,
          deadline,
          signatures,
        ),
      ).to.be.revertedWithCustomError(s.proofOfReserves, "ProofOfReservesBadSigner");
    });

    it("reverts when the Bitcoin height regresses", async function () {
      const s = await loadFixture(committedFixture);
      const previous = (await s.proofOfReserves.round(1n)).btcHeight;
      await expect(s.commitReserves(s.leaves, undefined, previous - 1n)).to.be.revertedWithCustomError(
        s.proofOfReserves,
        "ProofOfReservesHeightRegressed",
      );
    });
  });

  describe("verify", function () {
    it("accepts every leaf with its proof and matches the TypeScript leaf hash", async function () {
      const s = await loadFixture(committedFixture);
      for (const leaf of s.leaves) {
        const proof = s.tree.proof(leaf) ?? [];
        expect(await s.proofOfReserves.verify(leaf.user, leaf.btcAddress, leaf.sats, proof)).to.equal(true);
        expect(await s.proofOfReserves.leafHash(leaf.user, leaf.btcAddress, leaf.sats)).to.equal(
          leafHash(leaf),
        );
      }
    });

    it("rejects a wrong amount and checks older rounds with verifyAt", async function () {
      const s = await loadFixture(committedFixture);
      const leaf = s.leaves[0]!;
      const proof = s.tree.proof(leaf) ?? [];
      expect(await s.proofOfReserves.verify(leaf.user, leaf.btcAddress, leaf.sats + 1n, proof)).to.equal(
        false,
      );
      await s.commitReserves([{ ...leaf, sats: 1n }]);
      expect(await s.proofOfReserves.verify(leaf.user, leaf.btcAddress, leaf.sats, proof)).to.equal(false);
      expect(await s.proofOfReserves.verifyAt(1n, leaf.user, leaf.btcAddress, leaf.sats, proof)).to.equal(
        true,
      );
    });
  });

  describe("backing", function () {
    it("is fully backed at 100% when attested equals the supply", async function () {
      const s = await loadFixture(committedFixture);
      expect(await s.proofOfReserves.backingRatio()).to.equal(RATIO_ONE);
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(true);
      expect(await s.proofOfReserves.uncoveredSats()).to.equal(0n);
    });

    it("is not fully backed before any round", async function () {
      const s = await loadFixture(syncedFixture);
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(false);
      expect(await s.proofOfReserves.backingRatio()).to.equal(0n);
    });

    it("counts the uncovered wrBTC deficit as a liability", async function () {
      const s = await loadFixture(committedFixture);
      await s.wrbtc.connect(s.alice).wrap(500_000n);
      await s.wrbtc.connect(s.alice).transfer(s.bob.address, 400_000n);
      await s.sync([await s.nextReport(s.alice.address, 0n)]);
      await s.commitReserves([{ user: s.bob.address, btcAddress: BOB_BTC, sats: 300_000n }]);
      expect(await s.proofOfReserves.uncoveredSats()).to.equal(400_000n);
      expect(await s.proofOfReserves.liabilitiesSats()).to.equal(700_000n);
      expect(await s.proofOfReserves.backingRatio()).to.equal((300_000n * RATIO_ONE) / 700_000n);
      expect(await s.proofOfReserves.isFullyBacked()).to.equal(false);
    });
  });

  describe("Chainlink feed", function () {
    it("reports the attested total as the answer, with round history", async function () {
      const s = await loadFixture(committedFixture);
      await s.commitReserves(s.leaves.slice(0, 2));
      expect(await s.proofOfReserves.decimals()).to.equal(8n);
      expect(await s.proofOfReserves.version()).to.equal(1n);
      expect(await s.proofOfReserves.description()).to.contain("ReserveBTC");
      const latest = await s.proofOfReserves.latestRoundData();
      expect(latest.roundId).to.equal(2n);
      expect(latest.answer).to.equal(500_000n);
      expect(latest.answeredInRound).to.equal(2n);
      const first = await s.proofOfReserves.getRoundData(1n);
      expect(first.answer).to.equal(800_000n);
      await expect(s.proofOfReserves.getRoundData(3n))
        .to.be.revertedWithCustomError(s.proofOfReserves, "ProofOfReservesNoRound")
        .withArgs(3n);
    });

    it("lists the bound addresses (inclusive end, clamped)", async function () {
      const s = await loadFixture(committedFixture);
      expect(await s.proofOfReserves.getPoRAddressListLength()).to.equal(3n);
      expect(await s.proofOfReserves.getPoRAddressList(0n, 1n)).to.deep.equal([ALICE_BTC, ALICE_BTC_2]);
      expect(await s.proofOfReserves.getPoRAddressList(1n, 99n)).to.deep.equal([ALICE_BTC_2, BOB_BTC]);
    });
  });

  describe("secure mint (WrBTC.wrap)", function () {
    it("refuses a wrap before the first reserve round", async function () {
      const s = await loadFixture(syncedFixture);
      await expect(s.wrbtc.connect(s.alice).wrap(1n)).to.be.revertedWithCustomError(
        s.wrbtc,
        "WrBTCNotFullyBacked",
      );
    });

    it("allows a wrap while fully backed", async function () {
      const s = await loadFixture(committedFixture);
      await expect(s.wrbtc.connect(s.alice).wrap(100_000n)).to.emit(s.wrbtc, "Wrapped");
    });

    it("refuses a wrap while wrBTC is uncovered", async function () {
      const s = await loadFixture(committedFixture);
      await s.wrbtc.connect(s.alice).wrap(500_000n);
      await s.wrbtc.connect(s.alice).transfer(s.bob.address, 500_000n);
      await s.sync([await s.nextReport(s.alice.address, 0n)]);
      await expect(s.wrbtc.connect(s.bob).wrap(1n)).to.be.revertedWithCustomError(
        s.wrbtc,
        "WrBTCNotFullyBacked",
      );
    });

    it("wires the reserves once", async function () {
      const s = await loadFixture(syncedFixture);
      expect(await s.wrbtc.reserves()).to.equal(await s.proofOfReserves.getAddress());
      await expect(s.wrbtc.setReserves(s.alice.address)).to.be.revertedWithCustomError(
        s.wrbtc,
        "WrBTCAlreadyWired",
      );
    });
  });
});

function ethersZero(): string {
  return "0x" + "00".repeat(32);
}
