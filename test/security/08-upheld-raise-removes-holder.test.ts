/**
 * Issue 15, finding 8 (low): an upheld dispute that raised a balance removed the holder from the pool.
 * `applyDisputeResolution` always notified DISPUTE_UPHELD and the pool removes on every non-SYNC reason, resetting the
 * holder's loyalty tier. Safe end state: a raising resolution updates the holder's position (SYNC) and keeps her tier
 * and participation clock; only a lowering resolution removes her.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deploySystemWithYield } from "../../src/deployments.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import { ALICE_BTC, CHANGE, HOLDER, ONE_ETH, TIER, bindAndSync, openDispute } from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

/** Continuous participation that earns Silver (YieldScalesPool.SILVER_AFTER_SECONDS = 180 days) and a day more. */
const SILVER_AND_A_DAY = 181 * 86_400;

/**
 * alice joined the pool 181 days ago (Silver earned and applied by a claim) holding 500,000 sats; the runner just
 * reported her at 600,000 (so a dispute window is open). Her total is disputed — a challenger claims 900,000.
 */
async function silverDisputedFixture() {
  const s = await deployOracleSystem(connection, {}, deploySystemWithYield);
  const pool = s.yieldPool;
  await bindAndSync(s, [[s.alice, ALICE_BTC, 500_000n]]);
  await pool.connect(s.alice).join();
  await time.increase(SILVER_AND_A_DAY);
  await pool.connect(s.alice).claim();
  await s.sync([await s.nextReport(s.alice.address, 600_000n)]);
  await s.disputeManager.connect(s.treasury).fundRewards({ value: ONE_ETH });
  await openDispute(s, s.alice.address, 900_000n);
  return { ...s, pool };
}

describe("Finding 8: an upheld dispute that raises a balance keeps the holder in the pool", function () {
  context("when the resolution raises the holder's total", function () {
    it("updates her position and keeps her Silver tier and participation clock", async function () {
      const s = await loadFixture(silverDisputedFixture);
      const before = await s.pool.userStatus(s.alice.address);
      expect(before.tier).to.equal(TIER.SILVER);
      const tx = await s.disputeManager.resolveDispute(1n, true, 900_000n);

      const after = await s.pool.userStatus(s.alice.address);
      expect(after.state).to.equal(HOLDER.ACTIVE);
      expect(after.tier).to.equal(TIER.SILVER);
      expect(after.sinceTimestamp).to.equal(before.sinceTimestamp);
      expect(after.backedSats).to.equal(900_000n);
      await expect(tx).to.emit(s.pool, "HolderPositionUpdated").withArgs(s.alice.address, 900_000n);
      await expect(tx).not.to.emit(s.pool, "HolderRemoved");
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(900_000n);
    });
  });

  context("when the resolution lowers the holder's total", function () {
    it("removes her from the pool (DISPUTE_UPHELD)", async function () {
      const s = await loadFixture(silverDisputedFixture);
      await expect(s.disputeManager.resolveDispute(1n, true, 200_000n))
        .to.emit(s.pool, "HolderRemoved")
        .withArgs(s.alice.address, CHANGE.DISPUTE_UPHELD);
      expect((await s.pool.userStatus(s.alice.address)).state).to.equal(HOLDER.REMOVED);
      expect(await s.rbtc.totalBackedOf(s.alice.address)).to.equal(200_000n);
    });
  });
});
