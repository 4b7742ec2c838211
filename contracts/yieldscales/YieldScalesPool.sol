// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {IWrBTC} from "../interfaces/IWrBTC.sol";
import {IYieldScalesPool} from "../interfaces/IYieldScalesPool.sol";
import {ADMIN_TRANSFER_DELAY} from "../libraries/Constants.sol";

/// @title YieldScalesPool — real, bounded yield for rBTC holders and liquidity providers
/// @notice See {IYieldScalesPool} and docs/yield.md for the economics.
/// @dev Accounting ("offset" form of a reward index, one packed slot per holder):
///      - Each side has a global index `I` of reward units per unit of weight (scaled by `D`), advanced per second by
///        `baseRate × supply ÷ peak × price ÷ year`, never by more than the reserve's uncommitted part can pay.
///      - A participant's claimable amount is `floor(w × I ÷ D) − offset`. When the weight changes from `w` to `w'`
///        the offset moves by `ceil(w' × I ÷ D) − floor(w × I ÷ D)`, so what was claimable is kept (minus at most one
///        unit of rounding, in the pool's favour) and the new weight earns only from now.
///      - `committedRewards` grows by `ceil(Σw × ΔI ÷ D)` per accrual, so Σ claimable ≤ committed ≤ reserve.
///      Loyalty is part of a holder's weight (`sats × multiplierBps`). A tier earned by time is applied at the next
///      interaction with the holder (hook, poke, claim, stake): until then the lower multiplier applies, so the
///      approximation can only under-pay.
contract YieldScalesPool is IYieldScalesPool, AccessControlDefaultAdminRules, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role that sets the base rate and prices and pauses the pool.
    bytes32 public constant YIELD_ADMIN_ROLE = keccak256("YIELD_ADMIN_ROLE");

    /// @notice Hard cap of any participant's APR, in bps (20%).
    uint16 public constant MAX_APR_BPS = 2_000;
    /// @notice Bronze multiplier (from join), bps.
    uint16 public constant BRONZE_MULTIPLIER_BPS = 11_000;
    /// @notice Silver multiplier (after SILVER_AFTER_SECONDS), bps.
    uint16 public constant SILVER_MULTIPLIER_BPS = 12_500;
    /// @notice Gold multiplier (after GOLD_AFTER_SECONDS), bps.
    uint16 public constant GOLD_MULTIPLIER_BPS = 15_000;
    /// @notice Continuous participation needed for Silver.
    uint32 public constant SILVER_AFTER_SECONDS = 180 days;
    /// @notice Continuous participation needed for Gold.
    uint32 public constant GOLD_AFTER_SECONDS = 365 days;
    /// @notice Highest base rate: Gold × base × scale (≤ 1) stays ≤ MAX_APR_BPS. 2,000 × 10,000 ÷ 15,000 = 1,333.
    uint16 public constant MAX_BASE_RATE_BPS = 1_333;
    /// @notice Lowest accepted price (reward units per sat or liquidity unit, 1e18 fixed point).
    uint256 public constant MIN_PRICE_WAD = 1e9;
    /// @notice Highest accepted price (1 sat or liquidity unit = 1e18 reward units); keeps every product in range.
    uint256 public constant MAX_PRICE_WAD = 1e36;

    /// @dev Basis-point denominator.
    uint256 private constant BPS = 10_000;
    /// @dev 1e18 fixed point.
    uint256 private constant WAD = 1e18;
    /// @dev Year used by the APR (365 days).
    uint256 private constant SECONDS_PER_YEAR = 365 days;
    /// @dev Holder weight is sats × multiplier bps; reward = weight × index ÷ (BPS × WAD).
    uint256 private constant HOLDER_DIVISOR = BPS * WAD;
    /// @dev Liquidity weight is token units; reward = units × index ÷ WAD.
    uint256 private constant LIQUIDITY_DIVISOR = WAD;

    /// @dev Packed holder codes: 0 none, 1..3 active at Bronze/Silver/Gold, 4 removed.
    uint8 private constant CODE_NONE = 0;
    uint8 private constant CODE_BRONZE = 1;
    uint8 private constant CODE_SILVER = 2;
    uint8 private constant CODE_GOLD = 3;
    uint8 private constant CODE_REMOVED = 4;

    /// @dev Multipliers by tier code, 16 bits each: entry `code` sits at bit `code << MULTIPLIER_ENTRY_SHIFT`
    ///      (Bronze = code 1 at bit 16, Silver = 2 at bit 32, Gold = 3 at bit 48). See `_multiplierBps`.
    uint256 private constant MULTIPLIER_ENTRY_SHIFT = 4;
    uint256 private constant MULTIPLIER_TABLE =
        (uint256(BRONZE_MULTIPLIER_BPS) << 16) |
            (uint256(SILVER_MULTIPLIER_BPS) << 32) |
            (uint256(GOLD_MULTIPLIER_BPS) << 48);

    /// @dev Bit offsets of the packed `Holder` and `Scale` slots (Solidity's own layout: first member lowest).
    uint256 private constant HOLDER_STAKED_SHIFT = 56;
    uint256 private constant HOLDER_SINCE_SHIFT = 112;
    uint256 private constant HOLDER_CODE_SHIFT = 144;
    uint256 private constant HOLDER_OFFSET_SHIFT = 152;
    uint256 private constant SCALE_SUPPLY_SHIFT = 40;
    uint256 private constant SCALE_PEAK_SHIFT = 104;
    uint256 private constant SCALE_RATE_SHIFT = 168;
    uint256 private constant SCALE_WEIGHT_SHIFT = 184;
    /// @dev The `supplySats` and `peakSupplySats` fields of the packed `Scale` slot (bits 40..167).
    uint256 private constant SCALE_SUPPLY_PEAK_MASK = type(uint168).max ^ type(uint40).max;
    /// @dev The `stakedSats` and `sinceTimestamp` fields of the packed `Holder` slot (bits 56..143).
    uint256 private constant HOLDER_STAKED_SINCE_MASK = type(uint144).max ^ type(uint56).max;

    /// @inheritdoc IYieldScalesPool
    address public immutable oracle;
    /// @inheritdoc IYieldScalesPool
    address public immutable rbtc;
    /// @inheritdoc IYieldScalesPool
    address public immutable wrbtc;
    /// @inheritdoc IYieldScalesPool
    address public immutable rewardToken;
    /// @inheritdoc IYieldScalesPool
    address public immutable liquidityToken;

    /*//////////////////////////////////////////////////////////////
                                 STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot: everything the balance hook reads and writes pool-wide.
    struct Scale {
        uint40 lastAccrual; // timestamp the indexes were last advanced to
        uint64 supplySats; // last observed rBTC supply
        uint64 peakSupplySats; // highest observed rBTC supply
        uint16 baseRateBps; // base APR
        uint72 totalHolderWeight; // Σ (backed + staked) × multiplier bps over active holders (≤ 6.3e19)
    }

    /// @dev One slot per holder (the hook touches only this one).
    struct Holder {
        uint56 backedSats; // rBTC free + escrow as last reported
        uint56 stakedSats; // wrBTC held by the pool for this holder
        uint32 sinceTimestamp; // start of continuous participation
        uint8 code; // CODE_*
        int104 offset; // claimable = floor(weight × holderIndex ÷ HOLDER_DIVISOR) − offset
    }

    /// @dev One slot per liquidity provider.
    struct Provider {
        uint128 amount; // liquidity token units deposited
        int128 offset; // claimable = floor(amount × liquidityIndex ÷ WAD) − offset
    }

    /// @dev Result of advancing the indexes over an interval.
    struct Accrual {
        uint256 holderIndexDelta;
        uint256 liquidityIndexDelta;
        uint256 committedDelta;
        bool exhausted;
    }

    Scale private _scale;
    /// @dev Reward units per (sat × multiplier bps), scaled by WAD × price precision.
    uint256 private _holderIndex;
    /// @dev Reward units per liquidity unit, scaled by WAD.
    uint256 private _liquidityIndex;
    /// @dev Reward units held for rewards (funded − paid).
    uint128 private _rewardReserve;
    /// @dev Reward units accrued and not yet claimed (≥ Σ claimable).
    uint128 private _committedRewards;
    /// @dev Liquidity token units held for LPs.
    uint128 private _totalLiquidity;
    /// @dev Active holders.
    uint64 private _holderCount;
    /// @dev Accounts with liquidity deposited.
    uint64 private _providerCount;
    /// @dev wrBTC held for stakers.
    uint64 private _totalStakedSats;
    /// @dev Reward units per sat, 1e18 fixed point.
    uint128 private _satPriceWad;
    /// @dev Reward units per liquidity token unit, 1e18 fixed point.
    uint128 private _liquidityPriceWad;

    mapping(address user => Holder) private _holders;
    mapping(address user => Provider) private _providers;
    mapping(address user => uint256 claimed) private _claimed;

    /*//////////////////////////////////////////////////////////////
                               CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Default admin (two-step handover, ADMIN_TRANSFER_DELAY) and first YIELD_ADMIN_ROLE holder.
    /// @param rbtc_ The rBTC-SYNTH ledger (supply and positions).
    /// @param wrbtc_ The wrBTC token stakers deposit.
    /// @param oracle_ The Oracle, the only caller of the balance hook.
    /// @param rewardToken_ The token rewards are paid in.
    /// @param liquidityToken_ The token LPs deposit (may equal the reward token; balances are tracked apart).
    /// @param baseRateBps Base APR in bps (≤ MAX_BASE_RATE_BPS).
    /// @param satPriceWad Reward units per sat, 1e18 fixed point.
    /// @param liquidityPriceWad Reward units per liquidity unit, 1e18 fixed point.
    constructor(
        address admin,
        address rbtc_,
        address wrbtc_,
        address oracle_,
        address rewardToken_,
        address liquidityToken_,
        uint16 baseRateBps,
        uint256 satPriceWad,
        uint256 liquidityPriceWad
    ) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) {
        if (
            rbtc_ == address(0) ||
            wrbtc_ == address(0) ||
            oracle_ == address(0) ||
            rewardToken_ == address(0) ||
            liquidityToken_ == address(0)
        ) revert YieldZeroAddress();
        if (baseRateBps > MAX_BASE_RATE_BPS) revert YieldBaseRateTooHigh(baseRateBps, MAX_BASE_RATE_BPS);
        _checkPrice(satPriceWad);
        _checkPrice(liquidityPriceWad);
        rbtc = rbtc_;
        wrbtc = wrbtc_;
        oracle = oracle_;
        rewardToken = rewardToken_;
        liquidityToken = liquidityToken_;
        _satPriceWad = uint128(satPriceWad); // ≤ MAX_PRICE_WAD < 2^128 (checked above)
        _liquidityPriceWad = uint128(liquidityPriceWad);
        uint64 supply = IRBTCSynth(rbtc_).totalSupply().toUint64();
        _scale = Scale({
            lastAccrual: uint40(block.timestamp),
            supplySats: supply,
            peakSupplySats: supply,
            baseRateBps: baseRateBps,
            totalHolderWeight: 0
        });
        _grantRole(YIELD_ADMIN_ROLE, admin);
        emit BaseRateSet(0, baseRateBps);
        emit PricesSet(satPriceWad, liquidityPriceWad);
        emit ScaleUpdated(supply, supply);
    }

    /*//////////////////////////////////////////////////////////////
                              BALANCE HOOK
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IBalanceHook
    /// @dev Non-participants return after one storage read. A sync of a participant (`_syncByHook`) reads and writes
    ///      the holder slot and the pool's global slot once each; only the first call of a transaction advances the
    ///      indexes and reads the rBTC supply. A removal (emergency burn, upheld dispute) takes the general path.
    function onBalanceChanged(address user, uint64 newBackedSats, ChangeReason reason) external {
        if (msg.sender != oracle) revert YieldUnauthorizedOracle(msg.sender);
        Holder storage slot = _holders[user];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
        uint8 code = uint8(word >> HOLDER_CODE_SHIFT);
        if (code == CODE_NONE || code == CODE_REMOVED) return; // not `_isActive`: inline for the hook's budget
        if (reason == ChangeReason.SYNC) {
            _syncByHook(slot, word, user, newBackedSats, code);
            return;
        }
        _remove(user, _decodeHolder(word), newBackedSats, _accrueAndRescale(false), reason);
    }

    /*//////////////////////////////////////////////////////////////
                              HOLDER SIDE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IYieldScalesPool
    function join() external whenNotPaused {
        Holder memory h = _loadHolder(msg.sender);
        if (_isActive(h.code)) revert YieldAlreadyJoined(msg.sender);
        _requireCovered(msg.sender);
        uint256 holderIndex = _accrueAndRescale(true);
        uint64 backedSats = IRBTCSynth(rbtc).totalBackedOf(msg.sender);
        h.sinceTimestamp = uint32(block.timestamp);
        _reweight(msg.sender, h, backedSats, h.stakedSats, CODE_BRONZE, holderIndex);
        ++_holderCount;
        emit Joined(msg.sender, backedSats);
    }

    /// @inheritdoc IYieldScalesPool
    function stakeWrBTC(uint64 amountSats) external whenNotPaused nonReentrant {
        if (amountSats == 0) revert YieldZeroAmount();
        Holder memory h = _loadHolder(msg.sender);
        if (!_isActive(h.code)) revert YieldNotJoined(msg.sender);
        _requireCovered(msg.sender);
        uint256 holderIndex = _accrueAndRescale(true);
        _reweight(msg.sender, h, h.backedSats, uint256(h.stakedSats) + amountSats, _earnedCode(h), holderIndex);
        _totalStakedSats += amountSats;
        emit Staked(msg.sender, amountSats);
        IERC20(wrbtc).safeTransferFrom(msg.sender, address(this), amountSats);
    }

    /// @inheritdoc IYieldScalesPool
    function unstakeWrBTC(uint64 amountSats) external nonReentrant {
        if (amountSats == 0) revert YieldZeroAmount();
        Holder memory h = _loadHolder(msg.sender);
        if (h.stakedSats < amountSats) revert YieldInsufficientStake(msg.sender, h.stakedSats, amountSats);
        _requireCovered(msg.sender);
        uint256 holderIndex = _accrueAndRescale(true);
        uint8 code = _isActive(h.code) ? _earnedCode(h) : h.code;
        _reweight(msg.sender, h, h.backedSats, h.stakedSats - amountSats, code, holderIndex);
        // unchecked: the total includes this holder's stake, which is ≥ amountSats.
        unchecked {
            _totalStakedSats -= amountSats;
        }
        emit Unstaked(msg.sender, amountSats);
        IERC20(wrbtc).safeTransfer(msg.sender, amountSats);
    }

    /// @inheritdoc IYieldScalesPool
    function poke(address user) external {
        uint256 holderIndex = _accrueAndRescale(true);
        Holder memory h = _loadHolder(user);
        if (!_isActive(h.code)) return;
        uint64 backedSats = IRBTCSynth(rbtc).totalBackedOf(user);
        // An uncovered holder earns nothing, whether or not the Oracle's hook already told the pool.
        if (IWrBTC(wrbtc).uncoveredOf(user) != 0) {
            _remove(user, h, backedSats, holderIndex, ChangeReason.EMERGENCY_BURN);
            return;
        }
        _reweight(user, h, backedSats, h.stakedSats, _earnedCode(h), holderIndex);
        emit HolderPositionUpdated(user, backedSats);
    }

    /// @inheritdoc IYieldScalesPool
    function slashStake(address user) external nonReentrant returns (uint64 amountSats) {
        Holder memory h = _loadHolder(user);
        uint64 uncoveredSats = IWrBTC(wrbtc).uncoveredOf(user);
        amountSats = h.stakedSats < uncoveredSats ? uint64(h.stakedSats) : uncoveredSats;
        if (amountSats == 0) revert YieldNothingToSlash(user, h.stakedSats, uncoveredSats);
        uint256 holderIndex = _accrueAndRescale(true);
        if (_isActive(h.code)) {
            _remove(user, h, h.backedSats, holderIndex, ChangeReason.EMERGENCY_BURN);
            h = _loadHolder(user);
        }
        _reweight(user, h, h.backedSats, h.stakedSats - amountSats, h.code, holderIndex);
        // unchecked: the total includes this holder's stake, which is ≥ amountSats.
        unchecked {
            _totalStakedSats -= amountSats;
        }
        emit StakeSlashed(user, amountSats);
        // Burns the pool's own wrBTC (the stake) against the user's deficit.
        IWrBTC(wrbtc).retireUncovered(user, amountSats);
    }

    /*//////////////////////////////////////////////////////////////
                             LIQUIDITY SIDE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IYieldScalesPool
    function depositLiquidity(uint256 amount) external whenNotPaused nonReentrant {
        if (amount == 0) revert YieldZeroAmount();
        _accrueAndRescale(true);
        Provider memory p = _providers[msg.sender];
        uint256 newAmount = uint256(p.amount) + amount;
        if (newAmount > type(uint128).max) revert YieldAmountTooLarge(newAmount);
        _setLiquidity(msg.sender, p, newAmount);
        emit LiquidityDeposited(msg.sender, amount);
        IERC20(liquidityToken).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IYieldScalesPool
    function withdrawLiquidity(uint256 amount) external nonReentrant {
        if (amount == 0) revert YieldZeroAmount();
        Provider memory p = _providers[msg.sender];
        if (p.amount < amount) revert YieldInsufficientLiquidity(msg.sender, p.amount, amount);
        _accrueAndRescale(true);
        _setLiquidity(msg.sender, p, p.amount - amount);
        emit LiquidityWithdrawn(msg.sender, amount);
        IERC20(liquidityToken).safeTransfer(msg.sender, amount);
    }

    /*//////////////////////////////////////////////////////////////
                            REWARDS AND EXIT
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IYieldScalesPool
    function fundRewards(uint256 amount) external nonReentrant {
        if (amount == 0) revert YieldZeroAmount();
        _accrueAndRescale(true);
        uint256 newReserve = uint256(_rewardReserve) + amount;
        if (newReserve > type(uint128).max) revert YieldAmountTooLarge(newReserve);
        _rewardReserve = uint128(newReserve);
        emit RewardsFunded(msg.sender, amount);
        IERC20(rewardToken).safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc IYieldScalesPool
    function claim() external nonReentrant returns (uint256 amount) {
        uint256 holderIndex = _accrueAndRescale(true);
        amount = _collect(msg.sender, holderIndex);
        if (amount == 0) revert YieldNothingToClaim(msg.sender);
        // An earned tier applies from now, after collecting, so the claim pays exactly `claimableOf`.
        Holder memory h = _loadHolder(msg.sender);
        if (_isActive(h.code) && _earnedCode(h) != h.code) {
            _reweight(msg.sender, h, h.backedSats, h.stakedSats, _earnedCode(h), holderIndex);
        }
        _pay(msg.sender, amount);
    }

    /// @inheritdoc IYieldScalesPool
    function leave() external nonReentrant returns (uint256 amount) {
        Holder memory h = _loadHolder(msg.sender);
        Provider memory p = _providers[msg.sender];
        uint256 holderIndex = _accrueAndRescale(true);
        if (h.code == CODE_NONE && h.stakedSats == 0 && p.amount == 0 && _claimableNow(msg.sender) == 0) {
            revert YieldNoPosition(msg.sender);
        }
        bool wasActive = _isActive(h.code);
        uint64 stakedSats = h.stakedSats;
        if (stakedSats != 0) _requireCovered(msg.sender);
        uint256 liquidity = p.amount;
        _reweight(msg.sender, h, 0, 0, CODE_NONE, holderIndex);
        if (wasActive) {
            // unchecked: the holder was active, so the count is ≥ 1.
            unchecked {
                --_holderCount;
            }
        }
        if (stakedSats != 0) {
            // unchecked: the total includes this holder's stake.
            unchecked {
                _totalStakedSats -= stakedSats;
            }
        }
        if (liquidity != 0) _setLiquidity(msg.sender, p, 0);
        amount = _collect(msg.sender, holderIndex);
        emit Left(msg.sender);
        if (amount != 0) _pay(msg.sender, amount);
        if (stakedSats != 0) IERC20(wrbtc).safeTransfer(msg.sender, stakedSats);
        if (liquidity != 0) IERC20(liquidityToken).safeTransfer(msg.sender, liquidity);
    }

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IYieldScalesPool
    function setBaseRate(uint16 baseRateBps) external onlyRole(YIELD_ADMIN_ROLE) {
        if (baseRateBps > MAX_BASE_RATE_BPS) revert YieldBaseRateTooHigh(baseRateBps, MAX_BASE_RATE_BPS);
        _accrueAndRescale(true);
        uint16 old = _scale.baseRateBps;
        _scale.baseRateBps = baseRateBps;
        emit BaseRateSet(old, baseRateBps);
    }

    /// @inheritdoc IYieldScalesPool
    function setPrices(uint256 satPriceWad, uint256 liquidityPriceWad) external onlyRole(YIELD_ADMIN_ROLE) {
        _checkPrice(satPriceWad);
        _checkPrice(liquidityPriceWad);
        _accrueAndRescale(true);
        _satPriceWad = uint128(satPriceWad); // ≤ MAX_PRICE_WAD < 2^128 (checked above)
        _liquidityPriceWad = uint128(liquidityPriceWad);
        emit PricesSet(satPriceWad, liquidityPriceWad);
    }

    /// @inheritdoc IYieldScalesPool
    function pause() external onlyRole(YIELD_ADMIN_ROLE) {
        _accrueAndRescale(true);
        _pause();
    }

    /// @inheritdoc IYieldScalesPool
    function unpause() external onlyRole(YIELD_ADMIN_ROLE) {
        _accrueAndRescale(true); // moves lastAccrual past the paused interval, which earns nothing
        _unpause();
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IYieldScalesPool
    function currentRateBps() public view returns (uint256) {
        Scale memory s = _scale;
        if (paused() || s.peakSupplySats == 0) return 0;
        Accrual memory a = _pendingAccrual(s);
        if (uint256(_committedRewards) + a.committedDelta >= _rewardReserve) return 0;
        // Rounded up: any positive rate reports ≥ 1 bps, so 0 always means nothing accrues.
        return Math.mulDiv(s.baseRateBps, s.supplySats, s.peakSupplySats, Math.Rounding.Ceil);
    }

    /// @inheritdoc IYieldScalesPool
    function holderRateBps(address user) public view returns (uint256) {
        uint8 code = _holders[user].code;
        if (!_isActive(code)) return 0;
        return Math.mulDiv(currentRateBps(), _multiplierBps(code), BPS, Math.Rounding.Ceil);
    }

    /// @inheritdoc IYieldScalesPool
    function scaleWad() public view returns (uint256) {
        Scale memory s = _scale;
        if (s.peakSupplySats == 0) return 0;
        return (uint256(s.supplySats) * WAD) / s.peakSupplySats;
    }

    /// @inheritdoc IYieldScalesPool
    function reserveRunwaySeconds() public view returns (uint256) {
        Scale memory s = _scale;
        Accrual memory a = _pendingAccrual(s);
        uint256 committed = uint256(_committedRewards) + a.committedDelta;
        if (committed >= _rewardReserve) return 0;
        if (paused() || s.peakSupplySats == 0) return type(uint256).max;
        uint256 rateNumerator = uint256(s.baseRateBps) * s.supplySats;
        uint256 denominator = uint256(s.peakSupplySats) * BPS * SECONDS_PER_YEAR;
        uint256 perSecondWad =
            Math.mulDiv(uint256(s.totalHolderWeight) * rateNumerator, _satPriceWad, denominator * BPS) +
                Math.mulDiv(uint256(_totalLiquidity) * rateNumerator, _liquidityPriceWad, denominator);
        if (perSecondWad == 0) return type(uint256).max;
        return Math.mulDiv(_rewardReserve - committed, WAD, perSecondWad);
    }

    /// @inheritdoc IYieldScalesPool
    function claimableOf(address user) public view returns (uint256) {
        Accrual memory a = _pendingAccrual(_scale);
        return
            _holderClaimable(_holders[user], _holderIndex + a.holderIndexDelta) +
            _liquidityClaimable(_providers[user], _liquidityIndex + a.liquidityIndexDelta);
    }

    /// @inheritdoc IYieldScalesPool
    function claimedOf(address user) external view returns (uint256) {
        return _claimed[user];
    }

    /// @inheritdoc IYieldScalesPool
    function poolStatus() external view returns (PoolStatus memory status) {
        Scale memory s = _scale;
        Accrual memory a = _pendingAccrual(s);
        status = PoolStatus({
            rateBps: currentRateBps(),
            baseRateBps: s.baseRateBps,
            scaleWad: scaleWad(),
            supplySats: s.supplySats,
            peakSupplySats: s.peakSupplySats,
            holders: _holderCount,
            liquidityProviders: _providerCount,
            totalHolderWeight: s.totalHolderWeight,
            totalStakedSats: _totalStakedSats,
            totalLiquidity: _totalLiquidity,
            rewardReserve: _rewardReserve,
            committedRewards: uint256(_committedRewards) + a.committedDelta,
            runwaySeconds: reserveRunwaySeconds(),
            paused: paused()
        });
    }

    /// @inheritdoc IYieldScalesPool
    function userStatus(address user) external view returns (UserStatus memory status) {
        Holder memory h = _loadHolder(user);
        HolderState state =
            h.code == CODE_NONE
                ? HolderState.NONE
                : (h.code == CODE_REMOVED ? HolderState.REMOVED : HolderState.ACTIVE);
        bool active = state == HolderState.ACTIVE;
        status = UserStatus({
            state: state,
            tier: active ? Tier(h.code) : Tier.NONE,
            earnedTier: active ? Tier(_earnedCode(h)) : Tier.NONE,
            backedSats: h.backedSats,
            stakedSats: h.stakedSats,
            sinceTimestamp: h.sinceTimestamp,
            rateBps: holderRateBps(user),
            liquidity: _providers[user].amount,
            claimable: claimableOf(user),
            claimed: _claimed[user]
        });
    }

    /*//////////////////////////////////////////////////////////////
                            INTERNAL: ACCRUAL
    //////////////////////////////////////////////////////////////*/

    /// @dev Advances both indexes to now (bounded by the reserve), then observes the rBTC supply so the new scale
    ///      applies from this moment; stores the global slot. Returns the holder index.
    function _accrueAndRescale(bool announce) internal returns (uint256 holderIndex) {
        Scale memory s = _loadScale();
        holderIndex = _refreshScale(s, announce);
        _storeScale(s);
    }

    /// @dev `_accrueAndRescale` on the in-memory global slot `s` (the caller stores it): accrues, reads
    ///      `rbtc.totalSupply()`.
    ///      `announce` = false (the balance hook) observes the supply without `ScaleUpdated`, to keep the hook cheap;
    ///      the supply is RBTCSynth's, whose own events carry every change.
    function _refreshScale(Scale memory s, bool announce) internal returns (uint256 holderIndex) {
        holderIndex = _holderIndex;
        if (s.lastAccrual != block.timestamp) {
            Accrual memory a = _pendingAccrual(s);
            if (a.holderIndexDelta != 0) {
                holderIndex += a.holderIndexDelta;
                _holderIndex = holderIndex;
            }
            if (a.liquidityIndexDelta != 0) _liquidityIndex += a.liquidityIndexDelta;
            if (a.committedDelta != 0) {
                // ≤ reserve − committed (see _pendingAccrual), so it fits uint128.
                _committedRewards += uint128(a.committedDelta);
            }
            if (a.exhausted) emit RewardReserveExhausted(_committedRewards);
            s.lastAccrual = uint40(block.timestamp);
        }
        _setSupply(s, IRBTCSynth(rbtc).totalSupply().toUint64(), announce);
    }

    /// @dev The balance hook's sync path, on the packed words (no memory structs, no external call after the first
    ///      call of a second). `word` is the active holder's slot, `code` its applied tier. Skips the holder write
    ///      and the event when nothing changed. `newBackedSats` ≤ the rBTC supply ≤ MAX_BTC_SATS < 2^56 (RBTCSynth's
    ///      supply bound), so it fits the slot's 56-bit field.
    function _syncByHook(Holder storage slot, uint256 word, address user, uint64 newBackedSats, uint8 code) private {
        uint256 oldBackedSats = uint56(word);
        (uint256 scaleWord, uint256 holderIndex) = _hookScale(oldBackedSats, newBackedSats);
        uint8 newCode = _earnedCodeOf(code, uint32(word >> HOLDER_SINCE_SHIFT));
        if ((word & type(uint112).max) == 0) {
            // Backed and staked (the word's low 112 bits) both zero: from a zero weight the loyalty clock restarts at
            // Bronze (nothing was at stake, so no time was earned); the staked/since fields get only the new start.
            newCode = CODE_BRONZE;
            word = (word & ~HOLDER_STAKED_SINCE_MASK) | (block.timestamp << HOLDER_SINCE_SHIFT);
        }
        // The offset is the slot's top field: an arithmetic shift sign-extends it.
        int256 offset = int256(word) >> HOLDER_OFFSET_SHIFT;
        {
            uint256 stakedSats = uint56(word >> HOLDER_STAKED_SHIFT);
            uint256 oldWeight;
            uint256 newWeight;
            // unchecked: each side is < 2^57 sats and a multiplier < 2^14, so the weights are < 2^71.
            unchecked {
                oldWeight = (oldBackedSats + stakedSats) * _multiplierBps(code);
                newWeight = (uint256(newBackedSats) + stakedSats) * _multiplierBps(newCode);
            }
            if (oldWeight != newWeight) {
                offset = _movedOffset(offset, oldWeight, newWeight, holderIndex);
                // unchecked: the total includes oldWeight and the result is a sum of active weights ≤ 6.3e19 < 2^72.
                unchecked {
                    uint256 totalWeight = uint256(uint72(scaleWord >> SCALE_WEIGHT_SHIFT)) - oldWeight + newWeight;
                    scaleWord = uint256(uint184(scaleWord)) | (totalWeight << SCALE_WEIGHT_SHIFT);
                }
            }
        }
        assembly ("memory-safe") {
            sstore(_scale.slot, scaleWord)
        }
        uint256 newWord =
            uint256(newBackedSats) |
                (word & HOLDER_STAKED_SINCE_MASK) |
                (uint256(newCode) << HOLDER_CODE_SHIFT) |
                (uint256(uint104(int104(offset))) << HOLDER_OFFSET_SHIFT);
        if (newWord == word) return;
        assembly ("memory-safe") {
            sstore(slot.slot, newWord)
        }
        if (newCode > code) emit TierUpgraded(user, Tier(newCode));
        emit HolderPositionUpdated(user, newBackedSats);
    }

    /// @dev The global slot as the hook's sync path sees it (the caller stores it) and the current holder index.
    ///      Supply: it only matters from the next second on (accrual up to now uses the stored scale), so once this
    ///      second's first pool action has read the real supply (`_refreshScale`), the observed supply moves by each
    ///      participant's own change (`newBackedSats − oldBackedSats`) instead of calling `rbtc.totalSupply()` again.
    ///      Changes of non-participants in the same second are applied at the next real observation (as they always
    ///      were when they came after the last participant). A stored position stale enough to make the estimate
    ///      negative reads the real supply.
    function _hookScale(
        uint256 oldBackedSats,
        uint64 newBackedSats
    ) private returns (uint256 scaleWord, uint256 holderIndex) {
        assembly ("memory-safe") {
            scaleWord := sload(_scale.slot)
        }
        uint256 supply;
        // unchecked: two uint64 values in uint256.
        unchecked {
            supply = uint256(uint64(scaleWord >> SCALE_SUPPLY_SHIFT)) + newBackedSats;
        }
        if (uint40(scaleWord) != block.timestamp || supply < oldBackedSats) {
            Scale memory s = _decodeScale(scaleWord);
            holderIndex = _refreshScale(s, false);
            return (_encodeScale(s), holderIndex);
        }
        holderIndex = _holderIndex;
        // unchecked: supply ≥ oldBackedSats (checked above); the result is an rBTC supply ≤ MAX_BTC_SATS.
        unchecked {
            supply -= oldBackedSats;
        }
        uint256 peak = uint64(scaleWord >> SCALE_PEAK_SHIFT);
        if (supply > peak) peak = supply;
        scaleWord = (scaleWord & ~SCALE_SUPPLY_PEAK_MASK) | (supply << SCALE_SUPPLY_SHIFT) | (peak << SCALE_PEAK_SHIFT);
    }

    /// @dev Records an observed supply (and a new peak) in the in-memory global slot.
    function _setSupply(Scale memory s, uint64 supply, bool announce) internal {
        if (supply == s.supplySats) return;
        s.supplySats = supply;
        if (supply > s.peakSupplySats) s.peakSupplySats = supply;
        if (announce) emit ScaleUpdated(supply, s.peakSupplySats);
    }

    /// @dev What advancing from `s.lastAccrual` to now would add, at the stored scale and the uncommitted reserve.
    ///      Index deltas round down; the committed delta rounds up (both in the pool's favour) and never exceeds the
    ///      uncommitted reserve: when the full-rate accrual would, both deltas are scaled down to what is left.
    function _pendingAccrual(Scale memory s) internal view returns (Accrual memory a) {
        uint256 elapsed = block.timestamp - s.lastAccrual;
        if (elapsed == 0 || paused() || s.peakSupplySats == 0 || s.supplySats == 0 || s.baseRateBps == 0) return a;
        uint256 weight = s.totalHolderWeight;
        uint256 liquidity = _totalLiquidity;
        uint256 numerator = uint256(s.baseRateBps) * s.supplySats * elapsed;
        uint256 denominator = uint256(s.peakSupplySats) * BPS * SECONDS_PER_YEAR;
        if (weight != 0) a.holderIndexDelta = Math.mulDiv(numerator, _satPriceWad, denominator);
        if (liquidity != 0) a.liquidityIndexDelta = Math.mulDiv(numerator, _liquidityPriceWad, denominator);
        uint256 owed = _emission(weight, liquidity, a.holderIndexDelta, a.liquidityIndexDelta);
        if (owed == 0) return a;
        uint256 free = _rewardReserve - _committedRewards;
        if (owed > free) {
            a.exhausted = true;
            a.holderIndexDelta = Math.mulDiv(a.holderIndexDelta, free, owed);
            a.liquidityIndexDelta = Math.mulDiv(a.liquidityIndexDelta, free, owed);
            owed = Math.min(_emission(weight, liquidity, a.holderIndexDelta, a.liquidityIndexDelta), free);
        }
        a.committedDelta = owed;
    }

    /// @dev Reward units the index deltas hand out over all weight, rounded up.
    function _emission(
        uint256 weight,
        uint256 liquidity,
        uint256 holderIndexDelta,
        uint256 liquidityIndexDelta
    ) internal pure returns (uint256) {
        return
            Math.mulDiv(weight, holderIndexDelta, HOLDER_DIVISOR, Math.Rounding.Ceil) +
            Math.mulDiv(liquidity, liquidityIndexDelta, LIQUIDITY_DIVISOR, Math.Rounding.Ceil);
    }

    /*//////////////////////////////////////////////////////////////
                           INTERNAL: POSITIONS
    //////////////////////////////////////////////////////////////*/

    /// @dev Removes an active holder from accrual (`HolderRemoved`): an emergency burn, an upheld dispute that lowered
    ///      her total, or an uncovered deficit. `holderIndex` must be current.
    function _remove(
        address user,
        Holder memory h,
        uint256 backedSats,
        uint256 holderIndex,
        ChangeReason reason
    ) private {
        _reweight(user, h, backedSats, h.stakedSats, CODE_REMOVED, holderIndex);
        // unchecked: the holder was active, so the count is ≥ 1.
        unchecked {
            --_holderCount;
        }
        emit HolderRemoved(user, reason);
    }

    /// @dev Reverts while `user` has an uncovered wrBTC deficit: she may not join, stake or take staked wrBTC out.
    function _requireCovered(address user) private view {
        uint64 uncoveredSats = IWrBTC(wrbtc).uncoveredOf(user);
        if (uncoveredSats != 0) revert YieldUncoveredHolder(user, uncoveredSats);
    }

    /// @dev Stores `user`'s new holder position and re-weights it at `holderIndex` (already current): what was
    ///      claimable stays claimable (less ≤ 1 unit of rounding) and the new weight earns from now.
    function _reweight(
        address user,
        Holder memory h,
        uint256 backedSats,
        uint256 stakedSats,
        uint8 code,
        uint256 holderIndex
    ) internal {
        // The loyalty clock runs only while the holder has something at stake: it restarts from a zero weight.
        if (_isActive(code) && uint256(h.backedSats) + h.stakedSats == 0 && backedSats + stakedSats != 0) {
            h.sinceTimestamp = uint32(block.timestamp);
            code = CODE_BRONZE;
        }
        uint256 oldWeight = _weight(h.backedSats, h.stakedSats, h.code);
        uint256 newWeight = _weight(backedSats, stakedSats, code);
        if (oldWeight != newWeight) {
            h.offset = _movedOffset(h.offset, oldWeight, newWeight, holderIndex);
            // The total includes oldWeight; the result is a sum of active weights ≤ 6.3e19.
            Scale memory s = _loadScale();
            s.totalHolderWeight = uint72(uint256(s.totalHolderWeight) - oldWeight + newWeight);
            _storeScale(s);
        }
        if (_isActive(h.code) && _isActive(code) && code > h.code) emit TierUpgraded(user, Tier(code));
        h.backedSats = backedSats.toUint56();
        h.stakedSats = stakedSats.toUint56();
        h.code = code;
        if (code == CODE_NONE) h.sinceTimestamp = 0;
        _storeHolder(user, h);
    }

    /// @dev The offset after a holder's weight moves from `oldWeight` to `newWeight` at `holderIndex`: what was
    ///      claimable stays (floor of the old share), the new weight's share is rounded up (pool's favour). Same
    ///      results as `Math.mulDiv` in fewer opcodes (the balance hook's budget).
    function _movedOffset(
        int256 offset,
        uint256 oldWeight,
        uint256 newWeight,
        uint256 holderIndex
    ) internal pure returns (int104) {
        int256 moved;
        // unchecked: a weight is < 2^72 and the index grows by < 2^117 a year (highest base rate and price), so
        // `weight × index` stays < 2^256 for > 2^60 years; the quotients are < 2^183 and the offset an int104, so the
        // signed sum cannot overflow int256; the ceiling adds at most 1 to a quotient.
        unchecked {
            uint256 newShare = newWeight * holderIndex;
            newShare = newShare / HOLDER_DIVISOR + (newShare % HOLDER_DIVISOR == 0 ? 0 : 1);
            moved = offset + int256(newShare) - int256((oldWeight * holderIndex) / HOLDER_DIVISOR);
        }
        if (moved != int104(moved)) revert SafeCast.SafeCastOverflowedIntDowncast(104, moved);
        return int104(moved);
    }

    /// @dev Stores `user`'s new liquidity and re-weights it at the current liquidity index.
    function _setLiquidity(address user, Provider memory p, uint256 newAmount) internal {
        uint256 index = _liquidityIndex;
        int256 offset =
            int256(p.offset) +
                int256(Math.mulDiv(newAmount, index, LIQUIDITY_DIVISOR, Math.Rounding.Ceil)) -
                int256(Math.mulDiv(p.amount, index, LIQUIDITY_DIVISOR));
        if (p.amount == 0 && newAmount != 0) ++_providerCount;
        if (p.amount != 0 && newAmount == 0) --_providerCount;
        _totalLiquidity = uint128(uint256(_totalLiquidity) - p.amount + newAmount); // checked ≤ uint128 by callers
        _providers[user] = Provider({amount: uint128(newAmount), offset: offset.toInt128()});
    }

    /// @dev Books everything `user` can claim on both sides as paid (indexes current) and returns it.
    function _collect(address user, uint256 holderIndex) internal returns (uint256 amount) {
        Holder storage h = _holders[user];
        uint256 fromHolder = _holderClaimable(h, holderIndex);
        if (fromHolder != 0) h.offset = (int256(h.offset) + int256(fromHolder)).toInt104();
        Provider storage p = _providers[user];
        uint256 fromLiquidity = _liquidityClaimable(p, _liquidityIndex);
        if (fromLiquidity != 0) p.offset = (int256(p.offset) + int256(fromLiquidity)).toInt128();
        amount = fromHolder + fromLiquidity;
    }

    /// @dev Pays `amount` reward units to `user` out of the committed reserve.
    function _pay(address user, uint256 amount) internal {
        // Σ claimable ≤ committed ≤ reserve (class invariant), so both subtractions hold.
        _committedRewards -= uint128(amount);
        _rewardReserve -= uint128(amount);
        _claimed[user] += amount;
        emit Claimed(user, amount);
        IERC20(rewardToken).safeTransfer(user, amount);
    }

    /*//////////////////////////////////////////////////////////////
                       INTERNAL: PACKED STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev Reads a holder with one SLOAD (the compiler would issue one per member).
    function _loadHolder(address user) internal view returns (Holder memory) {
        Holder storage slot = _holders[user];
        uint256 word;
        assembly ("memory-safe") {
            word := sload(slot.slot)
        }
        return _decodeHolder(word);
    }

    /// @dev Writes a holder with one SSTORE.
    function _storeHolder(address user, Holder memory h) internal {
        Holder storage slot = _holders[user];
        uint256 word =
            uint256(h.backedSats) |
                (uint256(h.stakedSats) << HOLDER_STAKED_SHIFT) |
                (uint256(h.sinceTimestamp) << HOLDER_SINCE_SHIFT) |
                (uint256(h.code) << HOLDER_CODE_SHIFT) |
                (uint256(uint104(h.offset)) << HOLDER_OFFSET_SHIFT);
        assembly ("memory-safe") {
            sstore(slot.slot, word)
        }
    }

    function _decodeHolder(uint256 word) internal pure returns (Holder memory h) {
        h.backedSats = uint56(word);
        h.stakedSats = uint56(word >> HOLDER_STAKED_SHIFT);
        h.sinceTimestamp = uint32(word >> HOLDER_SINCE_SHIFT);
        h.code = uint8(word >> HOLDER_CODE_SHIFT);
        h.offset = int104(uint104(word >> HOLDER_OFFSET_SHIFT));
    }

    /// @dev Reads the scale slot with one SLOAD.
    function _loadScale() internal view returns (Scale memory) {
        uint256 word;
        assembly ("memory-safe") {
            word := sload(_scale.slot)
        }
        return _decodeScale(word);
    }

    /// @dev Writes the scale slot with one SSTORE.
    function _storeScale(Scale memory s) internal {
        uint256 word = _encodeScale(s);
        assembly ("memory-safe") {
            sstore(_scale.slot, word)
        }
    }

    function _decodeScale(uint256 word) internal pure returns (Scale memory s) {
        s.lastAccrual = uint40(word);
        s.supplySats = uint64(word >> SCALE_SUPPLY_SHIFT);
        s.peakSupplySats = uint64(word >> SCALE_PEAK_SHIFT);
        s.baseRateBps = uint16(word >> SCALE_RATE_SHIFT);
        s.totalHolderWeight = uint72(word >> SCALE_WEIGHT_SHIFT);
    }

    function _encodeScale(Scale memory s) internal pure returns (uint256) {
        return
            uint256(s.lastAccrual) |
            (uint256(s.supplySats) << SCALE_SUPPLY_SHIFT) |
            (uint256(s.peakSupplySats) << SCALE_PEAK_SHIFT) |
            (uint256(s.baseRateBps) << SCALE_RATE_SHIFT) |
            (uint256(s.totalHolderWeight) << SCALE_WEIGHT_SHIFT);
    }

    /*//////////////////////////////////////////////////////////////
                             INTERNAL: VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @dev Claimable of `user` after accruing to now (for `leave`, indexes already current).
    function _claimableNow(address user) internal view returns (uint256) {
        return _holderClaimable(_holders[user], _holderIndex) + _liquidityClaimable(_providers[user], _liquidityIndex);
    }

    function _holderClaimable(Holder memory h, uint256 holderIndex) internal pure returns (uint256) {
        int256 value =
            int256(Math.mulDiv(_weight(h.backedSats, h.stakedSats, h.code), holderIndex, HOLDER_DIVISOR)) - h.offset;
        return value > 0 ? uint256(value) : 0;
    }

    function _liquidityClaimable(Provider memory p, uint256 index) internal pure returns (uint256) {
        int256 value = int256(Math.mulDiv(p.amount, index, LIQUIDITY_DIVISOR)) - p.offset;
        return value > 0 ? uint256(value) : 0;
    }

    /// @dev Holder weight: (backed + staked) sats × the applied multiplier; zero unless active.
    function _weight(uint256 backedSats, uint256 stakedSats, uint8 code) internal pure returns (uint256) {
        if (!_isActive(code)) return 0;
        return (backedSats + stakedSats) * _multiplierBps(code);
    }

    /// @dev The tier code `h` has earned by continuous participation (≥ its applied code; never lowers it).
    function _earnedCode(Holder memory h) internal view returns (uint8) {
        return _earnedCodeOf(h.code, h.sinceTimestamp);
    }

    /// @dev `_earnedCode` of an applied `code` and a participation start `sinceTimestamp`.
    function _earnedCodeOf(uint8 code, uint256 sinceTimestamp) internal view returns (uint8) {
        uint256 elapsed;
        // unchecked: a participation start is never in the future.
        unchecked {
            elapsed = block.timestamp - sinceTimestamp;
        }
        uint8 earned =
            elapsed >= GOLD_AFTER_SECONDS ? CODE_GOLD : (elapsed >= SILVER_AFTER_SECONDS ? CODE_SILVER : CODE_BRONZE);
        return earned > code ? earned : code;
    }

    /// @dev Multiplier of an active tier code (a table lookup: the balance hook's budget).
    function _multiplierBps(uint8 code) internal pure returns (uint256) {
        return uint16(MULTIPLIER_TABLE >> (uint256(code) << MULTIPLIER_ENTRY_SHIFT));
    }

    function _isActive(uint8 code) internal pure returns (bool) {
        return code != CODE_NONE && code != CODE_REMOVED;
    }

    function _checkPrice(uint256 priceWad) internal pure {
        if (priceWad < MIN_PRICE_WAD || priceWad > MAX_PRICE_WAD) revert YieldPriceOutOfBounds(priceWad);
    }
}
