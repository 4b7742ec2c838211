// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Test} from "forge-std/Test.sol";

import {IBalanceHook} from "../../../contracts/interfaces/IBalanceHook.sol";
import {MockStable} from "../../../contracts/mocks/MockStable.sol";
import {RBTCSynth} from "../../../contracts/token/RBTCSynth.sol";
import {WrBTC} from "../../../contracts/token/WrBTC.sol";
import {YieldScalesPool} from "../../../contracts/yieldscales/YieldScalesPool.sol";

/// @notice Drives the YieldScalesPool for the invariants. It is the rBTC Oracle and the pool's Oracle, so `sync` and
///         `emergencyBurn` play the committee (mint/burn, then the balance hook), while actors join, stake, provide
///         liquidity, claim and leave, anyone funds rewards, and time passes.
contract YieldHandler is Test {
    uint256 internal constant ACTOR_COUNT = 4;
    uint256 internal constant MAX_POSITION_SATS = 1e12; // 10,000 BTC
    uint256 internal constant MAX_FUNDING = 1e24;
    uint256 internal constant MAX_LIQUIDITY = 1e27;
    uint256 internal constant MAX_WARP_SECONDS = 60 days;

    RBTCSynth public immutable rbtc;
    WrBTC public immutable wrbtc;
    MockStable public immutable stable;
    YieldScalesPool public pool;

    address[] internal _actors;

    /// @notice Ghost: Σ funded reward units.
    uint256 public ghostFunded;
    /// @notice Ghost: Σ reward units paid by claims and leaves (measured as token balance changes).
    uint256 public ghostPaid;
    /// @notice Ghost: reward units gained by any actor over an interval in which the rate was zero (must stay 0).
    uint256 public ghostEarnedAtZeroRate;
    /// @notice Ghost: claims that paid more than the claimable view promised (must stay 0).
    uint256 public ghostOverpaidClaims;

    constructor(RBTCSynth rbtc_, WrBTC wrbtc_, MockStable stable_) {
        rbtc = rbtc_;
        wrbtc = wrbtc_;
        stable = stable_;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            _actors.push(makeAddr(string.concat("yieldActor", vm.toString(i))));
        }
    }

    /// @notice One-time wiring by the test's setUp (a no-op when the fuzzer calls it later).
    function setPool(YieldScalesPool pool_) external {
        if (address(pool) != address(0)) return;
        pool = pool_;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            vm.startPrank(_actors[i]);
            stable.approve(address(pool_), type(uint256).max);
            wrbtc.approve(address(pool_), type(uint256).max);
            vm.stopPrank();
        }
        stable.approve(address(pool_), type(uint256).max);
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    /*//////////////////////////////////////////////////////////////
                                 ACTIONS
    //////////////////////////////////////////////////////////////*/

    /// @notice The committee sets `actor`'s backed rBTC to `sats` and notifies the pool.
    function sync(uint256 actorSeed, uint256 sats) external {
        address actor = _actor(actorSeed);
        uint64 target = uint64(bound(sats, 0, MAX_POSITION_SATS));
        uint64 backed = rbtc.totalBackedOf(actor);
        if (target > backed) rbtc.mint(actor, target - backed);
        else if (target < backed) _burn(actor, backed - target);
        pool.onBalanceChanged(actor, target, IBalanceHook.ChangeReason.SYNC);
    }

    /// @notice An emergency burn (or upheld dispute) removes `actor`'s whole position.
    function emergencyBurn(uint256 actorSeed, bool dispute) external {
        address actor = _actor(actorSeed);
        uint64 backed = rbtc.totalBackedOf(actor);
        if (backed != 0) _burn(actor, backed);
        pool.onBalanceChanged(
            actor,
            0,
            dispute ? IBalanceHook.ChangeReason.DISPUTE_UPHELD : IBalanceHook.ChangeReason.EMERGENCY_BURN
        );
    }

    function join(uint256 actorSeed) external {
        vm.prank(_actor(actorSeed));
        try pool.join() {} catch {} // solhint-disable-line no-empty-blocks
    }

    function stake(uint256 actorSeed, uint256 sats) external {
        address actor = _actor(actorSeed);
        uint64 free = rbtc.freeBalanceOf(actor);
        if (free == 0) return;
        uint64 amount = uint64(bound(sats, 1, free));
        vm.startPrank(actor);
        wrbtc.wrap(amount);
        try pool.stakeWrBTC(amount) {} catch {} // solhint-disable-line no-empty-blocks
        vm.stopPrank();
    }

    function unstake(uint256 actorSeed, uint256 sats) external {
        address actor = _actor(actorSeed);
        uint64 staked = pool.userStatus(actor).stakedSats;
        if (staked == 0) return;
        vm.prank(actor);
        pool.unstakeWrBTC(uint64(bound(sats, 1, staked)));
    }

    function deposit(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        amount = bound(amount, 1, MAX_LIQUIDITY);
        stable.mint(actor, amount);
        vm.prank(actor);
        pool.depositLiquidity(amount);
    }

    function withdraw(uint256 actorSeed, uint256 amount) external {
        address actor = _actor(actorSeed);
        uint256 deposited = pool.userStatus(actor).liquidity;
        if (deposited == 0) return;
        vm.prank(actor);
        pool.withdrawLiquidity(bound(amount, 1, deposited));
    }

    function claim(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        uint256 promised = pool.claimableOf(actor);
        if (promised == 0) return;
        uint256 before = stable.balanceOf(actor);
        vm.prank(actor);
        pool.claim();
        uint256 paid = stable.balanceOf(actor) - before;
        ghostPaid += paid;
        if (paid > promised) ++ghostOverpaidClaims;
    }

    function leave(uint256 actorSeed) external {
        address actor = _actor(actorSeed);
        uint256 promised = pool.claimableOf(actor);
        uint256 liquidity = pool.userStatus(actor).liquidity;
        uint256 before = stable.balanceOf(actor);
        vm.prank(actor);
        try pool.leave() {
            uint256 paid = stable.balanceOf(actor) - before - liquidity;
            ghostPaid += paid;
            if (paid > promised) ++ghostOverpaidClaims;
        } catch {} // solhint-disable-line no-empty-blocks
    }

    function fund(uint256 amount) external {
        amount = bound(amount, 1, MAX_FUNDING);
        stable.mint(address(this), amount);
        pool.fundRewards(amount);
        ghostFunded += amount;
    }

    function poke(uint256 actorSeed) external {
        pool.poke(_actor(actorSeed));
    }

    /// @notice Time passes; when the rate is zero at the start, nobody may gain anything over it.
    function warp(uint256 seconds_) external {
        seconds_ = bound(seconds_, 1, MAX_WARP_SECONDS);
        pool.poke(address(0)); // accrue up to now and observe the current supply
        bool zeroRate = pool.currentRateBps() == 0;
        uint256[] memory before = new uint256[](ACTOR_COUNT);
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) before[i] = pool.claimableOf(_actors[i]);
        vm.warp(block.timestamp + seconds_);
        if (!zeroRate) return;
        for (uint256 i = 0; i < ACTOR_COUNT; ++i) {
            uint256 afterWarp = pool.claimableOf(_actors[i]);
            if (afterWarp > before[i]) ghostEarnedAtZeroRate += afterWarp - before[i];
        }
    }

    /*//////////////////////////////////////////////////////////////
                                 HELPERS
    //////////////////////////////////////////////////////////////*/

    function _actor(uint256 seed) internal view returns (address) {
        return _actors[seed % ACTOR_COUNT];
    }

    /// @dev Burns like the Oracle: free first, then escrow (slashing the holder's wrBTC, if any is still held).
    function _burn(address actor, uint64 amount) internal {
        (, uint64 fromEscrow) = rbtc.burn(actor, amount);
        if (fromEscrow != 0) wrbtc.slash(actor, fromEscrow);
    }
}
