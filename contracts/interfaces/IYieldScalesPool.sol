// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBalanceHook} from "./IBalanceHook.sol";

/// @title IYieldScalesPool — real, bounded yield on the two sides of the ReserveBTC scale
/// @notice Bitcoin holders (their rBTC position, tracked live through the Oracle's balance hook, plus any wrBTC they
///         stake) and liquidity providers (deposits of a configured ERC-20) earn the reward token from a reserve that
///         anyone funds. The annual rate is `baseRateBps × scale × loyalty`, where `scale = rBTC supply ÷ peak rBTC
///         supply` (1e18 fixed point) and loyalty is Bronze 1.10× / Silver 1.25× (180 days) / Gold 1.50× (365 days);
///         the base rate is bounded so the rate never exceeds 20% APR.
///
///         Units: positions are valued in reward-token units with two prices fixed by the yield admin:
///         `satPriceWad` (reward units per sat, 1e18 fixed point) and `liquidityPriceWad` (reward units per liquidity
///         token unit, 1e18 fixed point). A holder with `s` sats at rate `r` bps earns
///         `s × satPriceWad / 1e18 × r / 10_000` reward units per year.
///
///         The pool never promises more than its reserve holds: every accrual is first checked against the reserve's
///         uncommitted part and scaled down (to zero once it is empty); `currentRateBps` then reports 0.
/// @dev Accrual is O(1) per action: a global per-second reward index per side and one packed slot per holder.
interface IYieldScalesPool is IBalanceHook {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice A holder's participation state.
    enum HolderState {
        NONE, // never joined, or left
        ACTIVE, // joined: the balance hook tracks the rBTC position and it accrues
        REMOVED // emergency-burned or dispute upheld: no accrual until `join` again
    }

    /// @notice Loyalty tier (multiplier applied to the holder's weight).
    enum Tier {
        NONE, // not participating
        BRONZE, // from join: 1.10×
        SILVER, // after 180 days of continuous participation: 1.25×
        GOLD // after 365 days of continuous participation: 1.50×
    }

    /// @notice Pool-wide figures for the realtime `yield-status` query.
    struct PoolStatus {
        uint256 rateBps; // current effective base × scale APR in bps (0 when paused or the reserve is empty)
        uint256 baseRateBps; // configured base APR in bps
        uint256 scaleWad; // supply ÷ peak, 1e18 fixed point
        uint64 supplySats; // last observed rBTC supply
        uint64 peakSupplySats; // highest observed rBTC supply
        uint64 holders; // active holders
        uint64 liquidityProviders; // accounts with liquidity deposited
        uint256 totalHolderWeight; // Σ (backed + staked sats) × multiplier bps of active holders
        uint256 totalStakedSats; // wrBTC held by the pool for stakers
        uint256 totalLiquidity; // liquidity token units held for LPs
        uint256 rewardReserve; // reward units held for rewards (funded − paid)
        uint256 committedRewards; // accrued and unclaimed (upper bound of Σ claimable)
        uint256 runwaySeconds; // seconds the uncommitted reserve lasts at the current rate (max uint = forever)
        bool paused;
    }

    /// @notice One account's figures for the realtime `yield-status --user` query.
    struct UserStatus {
        HolderState state;
        Tier tier; // tier applied to the weight now
        Tier earnedTier; // tier earned by participation time (applied at the next interaction or `poke`)
        uint64 backedSats; // rBTC position (free + escrow) as last reported by the hook
        uint64 stakedSats; // wrBTC staked
        uint32 sinceTimestamp; // start of continuous participation
        uint256 rateBps; // the holder's effective APR in bps (base × scale × applied multiplier)
        uint256 liquidity; // liquidity token units deposited
        uint256 claimable; // reward units claimable now (both sides)
        uint256 claimed; // lifetime reward units claimed
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice Only the Oracle may call the balance hook.
    error YieldUnauthorizedOracle(address caller);
    /// @notice A zero address was given where a contract is required.
    error YieldZeroAddress();
    /// @notice A zero amount was given.
    error YieldZeroAmount();
    /// @notice The account already participates as a holder.
    error YieldAlreadyJoined(address user);
    /// @notice The account is not an active holder.
    error YieldNotJoined(address user);
    /// @notice The account has no position on either side.
    error YieldNoPosition(address user);
    /// @notice Unstaking more wrBTC than staked.
    error YieldInsufficientStake(address user, uint64 stakedSats, uint64 neededSats);
    /// @notice Withdrawing more liquidity than deposited.
    error YieldInsufficientLiquidity(address user, uint256 deposited, uint256 needed);
    /// @notice Nothing to claim.
    error YieldNothingToClaim(address user);
    /// @notice The base rate exceeds the bound that keeps the rate ≤ 20% APR at Gold.
    error YieldBaseRateTooHigh(uint16 baseRateBps, uint16 maxBaseRateBps);
    /// @notice A price is outside [MIN_PRICE_WAD, MAX_PRICE_WAD].
    error YieldPriceOutOfBounds(uint256 priceWad);
    /// @notice An amount does not fit the pool's packed storage.
    error YieldAmountTooLarge(uint256 amount);
    /// @notice The holder's BTC left while her wrBTC was out of reach (`WrBTC.uncoveredOf`): she cannot join, stake or
    ///         take staked wrBTC out until the deficit is retired (`slashStake` retires it from her stake).
    error YieldUncoveredHolder(address user, uint64 uncoveredSats);
    /// @notice `slashStake` found no stake or no uncovered deficit for the user.
    error YieldNothingToSlash(address user, uint64 stakedSats, uint64 uncoveredSats);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice `user` joined the holder side with `backedSats` of rBTC.
    event Joined(address indexed user, uint64 backedSats);
    /// @notice `user` left: position removed, stake and liquidity returned, rewards claimed.
    event Left(address indexed user);
    /// @notice The balance hook (or a poke) set `user`'s rBTC position to `backedSats` (stake: `Staked`/`Unstaked`;
    ///         tier: `TierUpgraded`).
    event HolderPositionUpdated(address indexed user, uint64 backedSats);
    /// @notice `user` was removed by an emergency burn or an upheld dispute and stopped accruing.
    event HolderRemoved(address indexed user, ChangeReason reason);
    /// @notice `user`'s loyalty tier was upgraded.
    event TierUpgraded(address indexed user, Tier tier);
    /// @notice `user` staked `amountSats` wrBTC.
    event Staked(address indexed user, uint64 amountSats);
    /// @notice `user` unstaked `amountSats` wrBTC.
    event Unstaked(address indexed user, uint64 amountSats);
    /// @notice `amountSats` of `user`'s staked wrBTC were burned to retire her uncovered deficit
    ///         (`WrBTC.retireUncovered`).
    event StakeSlashed(address indexed user, uint64 amountSats);
    /// @notice `user` deposited `amount` liquidity token units.
    event LiquidityDeposited(address indexed user, uint256 amount);
    /// @notice `user` withdrew `amount` liquidity token units.
    event LiquidityWithdrawn(address indexed user, uint256 amount);
    /// @notice `funder` added `amount` reward units to the reserve.
    event RewardsFunded(address indexed funder, uint256 amount);
    /// @notice `user` claimed `amount` reward units.
    event Claimed(address indexed user, uint256 amount);
    /// @notice A pool action observed a new rBTC supply (and possibly peak); the rate scales from this moment. The
    ///         balance hook observes the supply silently (gas budget); RBTCSynth's events carry every supply change.
    event ScaleUpdated(uint64 supplySats, uint64 peakSupplySats);
    /// @notice Accrual was scaled down because the uncommitted reserve ran out.
    event RewardReserveExhausted(uint256 committedRewards);
    /// @notice The base rate changed.
    event BaseRateSet(uint16 oldBaseRateBps, uint16 newBaseRateBps);
    /// @notice The prices that value positions in reward units changed.
    event PricesSet(uint256 satPriceWad, uint256 liquidityPriceWad);

    /*//////////////////////////////////////////////////////////////
                              HOLDER SIDE
    //////////////////////////////////////////////////////////////*/

    /// @notice Opts the caller in as a holder: their rBTC position (free + escrow) accrues from now at Bronze and the
    ///         Oracle's hook keeps it current on every sync.
    /// @dev Requirements: not paused; caller not already active; no uncovered deficit (`YieldUncoveredHolder`). A
    ///      removed holder may join again (Bronze restarts). The loyalty clock runs only while the holder's weight
    ///      (backed + staked) is positive: it restarts, at Bronze, when the weight rises from zero.
    function join() external;

    /// @notice Stakes `amountSats` wrBTC (the pool holds it); it counts in the caller's holder weight.
    /// @dev Requirements: not paused; caller active; no uncovered deficit; `amountSats` > 0; prior wrBTC approval.
    function stakeWrBTC(uint64 amountSats) external;

    /// @notice Returns `amountSats` staked wrBTC to the caller (allowed when paused or removed).
    /// @dev Requirements: no uncovered deficit (`YieldUncoveredHolder`): staked wrBTC is never a way around a slash.
    function unstakeWrBTC(uint64 amountSats) external;

    /// @notice Retires `user`'s uncovered deficit from her staked wrBTC: burns `min(stake, WrBTC.uncoveredOf(user))` of
    ///         it through `WrBTC.retireUncovered` and removes her from accrual (an uncovered holder earns nothing).
    ///         Anyone may call it (the oracle runner does after a BACKING_LOST burn).
    /// @return amountSats wrBTC burned from the stake.
    function slashStake(address user) external returns (uint64 amountSats);

    /// @notice Refreshes `user`'s position from the rBTC ledger, applies an earned tier upgrade and the current
    ///         scale. Anyone may call it (it never lowers what a user has accrued). A holder with an uncovered deficit
    ///         is removed from accrual instead.
    function poke(address user) external;

    /*//////////////////////////////////////////////////////////////
                            LIQUIDITY SIDE
    //////////////////////////////////////////////////////////////*/

    /// @notice Deposits `amount` liquidity token units (the pool holds them).
    /// @dev Requirements: not paused; `amount` > 0; prior approval.
    function depositLiquidity(uint256 amount) external;

    /// @notice Withdraws `amount` liquidity token units (allowed when paused).
    function withdrawLiquidity(uint256 amount) external;

    /*//////////////////////////////////////////////////////////////
                          REWARDS AND EXIT
    //////////////////////////////////////////////////////////////*/

    /// @notice Adds `amount` reward units to the reserve (anyone; prior approval). Accrual resumes from now if the
    ///         reserve was empty; time spent empty is never paid retroactively.
    function fundRewards(uint256 amount) external;

    /// @notice Pays the caller everything claimable on both sides, in reward tokens.
    /// @return amount Reward units paid.
    function claim() external returns (uint256 amount);

    /// @notice Claims, returns staked wrBTC and deposited liquidity, and removes the caller's positions. A caller with
    ///         staked wrBTC and an uncovered deficit is refused (`YieldUncoveredHolder`; `slashStake` first).
    /// @return amount Reward units paid.
    function leave() external returns (uint256 amount);

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @notice Sets the base APR in bps (≤ MAX_BASE_RATE_BPS). Accrual up to now uses the old rate. YIELD_ADMIN_ROLE.
    function setBaseRate(uint16 baseRateBps) external;

    /// @notice Sets the valuation prices (each within [MIN_PRICE_WAD, MAX_PRICE_WAD]). YIELD_ADMIN_ROLE.
    function setPrices(uint256 satPriceWad, uint256 liquidityPriceWad) external;

    /// @notice Stops accrual and new entries (exits and claims stay open). YIELD_ADMIN_ROLE.
    function pause() external;

    /// @notice Resumes accrual and entries. YIELD_ADMIN_ROLE.
    function unpause() external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice The Oracle allowed to call the hook.
    function oracle() external view returns (address);
    /// @notice The rBTC-SYNTH ledger.
    function rbtc() external view returns (address);
    /// @notice The wrBTC token stakers deposit.
    function wrbtc() external view returns (address);
    /// @notice The token rewards are paid in.
    function rewardToken() external view returns (address);
    /// @notice The token liquidity providers deposit.
    function liquidityToken() external view returns (address);

    /// @notice base × scale in bps APR, rounded up (0 means nothing accrues: paused, no supply, or the uncommitted
    ///         reserve is empty).
    function currentRateBps() external view returns (uint256);
    /// @notice `user`'s effective APR in bps: currentRateBps × applied loyalty multiplier, rounded up (≤ 2,000).
    function holderRateBps(address user) external view returns (uint256);
    /// @notice rBTC supply ÷ peak supply, 1e18 fixed point (0 before any rBTC exists).
    function scaleWad() external view returns (uint256);
    /// @notice Seconds until the uncommitted reserve is spent at the current rate; max uint when nothing accrues.
    function reserveRunwaySeconds() external view returns (uint256);
    /// @notice Reward units `user` could claim now (includes accrual up to this block).
    function claimableOf(address user) external view returns (uint256);
    /// @notice Lifetime reward units `user` claimed.
    function claimedOf(address user) external view returns (uint256);
    /// @notice Pool-wide status.
    function poolStatus() external view returns (PoolStatus memory);
    /// @notice One account's status.
    function userStatus(address user) external view returns (UserStatus memory);
}
