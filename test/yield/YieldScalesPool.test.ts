import { expect } from "chai";
import { MaxUint256, ZeroAddress, id } from "ethers";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { ADMIN_TRANSFER_DELAY, DEFAULT_ADMIN_ROLE, deployLedger } from "../helpers/ledger.js";

const { ethers, networkHelpers } = await network.create();
const { time } = networkHelpers;
const loadFixture = networkHelpers.loadFixture.bind(networkHelpers);

const YIELD_ADMIN_ROLE = id("YIELD_ADMIN_ROLE");
const BPS = 10_000n;
const WAD = 10n ** 18n;
const YEAR = 31_536_000n;
const DAY = 86_400n;
const HOLDER_DIVISOR = BPS * WAD;

/** 5% APR base. */
const BASE_RATE_BPS = 500n;
/** 1 sat = 1e15 reward units (18-decimal $1 token, 1 BTC = $100,000). */
const SAT_PRICE_WAD = 10n ** 33n;
/** 1 liquidity unit = 1 reward unit. */
const LIQUIDITY_PRICE_WAD = WAD;
/** 1,000,000 reward tokens. */
const RESERVE = 1_000_000n * WAD;
const ONE_BTC = 100_000_000n;

const REASON = { SYNC: 0, EMERGENCY_BURN: 1, DISPUTE_UPHELD: 2 } as const;
const TIER = { NONE: 0n, BRONZE: 1n, SILVER: 2n, GOLD: 3n } as const;
const STATE = { NONE: 0n, ACTIVE: 1n, REMOVED: 2n } as const;
const MULTIPLIER = { 1: 11_000n, 2: 12_500n, 3: 15_000n } as const;

/** Index growth over `seconds` at the given scale and price (the contract's mulDiv, floor). */
function indexDelta(
  seconds: bigint,
  priceWad: bigint,
  supply = 1n,
  peak = 1n,
  baseBps = BASE_RATE_BPS,
): bigint {
  return (baseBps * supply * seconds * priceWad) / (peak * BPS * YEAR);
}

/** Reward of a holder weight over an index growth starting from index 0 (floor). */
function holderReward(sats: bigint, multiplierBps: bigint, delta: bigint): bigint {
  return (sats * multiplierBps * delta) / HOLDER_DIVISOR;
}

async function timestampOf(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  if (!receipt) throw new Error("no receipt");
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  if (!block) throw new Error("no block");
  return BigInt(block.timestamp);
}

/**
 * The pool against the real token contracts, with an EOA (signer 9) standing in for the Oracle: it mints rBTC and
 * calls the balance hook the way the Oracle does. Signers: 0 admin, 1 alice, 2 bob, 3 carol, 7 stranger, 9 oracle.
 */
async function poolFixture() {
  const ledger = await deployLedger(ethers);
  const stable = await ethers.deployContract("MockStable");
  const pool = await ethers.deployContract("YieldScalesPool", [
    ledger.admin.address,
    await ledger.rbtc.getAddress(),
    await ledger.wrbtc.getAddress(),
    ledger.oracle.address,
    await stable.getAddress(),
    await stable.getAddress(),
    BASE_RATE_BPS,
    SAT_PRICE_WAD,
    LIQUIDITY_PRICE_WAD,
  ]);
  for (const account of [ledger.admin, ledger.alice, ledger.bob, ledger.carol, ledger.stranger]) {
    await stable.mint(account.address, 10n * RESERVE);
    await stable.connect(account).approve(await pool.getAddress(), MaxUint256);
    await ledger.wrbtc.connect(account).approve(await pool.getAddress(), MaxUint256);
  }

  /** Oracle stand-in: mint (or burn) to `sats` backed, then call the hook. */
  const syncTo = async (user: string, sats: bigint, reason: number = REASON.SYNC) => {
    const backed = await ledger.rbtc.totalBackedOf(user);
    if (sats > backed) await ledger.rbtc.connect(ledger.oracle).mint(user, sats - backed);
    if (sats < backed) await ledger.rbtc.connect(ledger.oracle).burn(user, backed - sats);
    return pool.connect(ledger.oracle).onBalanceChanged(user, sats, reason);
  };
  return { ...ledger, stable, pool, syncTo };
}

/** The reserve holds RESERVE reward units. */
async function fundedFixture() {
  const f = await poolFixture();
  await f.pool.connect(f.admin).fundRewards(RESERVE);
  return f;
}

/** alice holds 1 BTC of rBTC and joined (Bronze); the reserve is funded. */
async function holderFixture() {
  const f = await fundedFixture();
  await f.syncTo(f.alice.address, ONE_BTC);
  const joinTx = await f.pool.connect(f.alice).join();
  return { ...f, joinedAt: await timestampOf(joinTx) };
}

/** Like holderFixture, but the reserve holds only 1 reward token (≈ 1.6 hours of alice's yield). */
async function smallReserveFixture() {
  const f = await poolFixture();
  await f.pool.connect(f.admin).fundRewards(WAD);
  await f.syncTo(f.alice.address, ONE_BTC);
  const joinTx = await f.pool.connect(f.alice).join();
  return { ...f, joinedAt: await timestampOf(joinTx) };
}

describe("YieldScalesPool", function () {
  describe("constructor", function () {
    it("wires the tokens and the oracle and grants the roles with the admin delay", async function () {
      const { pool, rbtc, wrbtc, stable, oracle, admin } = await loadFixture(poolFixture);
      expect(await pool.rbtc()).to.equal(await rbtc.getAddress());
      expect(await pool.wrbtc()).to.equal(await wrbtc.getAddress());
      expect(await pool.rewardToken()).to.equal(await stable.getAddress());
      expect(await pool.liquidityToken()).to.equal(await stable.getAddress());
      expect(await pool.oracle()).to.equal(oracle.address);
      expect(await pool.hasRole(DEFAULT_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await pool.hasRole(YIELD_ADMIN_ROLE, admin.address)).to.equal(true);
      expect(await pool.defaultAdminDelay()).to.equal(ADMIN_TRANSFER_DELAY);
      expect(await pool.MAX_BASE_RATE_BPS()).to.equal(1_333n);
    });

    it("reverts on a zero address", async function () {
      const { pool, rbtc, wrbtc, stable, oracle, admin } = await loadFixture(poolFixture);
      const args = [
        admin.address,
        await rbtc.getAddress(),
        await wrbtc.getAddress(),
        oracle.address,
        await stable.getAddress(),
        await stable.getAddress(),
      ];
      for (let i = 1; i < args.length; i++) {
        const bad = [...args];
        bad[i] = ZeroAddress;
        await expect(
          ethers.deployContract("YieldScalesPool", [
            ...bad,
            BASE_RATE_BPS,
            SAT_PRICE_WAD,
            LIQUIDITY_PRICE_WAD,
          ]),
        ).to.be.revertedWithCustomError(pool, "YieldZeroAddress");
      }
    });

    it("reverts on a base rate above the bound and on prices out of bounds", async function () {
      const { pool, rbtc, wrbtc, stable, oracle, admin } = await loadFixture(poolFixture);
      const base = [
        admin.address,
        await rbtc.getAddress(),
        await wrbtc.getAddress(),
        oracle.address,
        await stable.getAddress(),
        await stable.getAddress(),
      ];
      await expect(ethers.deployContract("YieldScalesPool", [...base, 1_334n, SAT_PRICE_WAD, WAD]))
        .to.be.revertedWithCustomError(pool, "YieldBaseRateTooHigh")
        .withArgs(1_334n, 1_333n);
      await expect(ethers.deployContract("YieldScalesPool", [...base, 500n, 10n ** 36n + 1n, WAD]))
        .to.be.revertedWithCustomError(pool, "YieldPriceOutOfBounds")
        .withArgs(10n ** 36n + 1n);
      await expect(ethers.deployContract("YieldScalesPool", [...base, 500n, SAT_PRICE_WAD, 10n ** 9n - 1n]))
        .to.be.revertedWithCustomError(pool, "YieldPriceOutOfBounds")
        .withArgs(10n ** 9n - 1n);
    });

    it("starts with no supply: scale and rate are zero", async function () {
      const { pool } = await loadFixture(fundedFixture);
      expect(await pool.scaleWad()).to.equal(0n);
      expect(await pool.currentRateBps()).to.equal(0n);
      const status = await pool.poolStatus();
      expect(status.holders).to.equal(0n);
      expect(status.rewardReserve).to.equal(RESERVE);
    });
  });

  describe("onBalanceChanged", function () {
    context("when the caller is not the oracle", function () {
      it("reverts with YieldUnauthorizedOracle", async function () {
        const { pool, stranger, alice } = await loadFixture(holderFixture);
        await expect(pool.connect(stranger).onBalanceChanged(alice.address, 1n, REASON.SYNC))
          .to.be.revertedWithCustomError(pool, "YieldUnauthorizedOracle")
          .withArgs(stranger.address);
      });
    });

    context("when the user does not participate", function () {
      it("returns early without events or state changes", async function () {
        const { pool, oracle, bob, rbtc } = await loadFixture(holderFixture);
        await rbtc.connect(oracle).mint(bob.address, ONE_BTC);
        const tx = await pool.connect(oracle).onBalanceChanged(bob.address, ONE_BTC, REASON.SYNC);
        const receipt = await tx.wait();
        expect(receipt?.logs.length).to.equal(0);
        expect((await pool.userStatus(bob.address)).state).to.equal(STATE.NONE);
        expect((await pool.poolStatus()).supplySats).to.equal(ONE_BTC); // observed at the next participant action
      });
    });

    context("when a participant syncs", function () {
      it("updates the position and the scale from that moment", async function () {
        const { pool, alice, bob, rbtc, oracle, syncTo } = await loadFixture(holderFixture);
        await expect(syncTo(alice.address, 2n * ONE_BTC))
          .to.emit(pool, "HolderPositionUpdated")
          .withArgs(alice.address, 2n * ONE_BTC);
        const status = await pool.poolStatus();
        expect(status.supplySats).to.equal(2n * ONE_BTC);
        expect(status.peakSupplySats).to.equal(2n * ONE_BTC);
        // The hook observes the supply silently; other actions announce a change.
        await rbtc.connect(oracle).mint(bob.address, ONE_BTC);
        await expect(pool.poke(ZeroAddress))
          .to.emit(pool, "ScaleUpdated")
          .withArgs(3n * ONE_BTC, 3n * ONE_BTC);
        const user = await pool.userStatus(alice.address);
        expect(user.backedSats).to.equal(2n * ONE_BTC);
        expect((await pool.poolStatus()).totalHolderWeight).to.equal(2n * ONE_BTC * MULTIPLIER[1]);
      });

      it("accrues the old weight up to the sync and the new weight after it", async function () {
        const { pool, alice, syncTo, joinedAt } = await loadFixture(holderFixture);
        await time.setNextBlockTimestamp(joinedAt + 1_000n);
        await syncTo(alice.address, 2n * ONE_BTC); // the mint block is joinedAt + 1,000 too? no: mint is one block
        const syncedAt = BigInt(await time.latest());
        await time.setNextBlockTimestamp(syncedAt + 1_000n);
        await pool.connect(alice).poke(alice.address);
        // Index over [joinedAt, syncedAt] at supply 1 BTC, then [syncedAt, +1000] at 2 BTC weight, scale 1.
        const first = indexDelta(syncedAt - joinedAt, SAT_PRICE_WAD);
        const second = indexDelta(1_000n, SAT_PRICE_WAD);
        const expected =
          holderReward(ONE_BTC, MULTIPLIER[1], first) +
          (2n * ONE_BTC * MULTIPLIER[1] * (first + second)) / HOLDER_DIVISOR -
          (2n * ONE_BTC * MULTIPLIER[1] * first + HOLDER_DIVISOR - 1n) / HOLDER_DIVISOR;
        expect(await pool.claimableOf(alice.address)).to.equal(expected);
      });
    });

    for (const [name, reason] of [
      ["EMERGENCY_BURN", REASON.EMERGENCY_BURN],
      ["DISPUTE_UPHELD", REASON.DISPUTE_UPHELD],
    ] as const) {
      context(`when the reason is ${name}`, function () {
        it("removes the holder, who stops accruing from that block", async function () {
          const { pool, alice, syncTo } = await loadFixture(holderFixture);
          await time.increase(1_000);
          await expect(syncTo(alice.address, 0n, reason))
            .to.emit(pool, "HolderRemoved")
            .withArgs(alice.address, reason);
          const accrued = await pool.claimableOf(alice.address);
          expect(accrued).to.be.greaterThan(0n);
          await time.increase(100_000);
          expect(await pool.claimableOf(alice.address)).to.equal(accrued);
          const user = await pool.userStatus(alice.address);
          expect(user.state).to.equal(STATE.REMOVED);
          expect(user.rateBps).to.equal(0n);
          const status = await pool.poolStatus();
          expect(status.holders).to.equal(0n);
          expect(status.totalHolderWeight).to.equal(0n);
        });

        it("ignores later syncs until the holder joins again", async function () {
          const { pool, alice, syncTo } = await loadFixture(holderFixture);
          await syncTo(alice.address, 0n, reason);
          const tx = await syncTo(alice.address, ONE_BTC);
          expect((await tx.wait())?.logs.length).to.equal(0);
          expect((await pool.userStatus(alice.address)).state).to.equal(STATE.REMOVED);
          await expect(pool.connect(alice).join()).to.emit(pool, "Joined").withArgs(alice.address, ONE_BTC);
          const user = await pool.userStatus(alice.address);
          expect(user.state).to.equal(STATE.ACTIVE);
          expect(user.tier).to.equal(TIER.BRONZE);
        });

        it("keeps what was accrued claimable", async function () {
          const { pool, alice, stable, syncTo } = await loadFixture(holderFixture);
          await time.increase(1_000);
          await syncTo(alice.address, 0n, reason);
          const accrued = await pool.claimableOf(alice.address);
          await expect(pool.connect(alice).claim()).to.changeTokenBalances(
            ethers,
            stable,
            [alice, pool],
            [accrued, -accrued],
          );
        });
      });
    }
  });

  describe("join", function () {
    it("opts in at Bronze with the current rBTC position", async function () {
      const { pool, alice, bob, syncTo } = await loadFixture(fundedFixture);
      await syncTo(alice.address, ONE_BTC);
      await expect(pool.connect(alice).join()).to.emit(pool, "Joined").withArgs(alice.address, ONE_BTC);
      await pool.connect(bob).join(); // with no rBTC: weight 0, may stake wrBTC later
      const user = await pool.userStatus(alice.address);
      expect(user.state).to.equal(STATE.ACTIVE);
      expect(user.tier).to.equal(TIER.BRONZE);
      expect(user.backedSats).to.equal(ONE_BTC);
      expect((await pool.poolStatus()).holders).to.equal(2n);
      expect(await pool.holderRateBps(alice.address)).to.equal((BASE_RATE_BPS * MULTIPLIER[1]) / BPS);
    });

    it("reverts when already joined", async function () {
      const { pool, alice } = await loadFixture(holderFixture);
      await expect(pool.connect(alice).join())
        .to.be.revertedWithCustomError(pool, "YieldAlreadyJoined")
        .withArgs(alice.address);
    });

    it("reverts while paused", async function () {
      const { pool, admin, bob } = await loadFixture(holderFixture);
      await pool.connect(admin).pause();
      await expect(pool.connect(bob).join()).to.be.revertedWithCustomError(pool, "EnforcedPause");
    });

    it("accrues at base × scale × Bronze: 5.5% of the position's value per year", async function () {
      const { pool, alice, joinedAt } = await loadFixture(holderFixture);
      await time.setNextBlockTimestamp(joinedAt + YEAR);
      await pool.poke(ZeroAddress); // advances the index only
      const expected = holderReward(ONE_BTC, MULTIPLIER[1], indexDelta(YEAR, SAT_PRICE_WAD));
      expect(await pool.claimableOf(alice.address)).to.equal(expected);
      // 1 BTC = 1e23 reward units; 5.5% of it, within rounding.
      expect(expected).to.be.closeTo((ONE_BTC * 10n ** 15n * 550n) / BPS, 10n ** 6n);
    });
  });

  describe("rate and scale", function () {
    it("scales with supply ÷ peak and keeps the peak", async function () {
      const { pool, alice, bob, syncTo } = await loadFixture(holderFixture);
      await syncTo(bob.address, ONE_BTC); // bob does not participate: observed at the next interaction
      await pool.poke(alice.address);
      expect((await pool.poolStatus()).peakSupplySats).to.equal(2n * ONE_BTC);
      expect(await pool.currentRateBps()).to.equal(BASE_RATE_BPS);
      await syncTo(bob.address, 0n);
      await pool.poke(alice.address);
      const status = await pool.poolStatus();
      expect(status.supplySats).to.equal(ONE_BTC);
      expect(status.peakSupplySats).to.equal(2n * ONE_BTC);
      expect(await pool.scaleWad()).to.equal(WAD / 2n);
      expect(await pool.currentRateBps()).to.equal(BASE_RATE_BPS / 2n);
    });

    it("applies a scale change from the moment it is observed", async function () {
      const { pool, alice, bob, syncTo } = await loadFixture(holderFixture);
      await syncTo(bob.address, ONE_BTC);
      await pool.poke(ZeroAddress); // peak 2 BTC from here
      await syncTo(bob.address, 0n);
      const t0 = BigInt(await time.latest()) + 1n;
      await time.setNextBlockTimestamp(t0);
      await pool.poke(ZeroAddress); // observes supply 1 BTC: scale 0.5 from t0
      const before = await pool.claimableOf(alice.address);
      await time.setNextBlockTimestamp(t0 + 10_000n);
      await pool.poke(ZeroAddress);
      const gained = (await pool.claimableOf(alice.address)) - before;
      const delta = indexDelta(10_000n, SAT_PRICE_WAD, 1n, 2n);
      expect(gained).to.be.closeTo(holderReward(ONE_BTC, MULTIPLIER[1], delta), 1n);
    });

    it("never exceeds 20% APR (Gold at the highest base rate and full scale)", async function () {
      const { pool, admin } = await loadFixture(holderFixture);
      await pool.connect(admin).setBaseRate(1_333);
      expect((BigInt(await pool.currentRateBps()) * MULTIPLIER[3]) / BPS).to.be.lessThanOrEqual(2_000n);
    });
  });

  describe("loyalty tiers", function () {
    it("upgrades to Silver after 180 days and Gold after 365 days, at the next interaction", async function () {
      const { pool, alice, joinedAt } = await loadFixture(holderFixture);
      await time.increaseTo(joinedAt + 180n * DAY);
      let user = await pool.userStatus(alice.address);
      expect(user.tier).to.equal(TIER.BRONZE);
      expect(user.earnedTier).to.equal(TIER.SILVER);
      await expect(pool.poke(alice.address))
        .to.emit(pool, "TierUpgraded")
        .withArgs(alice.address, TIER.SILVER);
      expect(await pool.holderRateBps(alice.address)).to.equal((BASE_RATE_BPS * MULTIPLIER[2]) / BPS);
      await time.increaseTo(joinedAt + 365n * DAY);
      await expect(pool.poke(alice.address)).to.emit(pool, "TierUpgraded").withArgs(alice.address, TIER.GOLD);
      user = await pool.userStatus(alice.address);
      expect(user.tier).to.equal(TIER.GOLD);
      expect(user.rateBps).to.equal((BASE_RATE_BPS * MULTIPLIER[3]) / BPS);
    });

    it("pays the lower multiplier until the upgrade is applied (never over-pays)", async function () {
      const { pool, alice, joinedAt } = await loadFixture(holderFixture);
      await time.setNextBlockTimestamp(joinedAt + 200n * DAY);
      await pool.poke(ZeroAddress);
      const bronzeOnly = holderReward(ONE_BTC, MULTIPLIER[1], indexDelta(200n * DAY, SAT_PRICE_WAD));
      expect(await pool.claimableOf(alice.address)).to.equal(bronzeOnly);
    });

    it("applies the upgrade on claim", async function () {
      const { pool, alice, joinedAt } = await loadFixture(holderFixture);
      await time.increaseTo(joinedAt + 365n * DAY);
      await expect(pool.connect(alice).claim())
        .to.emit(pool, "TierUpgraded")
        .withArgs(alice.address, TIER.GOLD);
    });

    it("restarts at Bronze after leaving and joining again", async function () {
      const { pool, alice, joinedAt } = await loadFixture(holderFixture);
      await time.increaseTo(joinedAt + 365n * DAY);
      await pool.connect(alice).leave();
      await pool.connect(alice).join();
      expect((await pool.userStatus(alice.address)).earnedTier).to.equal(TIER.BRONZE);
    });
  });

  describe("stakeWrBTC / unstakeWrBTC", function () {
    it("holds the staked wrBTC and counts it in the holder weight", async function () {
      const { pool, alice, wrbtc } = await loadFixture(holderFixture);
      await wrbtc.connect(alice).wrap(40_000_000n);
      const tx = pool.connect(alice).stakeWrBTC(40_000_000n);
      await expect(tx).to.emit(pool, "Staked").withArgs(alice.address, 40_000_000n);
      await expect(tx).to.changeTokenBalances(ethers, wrbtc, [alice, pool], [-40_000_000n, 40_000_000n]);
      const status = await pool.poolStatus();
      expect(status.totalStakedSats).to.equal(40_000_000n);
      expect(status.totalHolderWeight).to.equal((ONE_BTC + 40_000_000n) * MULTIPLIER[1]);
      expect((await pool.userStatus(alice.address)).stakedSats).to.equal(40_000_000n);
    });

    it("returns the stake on unstake", async function () {
      const { pool, alice, wrbtc } = await loadFixture(holderFixture);
      await wrbtc.connect(alice).wrap(40_000_000n);
      await pool.connect(alice).stakeWrBTC(40_000_000n);
      const tx = pool.connect(alice).unstakeWrBTC(15_000_000n);
      await expect(tx).to.emit(pool, "Unstaked").withArgs(alice.address, 15_000_000n);
      await expect(tx).to.changeTokenBalances(ethers, wrbtc, [alice, pool], [15_000_000n, -15_000_000n]);
      expect((await pool.poolStatus()).totalStakedSats).to.equal(25_000_000n);
    });

    it("reverts on zero, when not joined and beyond the stake", async function () {
      const { pool, alice, bob } = await loadFixture(holderFixture);
      await expect(pool.connect(alice).stakeWrBTC(0n)).to.be.revertedWithCustomError(pool, "YieldZeroAmount");
      await expect(pool.connect(alice).unstakeWrBTC(0n)).to.be.revertedWithCustomError(
        pool,
        "YieldZeroAmount",
      );
      await expect(pool.connect(bob).stakeWrBTC(1n))
        .to.be.revertedWithCustomError(pool, "YieldNotJoined")
        .withArgs(bob.address);
      await expect(pool.connect(alice).unstakeWrBTC(1n))
        .to.be.revertedWithCustomError(pool, "YieldInsufficientStake")
        .withArgs(alice.address, 0n, 1n);
    });

    it("lets a removed holder unstake", async function () {
      const { pool, alice, wrbtc, syncTo } = await loadFixture(holderFixture);
      await wrbtc.connect(alice).wrap(10_000_000n);
      await pool.connect(alice).stakeWrBTC(10_000_000n);
      await syncTo(alice.address, 90_000_000n, REASON.EMERGENCY_BURN);
      await expect(pool.connect(alice).unstakeWrBTC(10_000_000n)).to.changeTokenBalances(
        ethers,
        wrbtc,
        [alice],
        [10_000_000n],
      );
    });
  });

  describe("depositLiquidity / withdrawLiquidity", function () {
    it("holds the deposit and accrues base × scale on its value", async function () {
      const { pool, bob, stable } = await loadFixture(holderFixture);
      const amount = 1_000n * WAD;
      const tx = pool.connect(bob).depositLiquidity(amount);
      await expect(tx).to.emit(pool, "LiquidityDeposited").withArgs(bob.address, amount);
      await expect(tx).to.changeTokenBalances(ethers, stable, [bob, pool], [-amount, amount]);
      const t0 = await timestampOf(await tx);
      await time.setNextBlockTimestamp(t0 + YEAR);
      await pool.poke(ZeroAddress);
      const expected = (amount * indexDelta(YEAR, LIQUIDITY_PRICE_WAD)) / WAD;
      expect(await pool.claimableOf(bob.address)).to.be.closeTo(expected, 1n);
      expect(expected).to.be.closeTo((amount * BASE_RATE_BPS) / BPS, 10n ** 6n);
      expect((await pool.poolStatus()).liquidityProviders).to.equal(1n);
    });

    it("returns the deposit on withdraw", async function () {
      const { pool, bob, stable } = await loadFixture(holderFixture);
      await pool.connect(bob).depositLiquidity(1_000n);
      const tx = pool.connect(bob).withdrawLiquidity(400n);
      await expect(tx).to.emit(pool, "LiquidityWithdrawn").withArgs(bob.address, 400n);
      await expect(tx).to.changeTokenBalances(ethers, stable, [bob, pool], [400n, -400n]);
      await pool.connect(bob).withdrawLiquidity(600n);
      const status = await pool.poolStatus();
      expect(status.totalLiquidity).to.equal(0n);
      expect(status.liquidityProviders).to.equal(0n);
    });

    it("reverts on zero, beyond the deposit, and deposits while paused", async function () {
      const { pool, bob, admin } = await loadFixture(holderFixture);
      await expect(pool.connect(bob).depositLiquidity(0n)).to.be.revertedWithCustomError(
        pool,
        "YieldZeroAmount",
      );
      await expect(pool.connect(bob).withdrawLiquidity(0n)).to.be.revertedWithCustomError(
        pool,
        "YieldZeroAmount",
      );
      await expect(pool.connect(bob).withdrawLiquidity(1n))
        .to.be.revertedWithCustomError(pool, "YieldInsufficientLiquidity")
        .withArgs(bob.address, 0n, 1n);
      await pool.connect(admin).pause();
      await expect(pool.connect(bob).depositLiquidity(1n)).to.be.revertedWithCustomError(
        pool,
        "EnforcedPause",
      );
    });

    it("keeps liquidity and the reward reserve apart when they are the same token", async function () {
      const { pool, bob } = await loadFixture(smallReserveFixture);
      await pool.connect(bob).depositLiquidity(1_000n * WAD);
      await time.increase(365n * DAY);
      expect(await pool.claimableOf(bob.address)).to.be.lessThanOrEqual(WAD);
      await pool.connect(bob).withdrawLiquidity(1_000n * WAD);
    });
  });

  describe("fundRewards", function () {
    it("moves the reward tokens into the reserve", async function () {
      const { pool, stranger, stable } = await loadFixture(holderFixture);
      const tx = pool.connect(stranger).fundRewards(5n * WAD);
      await expect(tx)
        .to.emit(pool, "RewardsFunded")
        .withArgs(stranger.address, 5n * WAD);
      await expect(tx).to.changeTokenBalances(ethers, stable, [stranger, pool], [-5n * WAD, 5n * WAD]);
      expect((await pool.poolStatus()).rewardReserve).to.equal(RESERVE + 5n * WAD);
    });

    it("reverts on zero", async function () {
      const { pool, stranger } = await loadFixture(holderFixture);
      await expect(pool.connect(stranger).fundRewards(0n)).to.be.revertedWithCustomError(
        pool,
        "YieldZeroAmount",
      );
    });
  });

  describe("claim", function () {
    it("transfers the accrued reward tokens and records the lifetime total", async function () {
      const { pool, alice, stable, joinedAt } = await loadFixture(holderFixture);
      await time.setNextBlockTimestamp(joinedAt + 30n * DAY);
      const expected = holderReward(ONE_BTC, MULTIPLIER[1], indexDelta(30n * DAY, SAT_PRICE_WAD));
      const tx = pool.connect(alice).claim();
      await expect(tx).to.emit(pool, "Claimed").withArgs(alice.address, expected);
      await expect(tx).to.changeTokenBalances(ethers, stable, [alice, pool], [expected, -expected]);
      expect(await pool.claimedOf(alice.address)).to.equal(expected);
      expect(await pool.claimableOf(alice.address)).to.equal(0n);
      const status = await pool.poolStatus();
      expect(status.rewardReserve).to.equal(RESERVE - expected);
      const user = await pool.userStatus(alice.address);
      expect(user.claimed).to.equal(expected);
    });

    it("pays the same total whether claimed twice or once (within rounding, pool-favouring)", async function () {
      const { pool, alice, joinedAt } = await loadFixture(holderFixture);
      await time.setNextBlockTimestamp(joinedAt + 10n * DAY);
      await pool.connect(alice).claim();
      await time.setNextBlockTimestamp(joinedAt + 20n * DAY);
      await pool.connect(alice).claim();
      const once = holderReward(ONE_BTC, MULTIPLIER[1], indexDelta(20n * DAY, SAT_PRICE_WAD));
      const total = await pool.claimedOf(alice.address);
      expect(total).to.be.lessThanOrEqual(once);
      expect(once - total).to.be.lessThanOrEqual(2n);
    });

    it("reverts when nothing is claimable", async function () {
      const { pool, bob } = await loadFixture(holderFixture);
      await expect(pool.connect(bob).claim())
        .to.be.revertedWithCustomError(pool, "YieldNothingToClaim")
        .withArgs(bob.address);
    });
  });

  describe("leave", function () {
    it("claims, returns the stake and the liquidity, and removes the positions", async function () {
      const { pool, alice, wrbtc, stable } = await loadFixture(holderFixture);
      await wrbtc.connect(alice).wrap(10_000_000n);
      await pool.connect(alice).stakeWrBTC(10_000_000n);
      await pool.connect(alice).depositLiquidity(500n * WAD);
      await time.increase(10n * DAY);
      const tx = pool.connect(alice).leave();
      await expect(tx).to.emit(pool, "Left").withArgs(alice.address);
      await expect(tx).to.emit(pool, "Claimed");
      await expect(tx).to.changeTokenBalances(ethers, wrbtc, [alice, pool], [10_000_000n, -10_000_000n]);
      const user = await pool.userStatus(alice.address);
      expect(user.state).to.equal(STATE.NONE);
      expect(user.liquidity).to.equal(0n);
      expect(user.claimable).to.equal(0n);
      expect(await stable.balanceOf(await pool.getAddress())).to.equal(
        (await pool.poolStatus()).rewardReserve,
      );
      const status = await pool.poolStatus();
      expect(status.holders).to.equal(0n);
      expect(status.liquidityProviders).to.equal(0n);
      expect(status.totalHolderWeight).to.equal(0n);
    });

    it("stops the hook from tracking the user", async function () {
      const { pool, alice, syncTo } = await loadFixture(holderFixture);
      await pool.connect(alice).leave();
      const tx = await syncTo(alice.address, 3n * ONE_BTC);
      expect((await tx.wait())?.logs.length).to.equal(0);
    });

    it("reverts without any position", async function () {
      const { pool, bob } = await loadFixture(holderFixture);
      await expect(pool.connect(bob).leave())
        .to.be.revertedWithCustomError(pool, "YieldNoPosition")
        .withArgs(bob.address);
    });
  });

  describe("poke", function () {
    it("refreshes a stale position from the ledger (e.g. after a failed hook call)", async function () {
      const { pool, alice, rbtc, oracle } = await loadFixture(holderFixture);
      await rbtc.connect(oracle).burn(alice.address, 60_000_000n); // no hook call
      await expect(pool.connect(oracle).poke(alice.address))
        .to.emit(pool, "HolderPositionUpdated")
        .withArgs(alice.address, 40_000_000n);
    });

    it("is a no-op for non-participants", async function () {
      const { pool, bob } = await loadFixture(holderFixture);
      await expect(pool.poke(bob.address)).not.to.emit(pool, "HolderPositionUpdated");
    });
  });

  describe("never promises more than the reserve holds", function () {
    it("stops accrual when the reserve runs out: rate 0, runway 0, claims capped", async function () {
      const { pool, alice, stable } = await loadFixture(smallReserveFixture);
      expect(await pool.currentRateBps()).to.equal(BASE_RATE_BPS);
      const runway = await pool.reserveRunwaySeconds();
      expect(runway).to.be.greaterThan(5_000n);
      expect(runway).to.be.lessThan(6_000n);
      await time.increase(10n * DAY);
      expect(await pool.claimableOf(alice.address)).to.be.lessThanOrEqual(WAD);
      expect(await pool.currentRateBps()).to.equal(0n);
      expect(await pool.holderRateBps(alice.address)).to.equal(0n);
      expect(await pool.reserveRunwaySeconds()).to.equal(0n);
      await expect(pool.poke(ZeroAddress)).to.emit(pool, "RewardReserveExhausted");
      const claimable = await pool.claimableOf(alice.address);
      await expect(pool.connect(alice).claim()).to.changeTokenBalances(ethers, stable, [alice], [claimable]);
      const status = await pool.poolStatus();
      expect(status.committedRewards).to.be.lessThanOrEqual(status.rewardReserve);
      expect(await stable.balanceOf(await pool.getAddress())).to.equal(status.rewardReserve);
    });

    it("resumes from the funding moment without paying the empty period", async function () {
      const { pool, alice, admin } = await loadFixture(smallReserveFixture);
      await time.increase(10n * DAY);
      await pool.connect(alice).claim();
      const fundTx = await pool.connect(admin).fundRewards(RESERVE);
      const fundedAt = await timestampOf(fundTx);
      const leftover = await pool.claimableOf(alice.address); // rounding dust, ≤ 1 unit
      await time.setNextBlockTimestamp(fundedAt + DAY);
      await pool.poke(ZeroAddress);
      const gained = (await pool.claimableOf(alice.address)) - leftover;
      expect(gained).to.be.closeTo(holderReward(ONE_BTC, MULTIPLIER[1], indexDelta(DAY, SAT_PRICE_WAD)), 2n);
      expect(await pool.currentRateBps()).to.equal(BASE_RATE_BPS);
    });
  });

  describe("admin", function () {
    it("setBaseRate: bounded, role-guarded, applies from now", async function () {
      const { pool, admin, stranger } = await loadFixture(holderFixture);
      await expect(pool.connect(admin).setBaseRate(1_000))
        .to.emit(pool, "BaseRateSet")
        .withArgs(BASE_RATE_BPS, 1_000n);
      expect(await pool.currentRateBps()).to.equal(1_000n);
      await expect(pool.connect(admin).setBaseRate(1_334))
        .to.be.revertedWithCustomError(pool, "YieldBaseRateTooHigh")
        .withArgs(1_334n, 1_333n);
      await expect(pool.connect(stranger).setBaseRate(1))
        .to.be.revertedWithCustomError(pool, "AccessControlUnauthorizedAccount")
        .withArgs(stranger.address, YIELD_ADMIN_ROLE);
    });

    it("setPrices: bounded and role-guarded", async function () {
      const { pool, admin, stranger } = await loadFixture(holderFixture);
      await expect(pool.connect(admin).setPrices(2n * SAT_PRICE_WAD, WAD))
        .to.emit(pool, "PricesSet")
        .withArgs(2n * SAT_PRICE_WAD, WAD);
      await expect(pool.connect(admin).setPrices(0n, WAD))
        .to.be.revertedWithCustomError(pool, "YieldPriceOutOfBounds")
        .withArgs(0n);
      await expect(pool.connect(stranger).setPrices(WAD, WAD)).to.be.revertedWithCustomError(
        pool,
        "AccessControlUnauthorizedAccount",
      );
    });

    it("pause stops accrual (nobody earns while the rate is zero); unpause resumes", async function () {
      const { pool, admin, alice, stranger } = await loadFixture(holderFixture);
      await expect(pool.connect(stranger).pause()).to.be.revertedWithCustomError(
        pool,
        "AccessControlUnauthorizedAccount",
      );
      await expect(pool.connect(admin).pause()).to.emit(pool, "Paused");
      const before = await pool.claimableOf(alice.address);
      expect(await pool.currentRateBps()).to.equal(0n);
      expect(await pool.reserveRunwaySeconds()).to.equal(MaxUint256);
      await time.increase(30n * DAY);
      expect(await pool.claimableOf(alice.address)).to.equal(before);
      await pool.connect(alice).claim(); // exits stay open
      await expect(pool.connect(admin).unpause()).to.emit(pool, "Unpaused");
      await time.increase(DAY);
      expect(await pool.claimableOf(alice.address)).to.be.greaterThan(0n);
      expect((await pool.poolStatus()).paused).to.equal(false);
    });
  });
});
