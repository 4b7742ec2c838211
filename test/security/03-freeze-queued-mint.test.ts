/**
 * Issue 15, finding 3 (medium): the freeze did not cover the queued mint. `executeQueuedMint` ignored the freeze, so
 * a disputed over-cap mint executed, was wrapped and sold; the upheld dispute then left 1,000,000 wrBTC uncovered.
 * Safe end state: nothing a frozen user holds can grow or leave — the queued mint does not execute and her rBTC cannot
 * be wrapped while the dispute is open; an upheld dispute leaves no uncovered wrBTC.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deployOracleSystem } from "../helpers/oracle.js";
import { ALICE_BTC, BURN_REASON, ONE_ETH, attempt, bindAndSync, openDispute } from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

/** The fixture's mint delay (ORACLE_TEST_PARAMETERS.mintDelaySeconds). */
const MINT_DELAY = 3_600;

/**
 * alice reports 2,000,000 sats: the user cap (1,000,000 per window) mints half and queues the rest. A challenger
 * disputes the total, claiming she holds 1,000,000: alice is frozen with 1,000,000 queued.
 */
async function disputedQueueFixture() {
  const s = await deployOracleSystem(connection);
  await bindAndSync(s, [[s.alice, ALICE_BTC, 2_000_000n]]);
  await s.disputeManager.connect(s.treasury).fundRewards({ value: ONE_ETH });
  await openDispute(s, s.alice.address, 1_000_000n);
  return s;
}

describe("Finding 3: the freeze covers the queued mint", function () {
  context("when a disputed user's over-cap mint is queued", function () {
    it("neither executes nor leaves as wrBTC; the upheld dispute leaves nothing uncovered", async function () {
      const s = await loadFixture(disputedQueueFixture);
      await time.increase(MINT_DELAY + 1);
      // The attack: execute the queued mint (anyone may), wrap everything and sell it to bob.
      await attempt(() => s.oracle.connect(s.stranger).executeQueuedMint(s.alice.address));
      await s.commitReserves();
      await attempt(() => s.wrbtc.connect(s.alice).wrap(2_000_000n));
      await attempt(() => s.wrbtc.connect(s.alice).transfer(s.bob.address, 2_000_000n));
      await s.disputeManager.resolveDispute(1n, true, 1_000_000n);

      expect(await s.wrbtc.uncoveredSats(), "uncovered wrBTC").to.equal(0n);
      expect(await s.wrbtc.totalSupply()).to.equal(await s.rbtc.totalEscrow());
      const state = await s.oracle.userState(s.alice.address);
      expect(state.attestedSats).to.equal(1_000_000n);
      expect(state.queuedSats).to.equal(0n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(1_000_000n);
    });

    it("refuses executeQueuedMint with OracleSyncFrozen", async function () {
      const s = await loadFixture(disputedQueueFixture);
      await time.increase(MINT_DELAY + 1);
      await expect(s.oracle.connect(s.stranger).executeQueuedMint(s.alice.address))
        .to.be.revertedWithCustomError(s.oracle, "OracleSyncFrozen")
        .withArgs(s.alice.address);
      expect((await s.oracle.userState(s.alice.address)).queuedSats).to.equal(1_000_000n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(1_000_000n);
    });

    it("refuses to wrap a frozen user's rBTC with RBTCAccountFrozen", async function () {
      const s = await loadFixture(disputedQueueFixture);
      await s.commitReserves();
      expect(await s.rbtc.isFrozen(s.alice.address)).to.equal(true);
      await expect(s.wrbtc.connect(s.alice).wrap(1_000_000n))
        .to.be.revertedWithCustomError(s.rbtc, "RBTCAccountFrozen")
        .withArgs(s.alice.address);
      expect(await s.wrbtc.balanceOf(s.alice.address)).to.equal(0n);
    });

    it("drops the queued mint on the upheld resolution (PositionReset)", async function () {
      const s = await loadFixture(disputedQueueFixture);
      await expect(s.disputeManager.resolveDispute(1n, true, 1_000_000n))
        .to.emit(s.oracle, "PositionReset")
        .withArgs(s.alice.address, 2_000_000n, 1_000_000n, 1_000_000n, 0n, BURN_REASON.DISPUTE_UPHELD);
      expect(await s.rbtc.isFrozen(s.alice.address)).to.equal(false);
      await time.increase(MINT_DELAY + 1);
      await expect(s.oracle.executeQueuedMint(s.alice.address)).to.be.revertedWithCustomError(
        s.oracle,
        "OracleQueuedMintNotReady",
      );
    });
  });

  context("when the dispute is rejected", function () {
    it("lets the held queued mint execute and the user wrap again (the freeze only held them)", async function () {
      const s = await loadFixture(disputedQueueFixture);
      await s.disputeManager.resolveDispute(1n, false, 0n);
      await time.increase(MINT_DELAY + 1);
      await expect(s.oracle.executeQueuedMint(s.alice.address))
        .to.emit(s.oracle, "QueuedMintExecuted")
        .withArgs(s.alice.address, 1_000_000n);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(2_000_000n);
      await s.commitReserves();
      await expect(s.wrbtc.connect(s.alice).wrap(500_000n))
        .to.emit(s.wrbtc, "Wrapped")
        .withArgs(s.alice.address, 500_000n);
    });
  });
});
