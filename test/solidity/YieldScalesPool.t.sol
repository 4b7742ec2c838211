// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {IBalanceHook} from "../../contracts/interfaces/IBalanceHook.sol";
import {IYieldScalesPool} from "../../contracts/interfaces/IYieldScalesPool.sol";
import {MockStable} from "../../contracts/mocks/MockStable.sol";
import {RBTCSynth} from "../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../contracts/token/WrBTC.sol";
import {YieldScalesPool} from "../../contracts/yieldscales/YieldScalesPool.sol";
import {YieldHandler} from "./handlers/YieldHandler.sol";

/// @notice Fuzz tests of the pool's accrual. This contract is the admin, the rBTC Oracle and the pool's Oracle.
contract YieldScalesPoolFuzzTest is Test {
    uint16 internal constant BASE_RATE_BPS = 500;
    uint256 internal constant SAT_PRICE_WAD = 1e33;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant WAD = 1e18;
    uint256 internal constant YEAR = 365 days;
    uint256 internal constant BRONZE_BPS = 11_000;

    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    MockStable internal stable;
    YieldScalesPool internal pool;

    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        rbtc.wire(address(this), address(wrbtc));
        stable = new MockStable();
        pool = new YieldScalesPool(
            address(this),
            address(rbtc),
            address(wrbtc),
            address(this),
            address(stable),
            address(stable),
            BASE_RATE_BPS,
            SAT_PRICE_WAD,
            WAD
        );
        stable.approve(address(pool), type(uint256).max);
    }

    function _fund(uint256 amount) internal {
        stable.mint(address(this), amount);
        pool.fundRewards(amount);
    }

    function _joinWith(address user, uint64 sats) internal {
        rbtc.mint(user, sats);
        vm.prank(user);
        pool.join();
    }

    function _claim(address user) internal returns (uint256 paid) {
        if (pool.claimableOf(user) == 0) return 0;
        uint256 before = stable.balanceOf(user);
        vm.prank(user);
        pool.claim();
        paid = stable.balanceOf(user) - before;
    }

    /// @dev The exact (unrounded, floored once) Bronze reward of `sats` over `seconds_` at full scale.
    function _exactReward(uint256 sats, uint256 seconds_) internal pure returns (uint256) {
        return (sats * BRONZE_BPS * BASE_RATE_BPS * seconds_ * SAT_PRICE_WAD) / (BPS * BPS * YEAR * WAD);
    }

    /// @notice Claiming every step or once pays the same total (within rounding, never more than the exact amount).
    function testFuzz_claim_independentOfFrequency(uint256 sats, uint256 steps, uint256 stepSeconds) public {
        sats = bound(sats, 1_000, 1e12);
        // Stay below the Silver threshold (180 days): a claim applies an earned tier, which is the point of tiers.
        steps = bound(steps, 1, 40);
        stepSeconds = bound(stepSeconds, 1, 4 days);
        _fund(1e30);
        _joinWith(alice, uint64(sats));
        _joinWith(bob, uint64(sats));
        uint256 start = block.timestamp;
        uint256 paidAlice;
        for (uint256 i = 0; i < steps; ++i) {
            vm.warp(block.timestamp + stepSeconds);
            paidAlice += _claim(alice);
        }
        uint256 paidBob = _claim(bob);
        assertEq(paidAlice, paidBob, "same index, same total");
        uint256 exact = _exactReward(sats, block.timestamp - start);
        assertLe(paidBob, exact, "never above the exact amount");
        // Each accrual floors the index once: at most one unit of reward per step (weight < divisor) is lost.
        assertLe(exact - paidBob, steps + 1, "pool-favouring rounding only");
    }

    /// @notice Frequent accruals (any interaction) only lose dust relative to one accrual, never gain.
    function testFuzz_accrual_frequentPokesNeverGain(uint256 sats, uint256 steps, uint256 stepSeconds) public {
        sats = bound(sats, 1_000, 1e12);
        steps = bound(steps, 1, 40);
        stepSeconds = bound(stepSeconds, 1, 10 days);
        _fund(1e30);
        _joinWith(alice, uint64(sats));
        uint256 snapshot = vm.snapshotState();
        for (uint256 i = 0; i < steps; ++i) {
            vm.warp(block.timestamp + stepSeconds);
            pool.poke(address(0));
        }
        uint256 frequent = pool.claimableOf(alice);
        vm.revertToState(snapshot);
        vm.warp(block.timestamp + steps * stepSeconds);
        pool.poke(address(0));
        uint256 once = pool.claimableOf(alice);
        assertLe(frequent, once, "frequent accrual never pays more");
        assertLe(once - frequent, steps, "and loses at most dust");
    }

    /// @notice Nobody earns while the rate is zero: paused, base rate 0, or no rBTC supply.
    function testFuzz_accrual_nothingWhileRateZero(uint256 sats, uint256 seconds_, uint8 mode) public {
        sats = bound(sats, 1, 1e12);
        seconds_ = bound(seconds_, 1, 3 * YEAR);
        _fund(1e30);
        _joinWith(alice, uint64(sats));
        vm.warp(block.timestamp + 1 days);
        mode = mode % 3;
        if (mode == 0) pool.pause();
        else if (mode == 1) pool.setBaseRate(0);
        else {
            rbtc.burn(alice, uint64(sats));
            pool.onBalanceChanged(alice, 0, IBalanceHook.ChangeReason.SYNC);
        }
        assertEq(pool.currentRateBps(), 0, "rate reports zero");
        uint256 before = pool.claimableOf(alice);
        vm.warp(block.timestamp + seconds_);
        pool.poke(alice); // may apply an earned tier: re-weighting rounds at most one unit down, never up
        assertLe(pool.claimableOf(alice), before, "no accrual at rate zero");
        assertLe(before - pool.claimableOf(alice), 1, "only rounding dust");
    }

    /// @notice The reserve bounds everything: claimable ≤ committed ≤ reserve, and the rate reports 0 once spent.
    function testFuzz_reserve_neverOverPromised(uint256 reserve, uint256 sats, uint256 seconds_) public {
        reserve = bound(reserve, 1, 1e22);
        sats = bound(sats, 1, 1e12);
        seconds_ = bound(seconds_, 1, 5 * YEAR);
        _fund(reserve);
        _joinWith(alice, uint64(sats));
        _joinWith(bob, uint64(sats / 2 + 1));
        vm.warp(block.timestamp + seconds_);
        pool.poke(address(0));
        IYieldScalesPool.PoolStatus memory status = pool.poolStatus();
        assertLe(pool.claimableOf(alice) + pool.claimableOf(bob), status.committedRewards, "claimable <= committed");
        assertLe(status.committedRewards, status.rewardReserve, "committed <= reserve");
        if (status.committedRewards == status.rewardReserve) assertEq(pool.currentRateBps(), 0, "empty => rate 0");
        uint256 paid = _claim(alice) + _claim(bob);
        assertLe(paid, reserve, "paid <= funded");
        assertEq(stable.balanceOf(address(pool)), pool.poolStatus().rewardReserve, "tokens back the reserve");
    }

    /// @notice Re-weighting (syncs) never raises what is claimable beyond the exact accrual of each interval.
    function testFuzz_rounding_reweightFavoursPool(uint256 a, uint256 b, uint256 t1, uint256 t2) public {
        a = bound(a, 1, 1e12);
        b = bound(b, 1, 1e12);
        // Below the Silver threshold, so the exact amount is the Bronze one.
        t1 = bound(t1, 1, 89 days);
        t2 = bound(t2, 1, 89 days);
        _fund(1e30);
        _joinWith(alice, uint64(a));
        vm.warp(block.timestamp + t1);
        if (b > a) rbtc.mint(alice, uint64(b - a));
        else if (b < a) rbtc.burn(alice, uint64(a - b));
        pool.onBalanceChanged(alice, uint64(b), IBalanceHook.ChangeReason.SYNC);
        vm.warp(block.timestamp + t2);
        pool.poke(address(0));
        // The scale moved to b ÷ max(a, b) at the sync; the exact total is the sum of both intervals.
        uint256 peak = a > b ? a : b;
        uint256 exact = _exactReward(a, t1) + (_exactReward(b, t2) * b) / peak;
        assertLe(pool.claimableOf(alice), exact + 1, "never above the exact accrual (+1 flooring slack)");
    }
}

/// @notice System invariants over random sequences of syncs, burns, joins, stakes, deposits, claims, funding and time.
contract YieldScalesPoolInvariantTest is Test {
    RBTCSynth internal rbtc;
    WrBTC internal wrbtc;
    MockStable internal stable;
    YieldScalesPool internal pool;
    YieldHandler internal handler;

    function setUp() public {
        rbtc = new RBTCSynth(address(this));
        wrbtc = new WrBTC(address(this), address(rbtc));
        stable = new MockStable();
        handler = new YieldHandler(rbtc, wrbtc, stable);
        rbtc.wire(address(handler), address(wrbtc));
        wrbtc.setOracle(address(handler));
        pool = new YieldScalesPool(
            address(this),
            address(rbtc),
            address(wrbtc),
            address(handler),
            address(stable),
            address(stable),
            500,
            1e33,
            1e18
        );
        handler.setPool(pool);
        targetContract(address(handler));
    }

    /// @notice Σ claimable ≤ committed ≤ reserve: the pool never promises more than it holds.
    function invariant_claimableWithinReserve() public view {
        address[] memory actors = handler.actors();
        uint256 sum;
        for (uint256 i = 0; i < actors.length; ++i) sum += pool.claimableOf(actors[i]);
        IYieldScalesPool.PoolStatus memory status = pool.poolStatus();
        assertLe(sum, status.committedRewards, "sum claimable <= committed");
        assertLe(status.committedRewards, status.rewardReserve, "committed <= reserve");
    }

    /// @notice Real tokens back every balance: reward reserve + LP deposits in the token, stakes in wrBTC.
    function invariant_tokensBackBalances() public view {
        IYieldScalesPool.PoolStatus memory status = pool.poolStatus();
        assertEq(stable.balanceOf(address(pool)), status.rewardReserve + status.totalLiquidity, "stable held");
        assertEq(wrbtc.balanceOf(address(pool)), status.totalStakedSats, "wrBTC held");
    }

    /// @notice Reserve conservation: funded − paid = reserve.
    function invariant_reserveConservation() public view {
        assertEq(handler.ghostFunded() - handler.ghostPaid(), pool.poolStatus().rewardReserve, "funded - paid");
    }

    /// @notice Nobody earns while the rate is zero, and no claim pays more than promised.
    function invariant_noEarningAtZeroRateAndNoOverpay() public view {
        assertEq(handler.ghostEarnedAtZeroRate(), 0, "earned at rate zero");
        assertEq(handler.ghostOverpaidClaims(), 0, "overpaid claims");
    }

    /// @notice The holder-weight total is the sum of the active holders' weights.
    function invariant_participantCountsMatch() public view {
        address[] memory actors = handler.actors();
        uint256 active;
        uint256 providers;
        for (uint256 i = 0; i < actors.length; ++i) {
            IYieldScalesPool.UserStatus memory u = pool.userStatus(actors[i]);
            if (u.state == IYieldScalesPool.HolderState.ACTIVE) ++active;
            if (u.liquidity != 0) ++providers;
        }
        IYieldScalesPool.PoolStatus memory status = pool.poolStatus();
        assertEq(status.holders, active, "holders");
        assertEq(status.liquidityProviders, providers, "providers");
    }
}
