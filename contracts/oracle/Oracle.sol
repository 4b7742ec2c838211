// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IBalanceHook} from "../interfaces/IBalanceHook.sol";
import {IFeePolicy} from "../interfaces/IFeePolicy.sol";
import {IFeeVault} from "../interfaces/IFeeVault.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {IWrBTC} from "../interfaces/IWrBTC.sol";
import {ADMIN_TRANSFER_DELAY, MAX_BTC_SATS} from "../libraries/Constants.sol";

/// @title Oracle — the committee oracle that keeps each user's rBTC equal to their confirmed BTC
/// @notice See {IOracle}. N operators with threshold M sign EIP-712 batches; anyone submits them.
/// @dev Gas layout: one storage slot per user (`UserSlot`), one per user for the mint window and queue
///      (`MintSlot`), one for the whole configuration (`ConfigSlot`) and one for the global state (`GlobalSlot`), so a
///      steady-state report touches two user slots plus the rBTC balance slot. The global slot is loaded once per batch
///      and written back once.
contract Oracle is IOracle, AccessControlDefaultAdminRules, EIP712, Pausable {
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
    uint256 public constant MAX_BTC_ADDRESS_LENGTH = 90;
    /// @notice Most BTC addresses one user may have bound at once.
    uint256 public constant MAX_BINDINGS_PER_USER = 20;

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

    /// @notice Gas stipend of one balance-hook call.
    uint256 public constant BALANCE_HOOK_GAS = 150_000;
    /// @dev Gas that must be left before a hook call: the stipend survives EIP-150's 63/64 rule with room for the
    ///      call itself, so a submitter cannot starve the hook by sending a tight gas limit.
    uint256 private constant BALANCE_HOOK_GAS_RESERVE = (BALANCE_HOOK_GAS * 64) / 63 + 5_000;

    /// @notice EIP-712 type hash of a binding revocation.
    bytes32 public constant REVOCATION_TYPEHASH = keccak256(
        "Revocation(address user,string btcAddress,uint64 nonce,uint256 deadline)"
    );
    /// @notice Fee grace period until `setFeeGracePeriod` is called.
    uint32 public constant DEFAULT_FEE_GRACE_PERIOD = 7 days;

    /// @dev ABI size of one `Report` in calldata (five static words).
    uint256 private constant REPORT_CALLDATA_BYTES = 0xa0;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev One slot per user (248 bits).
    struct UserSlot {
        uint64 attestedSats;
        uint32 sequence;
        uint32 btcHeight;
        uint40 lastSyncAt;
        uint16 bindingCount;
        uint64 deferredSats;
        bool syncFrozen;
    }

    /// @dev One slot per user for the mint window, the cap-overflow queue and the unpaid-fee clock (240 bits).
    struct MintSlot {
        uint32 windowIndex;
        uint64 windowMintedSats;
        uint64 queuedSats;
        uint40 queuedReadyAt;
        uint40 feeUnpaidSince;
    }

    /// @dev Dispute wiring, fee grace period and emergency-burn counter (256 bits).
    struct EmergencySlot {
        address disputeManager;
        uint32 feeGracePeriodSeconds;
        uint64 emergencyBurnCount;
    }

    /// @dev The whole configuration except the committee, in one slot (256 bits).
    struct ConfigSlot {
        uint32 mintWindowSeconds;
        uint64 userMintCapSats;
        uint64 globalMintCapSats;
        uint32 mintDelaySeconds;
        uint32 maxReportValiditySeconds;
        uint32 maxBtcHeightLag;
    }

    /// @dev An active binding: its owner and its index in `_bindingHashes` + 1 (0 when unbound).
    struct BindingRecord {
        address user;
        uint96 indexPlusOne;
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

    mapping(address user => UserSlot) private _users;
    mapping(address user => MintSlot) private _mints;

    /// @inheritdoc IOracle
    address public balanceHook;
    EmergencySlot private _emergency;

    /// @inheritdoc IOracle
    mapping(uint64 btcHeight => bytes32 blockHash) public btcAnchor;
    /// @inheritdoc IOracle
    mapping(address user => uint64 nonce) public bindingNonce;

    /// @dev Every user that ever bound an address, in first-binding order.
    address[] private _userList;
    /// @dev Hashes (keccak256(bytes(btcAddress))) of the active bindings (dense; swap-and-pop on unbind).
    bytes32[] private _bindingHashes;
    /// @dev Owner and position of each active binding, by address hash.
    mapping(bytes32 addressHash => BindingRecord) private _bindingOf;
    /// @dev The address string of every address hash ever bound (kept after unbinding; rebinding rewrites it).
    mapping(bytes32 addressHash => string btcAddress) private _btcAddressOf;
    /// @dev Address hashes bound to each user (≤ MAX_BINDINGS_PER_USER).
    mapping(address user => bytes32[] addressHashes) private _userAddressHashes;

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
    function sync(Report[] calldata reports, uint256 deadline, bytes[] calldata signatures) external whenNotPaused {
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
        address hook = balanceHook;
        for (uint256 i; i < count; ++i) {
            Report calldata r = reports[i];
            if (r.btcHeight != anchorHeight || r.btcBlockHash != anchorHash) {
                anchorHeight = r.btcHeight;
                anchorHash = r.btcBlockHash;
                _anchor(anchorHeight, anchorHash);
            }
            _applyReport(r, cfg, g, windowIndex, hook);
        }
        _global = g;
    }

    /// @inheritdoc IOracle
    function bindAddress(BindingRequest calldata request, bytes[] calldata signatures) external whenNotPaused {
        address user = request.user;
        if (user == address(0)) revert OracleZeroAddress();
        _checkDeadline(request.deadline, _config.maxReportValiditySeconds);
        uint256 length = bytes(request.btcAddress).length;
        if (length == 0 || length > MAX_BTC_ADDRESS_LENGTH) revert OracleInvalidBtcAddress(request.btcAddress);
        uint64 nonce = bindingNonce[user];
        if (request.nonce != nonce) revert OracleBadBindingNonce(user, nonce, request.nonce);
        bytes32 addressHash = keccak256(bytes(request.btcAddress));
        address owner = _bindingOf[addressHash].user;
        if (owner != address(0)) revert OracleAddressAlreadyBound(request.btcAddress, owner);
        UserSlot storage u = _users[user];
        if (u.bindingCount >= MAX_BINDINGS_PER_USER) revert OracleTooManyBindings(user, MAX_BINDINGS_PER_USER);
        GlobalSlot memory g = _global;
        _verifySignatures(_hashBinding(request), signatures, g.epoch, g.threshold);

        // A user's first binding ever (nonce 0) lists them for the runner and reserve audits.
        if (nonce == 0) _userList.push(user);
        unchecked {
            // Cannot overflow: one binding per transaction, 2^64 transactions are out of reach.
            bindingNonce[user] = nonce + 1;
            // Cannot overflow: bounded by MAX_BINDINGS_PER_USER just above.
            u.bindingCount += 1;
        }
        _bindingHashes.push(addressHash);
        // The index fits: uint96 holds any array length reachable with 2^64 nonces per user.
        _bindingOf[addressHash] = BindingRecord({user: user, indexPlusOne: uint96(_bindingHashes.length)});
        _btcAddressOf[addressHash] = request.btcAddress;
        _userAddressHashes[user].push(addressHash);
        emit AddressBound(user, addressHash, request.btcAddress, request.proofDigest, nonce);
    }

    /// @inheritdoc IOracle
    function unbindAddress(string calldata btcAddress) external {
        _unbind(msg.sender, btcAddress);
    }

    /// @inheritdoc IOracle
    function executeQueuedMint(address user) external whenNotPaused {
        MintSlot storage m = _mints[user];
        uint64 amountSats = m.queuedSats;
        uint40 readyAt = m.queuedReadyAt;
        if (amountSats == 0 || block.timestamp < readyAt) {
            revert OracleQueuedMintNotReady(user, readyAt, block.timestamp);
        }
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        emit QueuedMintExecuted(user, amountSats);
        IRBTCSynth(rbtc).mint(user, amountSats);
        // With nothing queued, the backed balance equals the attested total.
        _notifyBalanceHook(balanceHook, user, _users[user].attestedSats, IBalanceHook.ChangeReason.SYNC);
    }

    /*//////////////////////////////////////////////////////////////
                      EMERGENCY BURNS AND DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @inheritdoc IOracle
    /// @dev Not paused: a burn only removes unbacked rBTC.
    function emergencyBurnFeeExhausted(address user) external {
        uint40 unpaidSince = _mints[user].feeUnpaidSince;
        if (
            _users[user].deferredSats == 0 || block.timestamp < uint256(unpaidSince) + _emergency.feeGracePeriodSeconds
        ) {
            revert OracleFeeNotExhausted(user, unpaidSince, block.timestamp);
        }
        if (_burnPosition(user, 0, EmergencyBurnReason.FEE_EXHAUSTED) == 0) revert OracleNothingToBurn(user);
    }

    /// @inheritdoc IOracle
    function revokeBinding(Revocation calldata revocation, bytes[] calldata signatures) external {
        address user = revocation.user;
        _checkDeadline(revocation.deadline, _config.maxReportValiditySeconds);
        uint64 nonce = bindingNonce[user];
        if (revocation.nonce != nonce) revert OracleBadBindingNonce(user, nonce, revocation.nonce);
        GlobalSlot memory g = _global;
        _verifySignatures(_hashRevocation(revocation), signatures, g.epoch, g.threshold);
        unchecked {
            // Cannot overflow: one nonce per transaction.
            bindingNonce[user] = nonce + 1;
        }
        _unbind(user, revocation.btcAddress);
        _burnPosition(user, 0, EmergencyBurnReason.BINDING_REVOKED);
    }

    /// @inheritdoc IOracle
    function setSyncFrozen(address user, bool frozen) external onlyDisputeManager {
        _users[user].syncFrozen = frozen;
        emit SyncFrozen(user, frozen);
    }

    /// @inheritdoc IOracle
    /// @dev A mint here bypasses fees and caps: the resolver's decision is the guard (only the DisputeManager, only
    ///      on an upheld dispute, can call).
    function applyDisputeResolution(address user, uint64 resolvedSats) external onlyDisputeManager {
        if (resolvedSats > MAX_BTC_SATS) revert OracleTotalTooLarge(user, resolvedSats);
        UserSlot storage u = _users[user];
        if (resolvedSats != 0 && u.bindingCount == 0) revert OracleUnboundUser(user);
        emit DisputeResolutionApplied(user, u.attestedSats, resolvedSats);
        _burnPosition(user, resolvedSats, EmergencyBurnReason.DISPUTE_UPHELD);
    }

    /// @dev Unbinds `btcAddress` from `user` (reverts unless bound to them).
    function _unbind(address user, string calldata btcAddress) private {
        bytes32 addressHash = keccak256(bytes(btcAddress));
        BindingRecord memory record = _bindingOf[addressHash];
        if (record.user != user || user == address(0)) revert OracleAddressNotBound(btcAddress, user);
        // Swap-and-pop the dense binding list.
        uint256 last = _bindingHashes.length - 1;
        if (record.indexPlusOne - 1 != last) {
            bytes32 movedHash = _bindingHashes[last];
            _bindingHashes[record.indexPlusOne - 1] = movedHash;
            _bindingOf[movedHash].indexPlusOne = record.indexPlusOne;
        }
        _bindingHashes.pop();
        delete _bindingOf[addressHash];
        // Swap-and-pop the user's own list (≤ MAX_BINDINGS_PER_USER entries).
        bytes32[] storage hashes = _userAddressHashes[user];
        uint256 n = hashes.length;
        for (uint256 i; i < n; ++i) {
            if (hashes[i] == addressHash) {
                hashes[i] = hashes[n - 1];
                hashes.pop();
                break;
            }
        }
        unchecked {
            // Cannot underflow: the address was bound to the user, so their count is at least one.
            _users[user].bindingCount -= 1;
        }
        emit AddressUnbound(user, addressHash, btcAddress);
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
    function cancelQueuedMint(address user) external onlyRole(GUARDIAN_ROLE) {
        MintSlot storage m = _mints[user];
        uint64 amountSats = m.queuedSats;
        if (amountSats == 0) revert OracleQueuedMintNotReady(user, m.queuedReadyAt, block.timestamp);
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        unchecked {
            // Cannot underflow: per user, rbtc.totalBackedOf + queuedSats == attestedSats, so queued ≤ attested.
            _users[user].attestedSats -= amountSats;
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
        return _users[user].syncFrozen;
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
        UserSlot storage u = _users[user];
        MintSlot storage m = _mints[user];
        return
            UserView({
                attestedSats: u.attestedSats,
                sequence: u.sequence,
                btcHeight: u.btcHeight,
                lastSyncAt: u.lastSyncAt,
                bindingCount: u.bindingCount,
                deferredSats: u.deferredSats,
                queuedSats: m.queuedSats,
                queuedReadyAt: m.queuedReadyAt
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
        return _userList.length;
    }

    /// @inheritdoc IOracle
    function usersSlice(uint256 start, uint256 end) external view returns (address[] memory users) {
        (start, end) = _clamp(start, end, _userList.length);
        users = new address[](end - start);
        for (uint256 i = start; i < end; ++i) {
            users[i - start] = _userList[i];
        }
    }

    /// @inheritdoc IOracle
    function bindingsLength() external view returns (uint256) {
        return _bindingHashes.length;
    }

    /// @inheritdoc IOracle
    function bindingsSlice(uint256 start, uint256 end) external view returns (Binding[] memory bindings) {
        (start, end) = _clamp(start, end, _bindingHashes.length);
        bindings = new Binding[](end - start);
        for (uint256 i = start; i < end; ++i) {
            bytes32 addressHash = _bindingHashes[i];
            bindings[i - start] = Binding({user: _bindingOf[addressHash].user, btcAddress: _btcAddressOf[addressHash]});
        }
    }

    /// @inheritdoc IOracle
    function ownerOfBtcAddress(string calldata btcAddress) external view returns (address) {
        return _bindingOf[keccak256(bytes(btcAddress))].user;
    }

    /// @inheritdoc IOracle
    function addressesOf(address user) external view returns (string[] memory addresses) {
        bytes32[] storage hashes = _userAddressHashes[user];
        addresses = new string[](hashes.length);
        for (uint256 i; i < hashes.length; ++i) {
            addresses[i] = _btcAddressOf[hashes[i]];
        }
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

    /// @dev Validates one report and applies its delta. `g` is the batch's in-memory global state.
    function _applyReport(
        Report calldata r,
        ConfigSlot memory cfg,
        GlobalSlot memory g,
        uint32 windowIndex,
        address hook
    ) private {
        address user = r.user;
        UserSlot memory u = _users[user];
        // A frozen user's report is skipped, not reverted: one disputed user cannot block everyone's sync. Its
        // sequence stays unused, so the committee reports it again once the dispute closes.
        if (u.syncFrozen) {
            emit ReportSkipped(user, r.sequence, uint8(SkipReason.DISPUTE_OPEN));
            return;
        }
        bool wasDeferred = u.deferredSats != 0;
        _checkReport(r, u, cfg.maxBtcHeightLag, g);
        uint64 previousSats = u.attestedSats;
        uint64 newTotalSats = r.newTotalSats;
        uint64 mintSats;
        if (newTotalSats > previousSats) {
            unchecked {
                // Cannot underflow: newTotalSats > previousSats.
                mintSats = newTotalSats - previousSats;
            }
            if (!_chargeFee(user, mintSats, wasDeferred)) {
                // Deferred: the report is consumed, the total stays; the next report after a top-up mints it.
                u.deferredSats = mintSats;
                mintSats = 0;
                newTotalSats = previousSats;
            }
        }
        u.attestedSats = newTotalSats;
        _users[user] = u;
        emit Synced(user, previousSats, newTotalSats, u.btcHeight, r.btcBlockHash, u.sequence);
        uint64 queuedSats;
        if (mintSats != 0) {
            queuedSats = _mintWithinCaps(user, mintSats, cfg, g, windowIndex);
        } else if (newTotalSats < previousSats) {
            unchecked {
                // Cannot underflow: newTotalSats < previousSats.
                queuedSats = _burnDrop(user, previousSats - newTotalSats);
            }
        } else {
            return;
        }
        unchecked {
            // Cannot underflow: per user, rbtc.totalBackedOf + queuedSats == attestedSats.
            _notifyBalanceHook(hook, user, newTotalSats - queuedSats, IBalanceHook.ChangeReason.SYNC);
        }
    }

    /// @dev Charges the fee of minting `mintSats`; false (with `NeedsTopUp`) when FeeVault cannot pay. The unpaid-fee
    ///      clock starts at the first of a run of deferred reports (`wasDeferred` false).
    function _chargeFee(address user, uint64 mintSats, bool wasDeferred) private returns (bool paid) {
        uint256 feeWei = IFeePolicy(feePolicy).quote(mintSats);
        if (feeWei == 0 || IFeeVault(feeVault).spendFrom(user, feeWei)) return true;
        if (!wasDeferred) _mints[user].feeUnpaidSince = uint40(block.timestamp);
        emit NeedsTopUp(user, mintSats, feeWei, IFeeVault(feeVault).balanceOf(user));
        return false;
    }

    /// @dev Checks a report against the user's stored state `u` and advances `u` to the report (sequence, height,
    ///      time; deferred cleared). Raises `g.highestBtcHeight` when the report is newer.
    function _checkReport(
        Report calldata r,
        UserSlot memory u,
        uint32 maxBtcHeightLag,
        GlobalSlot memory g
    ) private view {
        address user = r.user;
        uint64 newTotalSats = r.newTotalSats;
        uint64 btcHeight = r.btcHeight;
        if (user == address(0)) revert OracleZeroAddress();
        if (newTotalSats > MAX_BTC_SATS) revert OracleTotalTooLarge(user, newTotalSats);
        uint64 expected = uint64(u.sequence) + 1;
        // `expected` beyond uint32 would wrap the stored sequence; it is rejected like any bad sequence.
        if (r.sequence != expected || expected > type(uint32).max) revert OracleBadSequence(user, expected, r.sequence);
        if (btcHeight < u.btcHeight) revert OracleHeightRegressed(user, u.btcHeight, btcHeight);
        // Heights are stored as uint32 (enough for ~80,000 years of Bitcoin blocks).
        if (btcHeight > type(uint32).max) revert OracleInvalidParameter("btcHeight");
        uint64 highest = g.highestBtcHeight;
        if (btcHeight + maxBtcHeightLag < highest) revert OracleStaleReport(btcHeight, highest - maxBtcHeightLag);
        if (btcHeight > highest) g.highestBtcHeight = btcHeight;
        if (newTotalSats != 0 && u.bindingCount == 0) revert OracleUnboundUser(user);
        u.sequence = uint32(expected);
        u.btcHeight = uint32(btcHeight);
        u.lastSyncAt = uint40(block.timestamp);
        u.deferredSats = 0;
    }

    /// @dev Mints `deltaSats` up to the remaining user and global caps of the window; queues the rest.
    /// @return queuedSats The user's queued sats afterwards.
    function _mintWithinCaps(
        address user,
        uint64 deltaSats,
        ConfigSlot memory cfg,
        GlobalSlot memory g,
        uint32 windowIndex
    ) private returns (uint64 queuedSats) {
        MintSlot memory m = _mints[user];
        if (m.windowIndex != windowIndex) {
            m.windowIndex = windowIndex;
            m.windowMintedSats = 0;
        }
        uint64 userRoomSats = cfg.userMintCapSats > m.windowMintedSats ? cfg.userMintCapSats - m.windowMintedSats : 0;
        uint64 globalRoomSats =
            cfg.globalMintCapSats > g.windowMintedSats ? cfg.globalMintCapSats - g.windowMintedSats : 0;
        uint64 mintSats = deltaSats;
        if (mintSats > userRoomSats) mintSats = userRoomSats;
        if (mintSats > globalRoomSats) mintSats = globalRoomSats;
        uint64 queueSats;
        unchecked {
            // Cannot underflow: mintSats ≤ deltaSats. Cannot overflow: each sum stays ≤ a uint64 cap or ≤ 21e14.
            queueSats = deltaSats - mintSats;
            m.windowMintedSats += mintSats;
            g.windowMintedSats += mintSats;
        }
        if (queueSats != 0) {
            unchecked {
                // Cannot overflow: queued ≤ attested ≤ 21e14 (the invariant).
                m.queuedSats += queueSats;
            }
            m.queuedReadyAt = uint40(block.timestamp + cfg.mintDelaySeconds);
        }
        _mints[user] = m;
        if (queueSats != 0) emit MintQueued(user, queueSats, m.queuedReadyAt);
        if (mintSats != 0) IRBTCSynth(rbtc).mint(user, mintSats);
        return m.queuedSats;
    }

    /// @dev Removes `dropSats` from the user's backing: the queued mint first, then free rBTC, then escrow + wrBTC.
    /// @return remainingQueuedSats The user's queued sats afterwards.
    function _burnDrop(address user, uint64 dropSats) private returns (uint64 remainingQueuedSats) {
        MintSlot storage m = _mints[user];
        uint64 queuedSats = m.queuedSats;
        if (queuedSats != 0) {
            if (queuedSats >= dropSats) {
                unchecked {
                    // Cannot underflow: queuedSats ≥ dropSats.
                    remainingQueuedSats = queuedSats - dropSats;
                }
                m.queuedSats = remainingQueuedSats;
                if (remainingQueuedSats == 0) m.queuedReadyAt = 0;
                return remainingQueuedSats;
            }
            m.queuedSats = 0;
            m.queuedReadyAt = 0;
            unchecked {
                // Cannot underflow: queuedSats < dropSats.
                dropSats -= queuedSats;
            }
        }
        (, uint64 fromEscrowSats) = IRBTCSynth(rbtc).burn(user, dropSats);
        // BTC left while wrapped and the holder's wrBTC cannot cover the escrow: the deficit is recorded in WrBTC.
        if (fromEscrowSats != 0 && _slash(user, fromEscrowSats) != 0) {
            _countEmergencyBurn(user, dropSats, EmergencyBurnReason.BACKING_LOST);
        }
    }

    /// @dev Sets `user`'s attested total to `targetSats` outside the sync path: drops the queued mint and any deferred
    ///      mint, then burns (free → escrow → slash) or mints rBTC to match. A burn counts as an emergency burn.
    /// @return burnedSats rBTC burned.
    function _burnPosition(
        address user,
        uint64 targetSats,
        EmergencyBurnReason reason
    ) private returns (uint64 burnedSats) {
        UserSlot storage u = _users[user];
        u.attestedSats = targetSats;
        u.deferredSats = 0;
        MintSlot storage m = _mints[user];
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        uint64 backedSats = IRBTCSynth(rbtc).totalBackedOf(user);
        if (backedSats > targetSats) {
            unchecked {
                // Cannot underflow: backedSats > targetSats.
                burnedSats = backedSats - targetSats;
            }
            (, uint64 fromEscrowSats) = IRBTCSynth(rbtc).burn(user, burnedSats);
            if (fromEscrowSats != 0) _slash(user, fromEscrowSats);
            _countEmergencyBurn(user, burnedSats, reason);
        } else if (backedSats < targetSats) {
            unchecked {
                // Cannot underflow: backedSats < targetSats.
                IRBTCSynth(rbtc).mint(user, targetSats - backedSats);
            }
        } else {
            return 0;
        }
        _notifyBalanceHook(
            balanceHook,
            user,
            targetSats,
            reason == EmergencyBurnReason.DISPUTE_UPHELD
                ? IBalanceHook.ChangeReason.DISPUTE_UPHELD
                : IBalanceHook.ChangeReason.EMERGENCY_BURN
        );
    }

    /// @dev Slashes `amountSats` wrBTC from `user`; returns what could not be covered.
    function _slash(address user, uint64 amountSats) private returns (uint64 uncoveredSats) {
        (, uncoveredSats) = IWrBTC(wrbtc).slash(user, amountSats);
    }

    /// @dev Counts and announces an emergency burn.
    function _countEmergencyBurn(address user, uint64 amountSats, EmergencyBurnReason reason) private {
        unchecked {
            // Cannot overflow: one burn per call, 2^64 calls are out of reach.
            _emergency.emergencyBurnCount += 1;
        }
        emit EmergencyBurn(user, amountSats, uint8(reason));
    }

    /// @dev Tells the balance hook (when set) that `user`'s backed balance is now `newBackedSats`. Never reverts on a
    ///      failing hook (emits `BalanceHookFailed`); reverts only when too little gas is left to give the hook its
    ///      full stipend, so a submitter cannot make the hook fail on purpose.
    function _notifyBalanceHook(
        address hook,
        address user,
        uint64 newBackedSats,
        IBalanceHook.ChangeReason reason
    ) private {
        if (hook == address(0)) return;
        uint256 gasLeft = gasleft();
        if (gasLeft < BALANCE_HOOK_GAS_RESERVE) revert OracleHookGasTooLow(gasLeft, BALANCE_HOOK_GAS_RESERVE);
        // solhint-disable-next-line no-empty-blocks
        try IBalanceHook(hook).onBalanceChanged{gas: BALANCE_HOOK_GAS}(user, newBackedSats, reason) {} catch {
            emit BalanceHookFailed(user);
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

    /// @dev Clamps `[start, end)` to `[0, length)`; an empty range when `start ≥ end`.
    function _clamp(uint256 start, uint256 end, uint256 length) private pure returns (uint256, uint256) {
        if (end > length) end = length;
        if (start > end) start = end;
        return (start, end);
    }
}
