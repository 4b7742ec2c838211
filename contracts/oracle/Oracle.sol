// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";
import {IFeePolicy} from "../interfaces/IFeePolicy.sol";
import {IFeeVault} from "../interfaces/IFeeVault.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {ADMIN_TRANSFER_DELAY, MAX_BTC_SATS} from "../libraries/Constants.sol";
import {BindingRegistry} from "./BindingRegistry.sol";
import {PositionResets} from "./PositionResets.sol";
import {UserState} from "./UserState.sol";

/// @title Oracle — the committee oracle that keeps each user's rBTC equal to their confirmed BTC
/// @notice See {IOracle}. N operators with threshold M sign EIP-712 batches; anyone submits them.
/// @dev Gas layout: one packed word per user (`UserState.UserSlot`: attested total, sequence, height, time, binding
///      count, flags and the user's mint window), read with one SLOAD and written with one SSTORE per report. The
///      rarely used queue and deferred amounts live in a second slot (`UserState.MintSlot`) that a report only touches
///      when the user's flags say it holds something. The binding registry and the out-of-band resets are external
///      libraries (BindingRegistry, PositionResets) running on this contract's storage. The configuration is one
///      slot (`ConfigSlot`) and the global state another (`GlobalSlot`), loaded once per batch and written back once.
///      Every state-changing entry point is `nonReentrant` (transient storage): `sync` keeps the global slot in memory
///      across external calls (FeeVault, RBTCSynth, WrBTC, the balance hook), so no call may re-enter and write it in
///      between.
contract Oracle is IOracle, AccessControlDefaultAdminRules, EIP712, Pausable, ReentrancyGuardTransient {
    using UserState for mapping(address => uint256);

    /*//////////////////////////////////////////////////////////////
                               CONSTANTS
    //////////////////////////////////////////////////////////////*/

    /// @notice Role that manages the committee, mint caps, staleness bounds and confirmation depth.
    bytes32 public constant CONFIG_ROLE = keccak256("CONFIG_ROLE");
    /// @notice Role that pauses, unpauses and cancels queued mints.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");

    /// @notice Largest committee.
    uint256 public constant MAX_COMMITTEE_SIZE = 32;
    /// @notice Longest BTC address string, in bytes (bech32 addresses are at most 90 characters).
    uint256 public constant MAX_BTC_ADDRESS_LENGTH = BindingRegistry.MAX_BTC_ADDRESS_LENGTH;
    /// @notice Most BTC addresses one user may have bound at once.
    uint256 public constant MAX_BINDINGS_PER_USER = BindingRegistry.MAX_BINDINGS_PER_USER;

    /// @notice EIP-712 type hash of one report.
    bytes32 public constant REPORT_TYPEHASH = keccak256(
        "Report(address user,uint64 newTotalSats,uint64 btcHeight,bytes32 btcBlockHash,uint64 sequence)"
    );
    /// @notice EIP-712 type hash of a sync batch.
    bytes32 public constant SYNC_BATCH_TYPEHASH = keccak256(
        "SyncBatch(Report[] reports,uint256 deadline)"
        "Report(address user,uint64 newTotalSats,uint64 btcHeight,bytes32 btcBlockHash,uint64 sequence)"
    );
    /// @notice EIP-712 type hash of a binding request.
    bytes32 public constant BINDING_TYPEHASH = keccak256(
        "Binding(address user,string btcAddress,bytes32 proofDigest,uint64 nonce,uint256 deadline)"
    );

    /// @notice EIP-712 type hash of a binding revocation.
    bytes32 public constant REVOCATION_TYPEHASH = keccak256(
        "Revocation(address user,string btcAddress,uint64 nonce,uint256 deadline)"
    );
    /// @notice Fee grace period until `setFeeGracePeriod` is called.
    uint32 public constant DEFAULT_FEE_GRACE_PERIOD = 7 days;
    /// @notice Gas stipend of one balance-hook call.
    uint256 public constant BALANCE_HOOK_GAS = UserState.BALANCE_HOOK_GAS;

    /// @dev ABI size of one `Report` in calldata (five static words).
    uint256 private constant REPORT_CALLDATA_BYTES = 0xa0;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev The whole configuration except the committee, in one slot (256 bits).
    struct ConfigSlot {
        uint32 mintWindowSeconds;
        uint64 userMintCapSats;
        uint64 globalMintCapSats;
        uint32 mintDelaySeconds;
        uint32 maxReportValiditySeconds;
        uint32 maxBtcHeightLag;
    }

    /// @dev Global mint window, highest attested height, committee epoch/threshold, confirmations (248 bits).
    struct GlobalSlot {
        uint32 windowIndex;
        uint64 windowMintedSats;
        uint64 highestBtcHeight;
        uint64 epoch;
        uint8 threshold;
        uint16 minConfirmations;
    }

    /// @inheritdoc IOracle
    address public immutable rbtc;
    /// @inheritdoc IOracle
    address public immutable wrbtc;
    /// @inheritdoc IOracle
    address public immutable feeVault;
    /// @inheritdoc IOracle
    address public immutable feePolicy;

    ConfigSlot private _config;
    GlobalSlot private _global;

    /// @dev Current operators (sorted as given).
    address[] private _operators;
    /// @dev Committee epoch in which an address was last made an operator; it is one iff the value equals the epoch.
    mapping(address operator => uint64 epoch) private _operatorEpoch;

    mapping(address user => uint256 packed) private _users;
    mapping(address user => UserState.MintSlot) private _mints;

    /// @inheritdoc IOracle
    address public balanceHook;
    UserState.EmergencySlot private _emergency;

    /// @inheritdoc IOracle
    mapping(uint64 btcHeight => bytes32 blockHash) public btcAnchor;
    /// @dev Bindings, binding nonces and the user list (see BindingRegistry).
    BindingRegistry.Registry private _registry;

    /*//////////////////////////////////////////////////////////////
                              CONSTRUCTOR
    //////////////////////////////////////////////////////////////*/

    /// @param admin Receives DEFAULT_ADMIN_ROLE, CONFIG_ROLE and GUARDIAN_ROLE.
    /// @param rbtc_ The rBTC-SYNTH ledger.
    /// @param wrbtc_ The wrBTC vault.
    /// @param feeVault_ The FeeVault.
    /// @param feePolicy_ The FeePolicy.
    /// @param config Committee, threshold, confirmations, mint caps and staleness bounds (validated like the setters).
    constructor(
        address admin,
        address rbtc_,
        address wrbtc_,
        address feeVault_,
        address feePolicy_,
        Config memory config
    ) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) EIP712("ReserveBTC Oracle", "1") {
        if (rbtc_ == address(0) || wrbtc_ == address(0) || feeVault_ == address(0) || feePolicy_ == address(0)) {
            revert OracleZeroAddress();
        }
        rbtc = rbtc_;
        wrbtc = wrbtc_;
        feeVault = feeVault_;
        feePolicy = feePolicy_;
        _grantRole(CONFIG_ROLE, admin);
        _grantRole(GUARDIAN_ROLE, admin);
        _setCommittee(config.operators, config.threshold);
        _setMintCaps(
            config.mintWindowSeconds,
            config.userMintCapSats,
            config.globalMintCapSats,
            config.mintDelaySeconds
        );
        _setStaleness(config.maxReportValiditySeconds, config.maxBtcHeightLag);
        _setMinConfirmations(config.minConfirmations);
        _emergency.feeGracePeriodSeconds = DEFAULT_FEE_GRACE_PERIOD;
    }

    /// @dev Only the wired DisputeManager.
    modifier onlyDisputeManager() {
        if (msg.sender != _emergency.disputeManager || msg.sender == address(0)) {
            revert OracleNotDisputeManager(msg.sender);
        }
        _;
    }

    /*//////////////////////////////////////////////////////////////
                               COMMITTEE
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOracle
    /// @dev Not `whenNotPaused`: while paused, rises are held back and drops still apply.
    function sync(Report[] calldata reports, uint256 deadline, bytes[] calldata signatures) external nonReentrant {
        uint256 count = reports.length;
        if (count == 0) revert OracleEmptyBatch();
        ConfigSlot memory cfg = _config;
        _checkDeadline(deadline, cfg.maxReportValiditySeconds);
        GlobalSlot memory g = _global;
        _verifySignatures(_hashSyncBatch(reports, deadline), signatures, g.epoch, g.threshold);

        uint32 windowIndex = uint32(block.timestamp / cfg.mintWindowSeconds);
        if (g.windowIndex != windowIndex) {
            g.windowIndex = windowIndex;
            g.windowMintedSats = 0;
        }
        // Cache of the last anchor written or checked in this batch: most batches share one Bitcoin tip.
        uint64 anchorHeight = type(uint64).max;
        bytes32 anchorHash;
        bool holdRises = paused();
        for (uint256 i; i < count; ++i) {
            Report calldata r = reports[i];
            if (r.btcHeight != anchorHeight || r.btcBlockHash != anchorHash) {
                anchorHeight = r.btcHeight;
                anchorHash = r.btcBlockHash;
                _anchor(anchorHeight, anchorHash);
            }
            _applyReport(r, cfg, g, windowIndex, holdRises);
        }
        _global = g;
    }

    /// @inheritdoc IOracle
    function bindAddress(
        BindingRequest calldata request,
        bytes[] calldata signatures
    ) external whenNotPaused nonReentrant {
        if (request.user == address(0)) revert OracleZeroAddress();
        _checkDeadline(request.deadline, _config.maxReportValiditySeconds);
        GlobalSlot memory g = _global;
        _verifySignatures(_hashBinding(request), signatures, g.epoch, g.threshold);
        BindingRegistry.bind(_registry, _users, request);
    }

    /// @inheritdoc IOracle
    function unbindAddress(string calldata btcAddress) external nonReentrant {
        BindingRegistry.unbind(_registry, _users, msg.sender, btcAddress);
        PositionResets.consumeSoft(_users, _mints, msg.sender, ConsumeCause.UNBIND);
    }

    /// @inheritdoc IOracle
    function executeQueuedMint(address user) external whenNotPaused nonReentrant {
        if (_users.hasFlag(user, UserState.FLAG_FROZEN)) revert OracleSyncFrozen(user);
        UserState.MintSlot storage m = _mints[user];
        uint64 amountSats = m.queuedSats;
        uint40 readyAt = m.queuedReadyAt;
        if (amountSats == 0 || block.timestamp < readyAt) {
            revert OracleQueuedMintNotReady(user, readyAt, block.timestamp);
        }
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        uint256 word = _users[user] & ~(uint256(UserState.FLAG_QUEUED) << UserState.FLAGS_SHIFT);
        _users[user] = word;
        emit QueuedMintExecuted(user, amountSats);
        IRBTCSynth(rbtc).mint(user, amountSats);
        // With nothing queued, the backed balance equals the attested total (the word's low bits).
        UserState.notifyBalanceHook(
            balanceHook,
            user,
            uint64(word & UserState.SATS_MASK),
            IBalanceHook.ChangeReason.SYNC
        );
    }

    /*//////////////////////////////////////////////////////////////
                      EMERGENCY BURNS AND DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOracle
    /// @dev Not paused: a burn only removes rBTC.
    function emergencyBurnFeeExhausted(address user) external nonReentrant {
        PositionResets.feeExhausted(_users, _mints, _emergency, _wiring(), user);
    }

    /// @inheritdoc IOracle
    function revokeBinding(Revocation calldata revocation, bytes[] calldata signatures) external nonReentrant {
        address user = revocation.user;
        _checkDeadline(revocation.deadline, _config.maxReportValiditySeconds);
        uint64 nonce = _registry.nonceOf[user];
        if (revocation.nonce != nonce) revert OracleBadBindingNonce(user, nonce, revocation.nonce);
        GlobalSlot memory g = _global;
        _verifySignatures(_hashRevocation(revocation), signatures, g.epoch, g.threshold);
        unchecked {
            // Cannot overflow: one nonce per transaction.
            _registry.nonceOf[user] = nonce + 1;
        }
        // A user who unbound the address first (or whose address is now someone else's) is burned all the same.
        if (_registry.recordOf[keccak256(bytes(revocation.btcAddress))].user == user) {
            BindingRegistry.unbind(_registry, _users, user, revocation.btcAddress);
        }
        PositionResets.revoke(_users, _mints, _emergency, _wiring(), user);
    }

    /// @inheritdoc IOracle
    function setSyncFrozen(address user, bool frozen) external onlyDisputeManager nonReentrant {
        PositionResets.setFrozen(_users, _mints, rbtc, user, frozen);
    }

    /// @inheritdoc IOracle
    /// @dev A mint here bypasses fees and caps: the resolver's decision is the guard (only the DisputeManager, only
    ///      on an upheld dispute, can call).
    function applyDisputeResolution(address user, uint64 resolvedSats) external onlyDisputeManager nonReentrant {
        if (resolvedSats > MAX_BTC_SATS) revert OracleTotalTooLarge(user, resolvedSats);
        PositionResets.resolveDispute(_users, _mints, _emergency, _wiring(), user, resolvedSats);
    }

    /// @dev The contracts `PositionResets` acts on.
    function _wiring() private view returns (PositionResets.Wiring memory) {
        return PositionResets.Wiring({rbtc: rbtc, wrbtc: wrbtc, hook: balanceHook});
    }

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOracle
    function setCommittee(address[] calldata operators, uint8 threshold) external onlyRole(CONFIG_ROLE) {
        _setCommittee(operators, threshold);
    }

    /// @inheritdoc IOracle
    function setMintCaps(
        uint32 mintWindowSeconds,
        uint64 userMintCapSats,
        uint64 globalMintCapSats,
        uint32 mintDelaySeconds
    ) external onlyRole(CONFIG_ROLE) {
        _setMintCaps(mintWindowSeconds, userMintCapSats, globalMintCapSats, mintDelaySeconds);
    }

    /// @inheritdoc IOracle
    function setStaleness(uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag) external onlyRole(CONFIG_ROLE) {
        _setStaleness(maxReportValiditySeconds, maxBtcHeightLag);
    }

    /// @inheritdoc IOracle
    function setMinConfirmations(uint16 minConfirmations_) external onlyRole(CONFIG_ROLE) {
        _setMinConfirmations(minConfirmations_);
    }

    /// @inheritdoc IOracle
    function setDisputeManager(address disputeManager_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (_emergency.disputeManager != address(0)) revert OracleAlreadyWired();
        if (disputeManager_ == address(0)) revert OracleZeroAddress();
        _emergency.disputeManager = disputeManager_;
        emit DisputeManagerWired(disputeManager_);
    }

    /// @inheritdoc IOracle
    function setFeeGracePeriod(uint32 feeGracePeriodSeconds_) external onlyRole(CONFIG_ROLE) {
        if (feeGracePeriodSeconds_ == 0) revert OracleInvalidParameter("feeGracePeriodSeconds");
        _emergency.feeGracePeriodSeconds = feeGracePeriodSeconds_;
        emit FeeGracePeriodUpdated(feeGracePeriodSeconds_);
    }

    /// @inheritdoc IOracle
    function setBalanceHook(address hook) external onlyRole(CONFIG_ROLE) {
        // A call to a code-less address reverts outside try/catch, so only contracts (or zero) are accepted.
        if (hook != address(0) && hook.code.length == 0) revert OracleHookNotContract(hook);
        balanceHook = hook;
        emit BalanceHookUpdated(hook);
    }

    /// @inheritdoc IOracle
    function cancelQueuedMint(address user) external onlyRole(GUARDIAN_ROLE) nonReentrant {
        UserState.MintSlot storage m = _mints[user];
        uint64 amountSats = m.queuedSats;
        if (amountSats == 0) revert OracleQueuedMintNotReady(user, m.queuedReadyAt, block.timestamp);
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        unchecked {
            // Cannot borrow from the neighbouring field: attestedSats (the low bits) ≥ queuedSats, as per user
            // rbtc.totalBackedOf + queuedSats == attestedSats.
            _users[user] = (_users[user] - amountSats) & ~(uint256(UserState.FLAG_QUEUED) << UserState.FLAGS_SHIFT);
        }
        emit QueuedMintCancelled(user, amountSats, msg.sender);
    }

    /// @inheritdoc IOracle
    function pause() external onlyRole(GUARDIAN_ROLE) {
        _pause();
    }

    /// @inheritdoc IOracle
    function unpause() external onlyRole(GUARDIAN_ROLE) {
        _unpause();
    }

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOracle
    function hashSyncBatch(Report[] calldata reports, uint256 deadline) external view returns (bytes32) {
        return _hashSyncBatch(reports, deadline);
    }

    /// @inheritdoc IOracle
    function hashBinding(BindingRequest calldata request) external view returns (bytes32) {
        return _hashBinding(request);
    }

    /// @inheritdoc IOracle
    function hashRevocation(Revocation calldata revocation) external view returns (bytes32) {
        return _hashRevocation(revocation);
    }

    /// @inheritdoc IOracle
    function feeUnpaidSince(address user) external view returns (uint64) {
        return _mints[user].feeUnpaidSince;
    }

    /// @inheritdoc IOracle
    function isSyncFrozen(address user) external view returns (bool) {
        return _users.hasFlag(user, UserState.FLAG_FROZEN);
    }

    /// @inheritdoc IOracle
    function emergencyBurnCount() external view returns (uint64) {
        return _emergency.emergencyBurnCount;
    }

    /// @inheritdoc IOracle
    function feeGracePeriodSeconds() external view returns (uint32) {
        return _emergency.feeGracePeriodSeconds;
    }

    /// @inheritdoc IOracle
    function disputeManager() external view returns (address) {
        return _emergency.disputeManager;
    }

    /// @inheritdoc IOracle
    function committee() external view returns (address[] memory operators, uint8 threshold, uint64 epoch) {
        return (_operators, _global.threshold, _global.epoch);
    }

    /// @inheritdoc IOracle
    function isOperator(address account) public view returns (bool) {
        return account != address(0) && _operatorEpoch[account] == _global.epoch;
    }

    /// @inheritdoc IOracle
    function userState(address user) public view returns (UserView memory) {
        UserState.UserSlot memory u = _users.load(user);
        UserState.MintSlot storage m = _mints[user];
        return
            UserView({
                attestedSats: u.attestedSats,
                sequence: u.sequence,
                btcHeight: u.btcHeight,
                lastSyncAt: u.lastSyncAt,
                bindingCount: u.bindingCount,
                deferredSats: m.deferredSats,
                queuedSats: m.queuedSats,
                queuedReadyAt: m.queuedReadyAt,
                syncFrozen: u.flags & UserState.FLAG_FROZEN != 0,
                feeUnpaidSince: m.feeUnpaidSince
            });
    }

    /// @inheritdoc IOracle
    function userStates(address[] calldata users) external view returns (UserView[] memory states) {
        states = new UserView[](users.length);
        for (uint256 i; i < users.length; ++i) {
            states[i] = userState(users[i]);
        }
    }

    /// @inheritdoc IOracle
    function usersLength() external view returns (uint256) {
        return _registry.users.length;
    }

    /// @inheritdoc IOracle
    function usersSlice(uint256 start, uint256 end) external view returns (address[] memory) {
        return BindingRegistry.usersSlice(_registry, start, end);
    }

    /// @inheritdoc IOracle
    function bindingsLength() external view returns (uint256) {
        return _registry.hashes.length;
    }

    /// @inheritdoc IOracle
    function bindingsSlice(uint256 start, uint256 end) external view returns (Binding[] memory) {
        return BindingRegistry.bindingsSlice(_registry, start, end);
    }

    /// @inheritdoc IOracle
    function ownerOfBtcAddress(string calldata btcAddress) external view returns (address) {
        return _registry.recordOf[keccak256(bytes(btcAddress))].user;
    }

    /// @inheritdoc IOracle
    function addressesOf(address user) external view returns (string[] memory) {
        return BindingRegistry.addressesOf(_registry, user);
    }

    /// @inheritdoc IOracle
    function bindingNonce(address user) external view returns (uint64) {
        return _registry.nonceOf[user];
    }

    /// @inheritdoc IOracle
    function highestBtcHeight() external view returns (uint64) {
        return _global.highestBtcHeight;
    }

    /// @inheritdoc IOracle
    function minConfirmations() external view returns (uint16) {
        return _global.minConfirmations;
    }

    /// @inheritdoc IOracle
    function mintCaps()
        external
        view
        returns (uint32 windowSeconds, uint64 userCapSats, uint64 globalCapSats, uint32 delaySeconds)
    {
        ConfigSlot memory cfg = _config;
        return (cfg.mintWindowSeconds, cfg.userMintCapSats, cfg.globalMintCapSats, cfg.mintDelaySeconds);
    }

    /// @inheritdoc IOracle
    function staleness() external view returns (uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag) {
        return (_config.maxReportValiditySeconds, _config.maxBtcHeightLag);
    }

    /// @inheritdoc IOracle
    function globalMintedInWindow() external view returns (uint64) {
        GlobalSlot memory g = _global;
        return g.windowIndex == block.timestamp / _config.mintWindowSeconds ? g.windowMintedSats : 0;
    }

    /*//////////////////////////////////////////////////////////////
                            INTERNAL: REPORTS
    //////////////////////////////////////////////////////////////*/

    /// @dev Validates one report and applies its delta, or skips it (`ReportSkipped`) when a user or a third party
    ///      changed what it was signed against. `g` is the batch's in-memory global state. The user's word is written
    ///      once, before the rBTC/wrBTC calls.
    function _applyReport(
        Report calldata r,
        ConfigSlot memory cfg,
        GlobalSlot memory g,
        uint32 windowIndex,
        bool holdRises
    ) private {
        address user = r.user;
        if (user == address(0)) revert OracleZeroAddress();
        UserState.UserSlot memory u = _users.load(user);
        if (!_admit(r, u, cfg.maxBtcHeightLag, g, holdRises)) return;
        uint64 previousSats = u.attestedSats;
        uint64 newTotalSats = r.newTotalSats;
        // A new report supersedes the deferred delta; the flag stays until the outcome is known (fee clock).
        if (u.flags & UserState.FLAG_DEFERRED != 0) _mints[user].deferredSats = 0;
        uint64 mintSats;
        uint64 burnSats;
        if (newTotalSats > previousSats) {
            uint64 deltaSats;
            unchecked {
                // Cannot underflow: newTotalSats > previousSats.
                deltaSats = newTotalSats - previousSats;
            }
            if (!_chargeFee(user, deltaSats, u.flags & UserState.FLAG_DEFERRED != 0)) {
                // Deferred: the report is consumed, the total stays; the next report after a top-up mints it.
                u.flags |= UserState.FLAG_DEFERRED;
                newTotalSats = previousSats;
            } else {
                u.flags &= ~UserState.FLAG_DEFERRED;
                mintSats = _takeMintRoom(user, u, deltaSats, cfg, g, windowIndex);
            }
        } else {
            // A total that no longer exceeds the attested one clears a deferral: the unpaid rise is gone.
            u.flags &= ~UserState.FLAG_DEFERRED;
            if (newTotalSats < previousSats) {
                unchecked {
                    // Cannot underflow: newTotalSats < previousSats.
                    burnSats = _shrinkQueue(user, u, previousSats - newTotalSats);
                }
            }
        }
        u.attestedSats = newTotalSats;
        _users.store(user, u);
        emit Synced(user, previousSats, newTotalSats, u.btcHeight, r.btcBlockHash, u.sequence);
        if (mintSats != 0) IRBTCSynth(rbtc).mint(user, mintSats);
        IBalanceHook.ChangeReason reason = burnSats != 0 ? _burnDrop(user, burnSats) : IBalanceHook.ChangeReason.SYNC;
        if (newTotalSats != previousSats) _notifyAfterReport(user, u, newTotalSats, reason);
    }

    /// @dev Burns a report's drop (free → escrow, slashing wrBTC) and returns how the balance hook hears it: BTC that
    ///      left while wrapped beyond what the holder's wrBTC covers is a BACKING_LOST emergency burn (the deficit is
    ///      recorded in WrBTC, and the yield pool removes the holder: an uncovered holder earns nothing).
    function _burnDrop(address user, uint64 burnSats) private returns (IBalanceHook.ChangeReason) {
        (, uint64 fromEscrowSats) = IRBTCSynth(rbtc).burn(user, burnSats);
        if (fromEscrowSats == 0 || UserState.slash(wrbtc, user, fromEscrowSats) == 0)
            return IBalanceHook.ChangeReason.SYNC;
        UserState.countEmergencyBurn(_emergency, user, burnSats, EmergencyBurnReason.BACKING_LOST);
        return IBalanceHook.ChangeReason.EMERGENCY_BURN;
    }

    /// @dev Notifies the balance hook (when set) of a report's new backed balance: attested − queued (per user,
    ///      rbtc.totalBackedOf + queuedSats == attestedSats); the queue slot is read only when flagged as used.
    function _notifyAfterReport(
        address user,
        UserState.UserSlot memory u,
        uint64 newTotalSats,
        IBalanceHook.ChangeReason reason
    ) private {
        address hook = balanceHook;
        if (hook == address(0)) return;
        uint64 queuedSats = u.flags & UserState.FLAG_QUEUED != 0 ? _mints[user].queuedSats : 0;
        unchecked {
            // Cannot underflow: queuedSats ≤ attestedSats (the invariant above).
            UserState.notifyBalanceHook(hook, user, newTotalSats - queuedSats, reason);
        }
    }

    /// @dev Charges the fee of minting `mintSats`; false (with `NeedsTopUp`, the deferred amount stored) when FeeVault
    ///      cannot pay. The unpaid-fee clock starts at the first of a run of deferred reports (`wasDeferred` false).
    function _chargeFee(address user, uint64 mintSats, bool wasDeferred) private returns (bool paid) {
        uint256 feeWei = IFeePolicy(feePolicy).quote(mintSats);
        if (feeWei == 0 || IFeeVault(feeVault).spendFrom(user, feeWei)) return true;
        UserState.MintSlot storage m = _mints[user];
        m.deferredSats = mintSats;
        if (!wasDeferred) m.feeUnpaidSince = uint40(block.timestamp);
        emit NeedsTopUp(user, mintSats, feeWei, IFeeVault(feeVault).balanceOf(user));
        return false;
    }

    /// @dev Admits a report against the user's stored state `u` and advances `u` to it, or skips it
    ///      (`ReportSkipped`, returns false) when a user or a third party changed what it was signed against:
    ///      - a stale report (its sequence used or consumed) is skipped, except one drop signed after the last applied
    ///        report and before a soft change (`UserState.FLAG_SOFT`): the user cannot delay her own burn by unbinding
    ///        or by closing a dispute;
    ///      - a rise of a frozen or unbound user, or during a pause, is held back: it consumes its sequence (and the
    ///        height it carries) and changes nothing else, so a submitted held rise can never apply later.
    ///      Reverts only on what the committee signed wrong (a sequence ahead of the user's, a total above 21e14, a
    ///      regressed, oversized or stale height). Raises `g.highestBtcHeight` when the report is newer.
    function _admit(
        Report calldata r,
        UserState.UserSlot memory u,
        uint32 maxBtcHeightLag,
        GlobalSlot memory g,
        bool holdRises
    ) private returns (bool) {
        uint64 sequence = r.sequence;
        uint64 newTotalSats = r.newTotalSats;
        uint256 expected = uint256(u.sequence) + 1;
        uint8 skip = type(uint8).max;
        if (sequence == expected) {
            if (newTotalSats > u.attestedSats) {
                if (u.flags & UserState.FLAG_FROZEN != 0) skip = uint8(SkipReason.DISPUTE_OPEN);
                else if (u.bindingCount == 0) skip = uint8(SkipReason.UNBOUND);
                else if (holdRises) skip = uint8(SkipReason.PAUSED);
            }
        } else {
            skip = _staleSkip(r, u, sequence, expected);
        }
        if (skip == uint8(SkipReason.STALE_SEQUENCE)) {
            emit ReportSkipped(r.user, sequence, skip);
            return false;
        }
        uint64 btcHeight = r.btcHeight;
        if (newTotalSats > MAX_BTC_SATS) revert OracleTotalTooLarge(r.user, newTotalSats);
        if (btcHeight < u.btcHeight) revert OracleHeightRegressed(r.user, u.btcHeight, btcHeight);
        // Heights are stored as uint32 (enough for ~80,000 years of Bitcoin blocks).
        if (btcHeight > type(uint32).max) revert OracleInvalidParameter("btcHeight");
        uint64 highest = g.highestBtcHeight;
        if (btcHeight + maxBtcHeightLag < highest) revert OracleStaleReport(btcHeight, highest - maxBtcHeightLag);
        if (btcHeight > highest) g.highestBtcHeight = btcHeight;
        // A stale drop keeps the stored sequence (the next fresh report still applies) and ends the soft episode.
        if (sequence == expected) u.sequence = uint32(sequence);
        u.flags &= ~UserState.FLAG_SOFT;
        u.btcHeight = uint32(btcHeight);
        if (skip != type(uint8).max) {
            // A held rise consumes its sequence and changes nothing else: once submitted it can never apply later,
            // so nobody can replay it to make a later report (a drop) stale.
            _users.store(r.user, u);
            emit ReportSkipped(r.user, sequence, skip);
            return false;
        }
        u.lastSyncAt = uint32(block.timestamp);
        return true;
    }

    /// @dev The admission of a report whose sequence is not the next one: reverts when it is ahead (or past uint32:
    ///      it would wrap the stored field) — the committee's error —, skips it as stale, or admits (`type(uint8).max`)
    ///      the one drop signed after the last applied report and before a soft change.
    function _staleSkip(
        Report calldata r,
        UserState.UserSlot memory u,
        uint64 sequence,
        uint256 expected
    ) private view returns (uint8) {
        if (sequence > expected || expected > type(uint32).max) {
            revert OracleBadSequence(r.user, uint64(expected), sequence);
        }
        bool staleDrop =
            u.flags & UserState.FLAG_SOFT != 0 &&
                r.newTotalSats < u.attestedSats &&
                sequence > _mints[r.user].softFloor;
        return staleDrop ? type(uint8).max : uint8(SkipReason.STALE_SEQUENCE);
    }

    /// @dev Takes room for `deltaSats` in the user's and the global window; queues the rest (behind the mint delay).
    ///      Returns the sats to mint now. Updates `u` and `g` in memory.
    function _takeMintRoom(
        address user,
        UserState.UserSlot memory u,
        uint64 deltaSats,
        ConfigSlot memory cfg,
        GlobalSlot memory g,
        uint32 windowIndex
    ) private returns (uint64 mintSats) {
        if (u.windowIndex != windowIndex) {
            u.windowIndex = windowIndex;
            u.windowMintedSats = 0;
        }
        // A cap above 2^56 − 1 sats (34 × the Bitcoin supply) is unlimited in effect; clamping keeps the packed field.
        uint64 userCapSats =
            cfg.userMintCapSats > UserState.SATS_MASK ? uint64(UserState.SATS_MASK) : cfg.userMintCapSats;
        uint64 userRoomSats = userCapSats > u.windowMintedSats ? userCapSats - u.windowMintedSats : 0;
        uint64 globalRoomSats =
            cfg.globalMintCapSats > g.windowMintedSats ? cfg.globalMintCapSats - g.windowMintedSats : 0;
        mintSats = deltaSats;
        if (mintSats > userRoomSats) mintSats = userRoomSats;
        if (mintSats > globalRoomSats) mintSats = globalRoomSats;
        uint64 queueSats;
        unchecked {
            // Cannot underflow: mintSats ≤ deltaSats. Cannot overflow: each sum stays ≤ its cap.
            queueSats = deltaSats - mintSats;
            u.windowMintedSats += mintSats;
            g.windowMintedSats += mintSats;
        }
        if (queueSats != 0) {
            UserState.MintSlot storage m = _mints[user];
            uint40 readyAt = uint40(block.timestamp + cfg.mintDelaySeconds);
            unchecked {
                // Cannot overflow: queued ≤ attested ≤ 21e14 (the invariant).
                m.queuedSats += queueSats;
            }
            m.queuedReadyAt = readyAt;
            u.flags |= UserState.FLAG_QUEUED;
            emit MintQueued(user, queueSats, readyAt);
        }
    }

    /// @dev Takes `dropSats` out of the user's queued mint first; returns what is left to burn from rBTC.
    function _shrinkQueue(
        address user,
        UserState.UserSlot memory u,
        uint64 dropSats
    ) private returns (uint64 burnSats) {
        if (u.flags & UserState.FLAG_QUEUED == 0) return dropSats;
        UserState.MintSlot storage m = _mints[user];
        uint64 queuedSats = m.queuedSats;
        if (queuedSats > dropSats) {
            unchecked {
                // Cannot underflow: queuedSats > dropSats.
                m.queuedSats = queuedSats - dropSats;
            }
            return 0;
        }
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        u.flags &= ~UserState.FLAG_QUEUED;
        unchecked {
            // Cannot underflow: queuedSats ≤ dropSats.
            return dropSats - queuedSats;
        }
    }

    /// @dev Writes the anchor of `btcHeight`; a different hash than the stored one means Bitcoin reorganised.
    function _anchor(uint64 btcHeight, bytes32 blockHash) private {
        bytes32 previousHash = btcAnchor[btcHeight];
        if (previousHash == blockHash) return;
        btcAnchor[btcHeight] = blockHash;
        if (previousHash != bytes32(0)) emit BitcoinAnchorReplaced(btcHeight, previousHash, blockHash);
    }

    /*//////////////////////////////////////////////////////////////
                           INTERNAL: SIGNATURES
    //////////////////////////////////////////////////////////////*/

    /// @dev Reverts unless `deadline` is in `[now, now + maxValiditySeconds]`.
    function _checkDeadline(uint256 deadline, uint32 maxValiditySeconds) private view {
        if (deadline < block.timestamp) revert OracleReportExpired(deadline, block.timestamp);
        uint256 maxDeadline = block.timestamp + maxValiditySeconds;
        if (deadline > maxDeadline) revert OracleDeadlineTooFar(deadline, maxDeadline);
    }

    /// @dev Requires ≥ threshold signatures of distinct current operators, sorted by strictly increasing signer.
    function _verifySignatures(
        bytes32 digest,
        bytes[] calldata signatures,
        uint64 epoch,
        uint8 threshold
    ) private view {
        uint256 count = signatures.length;
        if (count < threshold) revert OracleInsufficientSignatures(count, threshold);
        address previous;
        for (uint256 i; i < count; ++i) {
            address signer = ECDSA.recoverCalldata(digest, signatures[i]);
            if (signer <= previous) {
                if (signer == previous) revert OracleDuplicateSigner(signer);
                revert OracleSignersNotSorted(previous, signer);
            }
            if (_operatorEpoch[signer] != epoch) revert OracleUnknownSigner(signer);
            previous = signer;
        }
    }

    /// @dev EIP-712 `hashStruct` of `Report[]`: keccak256 of the concatenated report struct hashes. Reports are
    ///      static structs (five words each), hashed straight from calldata. Non-canonical calldata (dirty high bits)
    ///      hashes differently from what the committee signed, so it fails signature verification.
    function _hashReports(Report[] calldata reports) private pure returns (bytes32 reportsHash) {
        bytes32 typeHash = REPORT_TYPEHASH;
        uint256 stride = REPORT_CALLDATA_BYTES;
        assembly ("memory-safe") {
            // Scratch space beyond the free memory pointer: [typeHash ‖ report] then the array of struct hashes.
            let buffer := mload(0x40)
            let hashes := add(buffer, add(stride, 0x20))
            mstore(buffer, typeHash)
            for {
                let i := 0
            } lt(i, reports.length) {
                i := add(i, 1)
            } {
                calldatacopy(add(buffer, 0x20), add(reports.offset, mul(i, stride)), stride)
                mstore(add(hashes, mul(i, 0x20)), keccak256(buffer, add(stride, 0x20)))
            }
            reportsHash := keccak256(hashes, mul(reports.length, 0x20))
        }
    }

    /// @dev EIP-712 digest of a sync batch.
    function _hashSyncBatch(Report[] calldata reports, uint256 deadline) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SYNC_BATCH_TYPEHASH, _hashReports(reports), deadline)));
    }

    /// @dev EIP-712 digest of a binding revocation.
    function _hashRevocation(Revocation calldata revocation) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        REVOCATION_TYPEHASH,
                        revocation.user,
                        keccak256(bytes(revocation.btcAddress)),
                        revocation.nonce,
                        revocation.deadline
                    )
                )
            );
    }

    /// @dev EIP-712 digest of a binding request.
    function _hashBinding(BindingRequest calldata request) private view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        BINDING_TYPEHASH,
                        request.user,
                        keccak256(bytes(request.btcAddress)),
                        request.proofDigest,
                        request.nonce,
                        request.deadline
                    )
                )
            );
    }

    /*//////////////////////////////////////////////////////////////
                            INTERNAL: CONFIG
    //////////////////////////////////////////////////////////////*/

    function _setCommittee(address[] memory operators, uint8 threshold) private {
        uint256 n = operators.length;
        if (n > MAX_COMMITTEE_SIZE) revert OracleCommitteeTooLarge(n, MAX_COMMITTEE_SIZE);
        if (threshold == 0 || threshold > n) revert OracleInvalidThreshold(threshold, n);
        uint64 epoch;
        unchecked {
            // Cannot overflow: one epoch per committee change.
            epoch = _global.epoch + 1;
        }
        for (uint256 i; i < n; ++i) {
            address operator = operators[i];
            if (operator == address(0)) revert OracleZeroAddress();
            if (_operatorEpoch[operator] == epoch) revert OracleDuplicateOperator(operator);
            _operatorEpoch[operator] = epoch;
        }
        _operators = operators;
        _global.epoch = epoch;
        _global.threshold = threshold;
        emit CommitteeUpdated(epoch, operators, threshold);
    }

    function _setMintCaps(
        uint32 mintWindowSeconds,
        uint64 userMintCapSats,
        uint64 globalMintCapSats,
        uint32 mintDelaySeconds
    ) private {
        if (mintWindowSeconds == 0) revert OracleInvalidParameter("mintWindowSeconds");
        if (userMintCapSats == 0) revert OracleInvalidParameter("userMintCapSats");
        if (globalMintCapSats == 0) revert OracleInvalidParameter("globalMintCapSats");
        _config.mintWindowSeconds = mintWindowSeconds;
        _config.userMintCapSats = userMintCapSats;
        _config.globalMintCapSats = globalMintCapSats;
        _config.mintDelaySeconds = mintDelaySeconds;
        emit MintCapsUpdated(mintWindowSeconds, userMintCapSats, globalMintCapSats, mintDelaySeconds);
    }

    function _setStaleness(uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag) private {
        if (maxReportValiditySeconds == 0) revert OracleInvalidParameter("maxReportValiditySeconds");
        _config.maxReportValiditySeconds = maxReportValiditySeconds;
        _config.maxBtcHeightLag = maxBtcHeightLag;
        emit StalenessUpdated(maxReportValiditySeconds, maxBtcHeightLag);
    }

    function _setMinConfirmations(uint16 minConfirmations_) private {
        if (minConfirmations_ == 0) revert OracleInvalidParameter("minConfirmations");
        _global.minConfirmations = minConfirmations_;
        emit MinConfirmationsUpdated(minConfirmations_);
    }
}
