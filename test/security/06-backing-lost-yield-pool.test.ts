/**
 * Issue 15, finding 6 (medium): a BACKING_LOST burn was not an emergency burn for the yield pool. Inside `sync`, an
 * escrow burn whose slash left an uncovered remainder emitted `EmergencyBurn(BACKING_LOST)` but told the balance hook
 * `SYNC`: the holder stayed ACTIVE, and the wrBTC she had staked in the pool (out of `WrBTC.slash`'s reach) kept
 * earning and could be unstaked and sold. Safe end state: the pool removes an uncovered holder (she earns nothing),
 * and her staked wrBTC never leaves the pool while she is uncovered — it retires her deficit instead.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { deploySystemWithYield } from "../../src/deployments.js";
import { deployOracleSystem } from "../helpers/oracle.js";
import {
  ALICE_BTC,
  BOB_BTC,
  BURN_REASON,
  CHANGE,
  HOLDER,
  attempt,
  bindAndSync,
} from "../helpers/security.js";

const connection = await network.create();
const { time } = connection.networkHelpers;
const loadFixture = connection.networkHelpers.loadFixture.bind(connection.networkHelpers);

const HELD_SATS = 500_000n;
const STAKED_SATS = 400_000n;
const THIRTY_DAYS = 30 * 86_400;

/**
 * The system with the YieldScalesPool as the Oracle's balance hook (the real YieldLocal module). alice holds 500,000
 * sats, joined the pool, wrapped everything and staked 400,000 wrBTC in the pool (100,000 wrBTC stay in her wallet);
 * bob holds 500,000 sats of rBTC (outside the pool), so the pool keeps paying after alice's burn.
 */
async function stakedFixture() {
  const s = await deployOracleSystem(connection, {}, deploySystemWithYield);
  const pool = s.yieldPool;
  await bindAndSync(s, [
    [s.alice, ALICE_BTC, HELD_SATS],
    [s.bob, BOB_BTC, HELD_SATS],
  ]);
  await s.commitReserves();
  await pool.connect(s.alice).join();
  await s.wrbtc.connect(s.alice).wrap(HELD_SATS);
  await s.wrbtc.connect(s.alice).approve(await pool.getAddress(), STAKED_SATS);
  await pool.connect(s.alice).stakeWrBTC(STAKED_SATS);
  return { ...s, pool };
}

/** stakedFixture after alice's BTC left: the runner's report burns her escrow; 400,000 wrBTC are uncovered. */
async function backingLostFixture() {
  const s = await stakedFixture();
  await s.sync([await s.nextReport(s.alice.address, 0n)]);
  return s;
}

describe("Finding 6: a BACKING_LOST burn removes the holder from the yield pool", function () {
  context("when a holder's BTC leaves while her wrBTC is staked in the pool", function () {
    it("burns with BACKING_LOST and tells the pool it is an emergency burn", async function () {
      const s = await loadFixture(stakedFixture);
      const tx = await s.sync([await s.nextReport(s.alice.address, 0n)]);
      await expect(tx)
        .to.emit(s.oracle, "EmergencyBurn")
        .withArgs(s.alice.address, HELD_SATS, BURN_REASON.BACKING_LOST);
      await expect(tx)
        .to.emit(s.wrbtc, "Slashed")
        .withArgs(s.alice.address, HELD_SATS, HELD_SATS - STAKED_SATS, STAKED_SATS);
      expect((await s.pool.userStatus(s.alice.address)).state).to.equal(HOLDER.REMOVED);
      await expect(tx).to.emit(s.pool, "HolderRemoved").withArgs(s.alice.address, CHANGE.EMERGENCY_BURN);
    });

    it("pays the uncovered holder nothing more", async function () {
      const s = await loadFixture(backingLostFixture);
      const claimable = await s.pool.claimableOf(s.alice.address);
      await time.increase(THIRTY_DAYS);
      expect(await s.pool.claimableOf(s.alice.address)).to.equal(claimable);
    });

    it("does not let her take the staked wrBTC out and sell it; the stake retires her deficit", async function () {
      const s = await loadFixture(backingLostFixture);
      expect(await s.wrbtc.uncoveredOf(s.alice.address)).to.equal(STAKED_SATS);
      // The attack: unstake (or leave) and sell the wrBTC to bob.
      await attempt(() => s.pool.connect(s.alice).unstakeWrBTC(STAKED_SATS));
      await attempt(() => s.pool.connect(s.alice).leave());
      await attempt(() => s.wrbtc.connect(s.alice).transfer(s.bob.address, STAKED_SATS));
      expect(await s.wrbtc.balanceOf(s.bob.address), "wrBTC sold to bob").to.equal(0n);
      expect(await s.wrbtc.balanceOf(s.alice.address), "wrBTC in alice's wallet").to.equal(0n);
      // Anyone retires the deficit from her stake (a no-op when unstaking already did).
      await attempt(() => s.pool.connect(s.stranger).slashStake(s.alice.address));
      expect(await s.wrbtc.uncoveredOf(s.alice.address)).to.equal(0n);
      expect(await s.wrbtc.uncoveredSats()).to.equal(0n);
      expect(await s.wrbtc.totalSupply()).to.equal(await s.rbtc.totalEscrow());
      expect((await s.pool.userStatus(s.alice.address)).stakedSats).to.equal(0n);
    });

    it("retires the deficit from the stake on slashStake (anyone may call)", async function () {
      const s = await loadFixture(backingLostFixture);
      const tx = s.pool.connect(s.stranger).slashStake(s.alice.address);
      await expect(tx).to.emit(s.pool, "StakeSlashed").withArgs(s.alice.address, STAKED_SATS);
      await expect(tx)
        .to.emit(s.wrbtc, "UncoveredRetired")
        .withArgs(await s.pool.getAddress(), s.alice.address, STAKED_SATS);
      expect(await s.wrbtc.uncoveredSats()).to.equal(0n);
      expect(await s.wrbtc.balanceOf(await s.pool.getAddress())).to.equal(0n);
    });

    it("refuses to let the uncovered holder join again (YieldUncoveredHolder)", async function () {
      const s = await loadFixture(backingLostFixture);
      await expect(s.pool.connect(s.alice).join())
        .to.be.revertedWithCustomError(s.pool, "YieldUncoveredHolder")
        .withArgs(s.alice.address, STAKED_SATS);
    });
  });
});
