// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// solhint-disable-next-line max-line-length
import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IFeePolicy} from "../interfaces/IFeePolicy.sol";
import {IFeeVault} from "../interfaces/IFeeVault.sol";
import {IOracle} from "../interfaces/IOracle.sol";
import {IRBTCSynth} from "../interfaces/IRBTCSynth.sol";
import {IWrBTC} from "../interfaces/IWrBTC.sol";
import {ADMIN_TRANSFER_DELAY, MAX_BTC_SATS} from "../libraries/Constants.sol";

/// @title Oracle — the committee oracle that keeps each user's rBTC equal to their confirmed BTC
/// @notice See {IOracle}. N operators with threshold M sign EIP-712 batches; anyone submits them.
/// @dev Gas layout: one packed word per user (`UserSlot`: attested total, sequence, height, time, binding count,
///      flags and the user's mint window), read with one SLOAD and written with one SSTORE per report. The rarely used
///      queue and deferred amounts live in a second slot (`MintSlot`) that a report only touches when the user's flags
///      say it holds something. The configuration is one slot (`ConfigSlot`) and the global state another
///      (`GlobalSlot`), loaded once per batch and written back once.
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

    /// @dev ABI size of one `Report` in calldata (five static words).
    uint256 private constant REPORT_CALLDATA_BYTES = 0xa0;

    /// @dev `UserSlot.flags`: the user's `MintSlot` holds a queued mint.
    uint8 private constant FLAG_QUEUED = 1;
    /// @dev `UserSlot.flags`: the user's `MintSlot` holds a deferred (unpaid) mint.
    uint8 private constant FLAG_DEFERRED = 2;
    /// @dev Width of the packed sats fields (attested total, window minted): 2^56 > 34 × the Bitcoin supply.
    uint256 private constant SATS_BITS = 56;
    uint256 private constant SATS_MASK = (1 << SATS_BITS) - 1;
    /// @dev Bit offsets of the packed `UserSlot` fields (see `_loadUser`).
    uint256 private constant SEQUENCE_SHIFT = 56;
    uint256 private constant HEIGHT_SHIFT = 88;
    uint256 private constant SYNCED_AT_SHIFT = 120;
    uint256 private constant BINDINGS_SHIFT = 152;
    uint256 private constant FLAGS_SHIFT = 160;
    uint256 private constant WINDOW_SHIFT = 168;
    uint256 private constant WINDOW_MINTED_SHIFT = 200;

    /*//////////////////////////////////////////////////////////////
                                STORAGE
    //////////////////////////////////////////////////////////////*/

    /// @dev A user's packed word, unpacked (bits: attested 0-55, sequence 56-87, height 88-119, lastSyncAt 120-151,
    ///      bindingCount 152-159, flags 160-167, windowIndex 168-199, windowMinted 200-255). Sats fields hold
    ///      ≤ 2^56 − 1: totals are ≤ 21e14 and window mints ≤ the (clamped) user cap. Time fits uint32 until 2106.
    struct UserSlot {
        uint64 attestedSats;
        uint32 sequence;
        uint32 btcHeight;
        uint32 lastSyncAt;
        uint8 bindingCount;
        uint8 flags;
        uint32 windowIndex;
        uint64 windowMintedSats;
    }

    /// @dev Per user, touched only when a mint is queued or deferred (192 bits).
    struct MintSlot {
        uint64 queuedSats;
        uint40 queuedReadyAt;
        uint64 deferredSats;
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

    mapping(address user => uint256 packed) private _users;
    mapping(address user => MintSlot) private _mints;

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
        for (uint256 i; i < count; ++i) {
            Report calldata r = reports[i];
            if (r.btcHeight != anchorHeight || r.btcBlockHash != anchorHash) {
                anchorHeight = r.btcHeight;
                anchorHash = r.btcBlockHash;
                _anchor(anchorHeight, anchorHash);
            }
            _applyReport(r, cfg, g, windowIndex);
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
        if (uint8(_users[user] >> BINDINGS_SHIFT) >= MAX_BINDINGS_PER_USER) {
            revert OracleTooManyBindings(user, MAX_BINDINGS_PER_USER);
        }
        GlobalSlot memory g = _global;
        _verifySignatures(_hashBinding(request), signatures, g.epoch, g.threshold);

        // A user's first binding ever (nonce 0) lists them for the runner and reserve audits.
        if (nonce == 0) _userList.push(user);
        unchecked {
            // Cannot overflow: one binding per transaction, 2^64 transactions are out of reach.
            bindingNonce[user] = nonce + 1;
            // Cannot carry out of the 8-bit field: the count is below MAX_BINDINGS_PER_USER (checked above).
            _users[user] += 1 << BINDINGS_SHIFT;
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
        bytes32 addressHash = keccak256(bytes(btcAddress));
        BindingRecord memory record = _bindingOf[addressHash];
        if (record.user != msg.sender || msg.sender == address(0)) revert OracleAddressNotBound(btcAddress, msg.sender);
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
        bytes32[] storage hashes = _userAddressHashes[msg.sender];
        uint256 n = hashes.length;
        for (uint256 i; i < n; ++i) {
            if (hashes[i] == addressHash) {
                hashes[i] = hashes[n - 1];
                hashes.pop();
                break;
            }
        }
        unchecked {
            // Cannot borrow from the neighbouring field: the address was bound to the caller, so their count is ≥ 1.
            _users[msg.sender] -= 1 << BINDINGS_SHIFT;
        }
        emit AddressUnbound(msg.sender, addressHash, btcAddress);
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
        _users[user] &= ~(uint256(FLAG_QUEUED) << FLAGS_SHIFT);
        emit QueuedMintExecuted(user, amountSats);
        IRBTCSynth(rbtc).mint(user, amountSats);
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
    function cancelQueuedMint(address user) external onlyRole(GUARDIAN_ROLE) {
        MintSlot storage m = _mints[user];
        uint64 amountSats = m.queuedSats;
        if (amountSats == 0) revert OracleQueuedMintNotReady(user, m.queuedReadyAt, block.timestamp);
        m.queuedSats = 0;
        m.queuedReadyAt = 0;
        unchecked {
            // Cannot borrow from the neighbouring field: attestedSats (the low bits) ≥ queuedSats, as per user
            // rbtc.totalBackedOf + queuedSats == attestedSats.
            _users[user] = (_users[user] - amountSats) & ~(uint256(FLAG_QUEUED) << FLAGS_SHIFT);
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
    function committee() external view returns (address[] memory operators, uint8 threshold, uint64 epoch) {
        return (_operators, _global.threshold, _global.epoch);
    }

    /// @inheritdoc IOracle
    function isOperator(address account) public view returns (bool) {
        return account != address(0) && _operatorEpoch[account] == _global.epoch;
    }

    /// @inheritdoc IOracle
    function userState(address user) public view returns (UserView memory) {
        UserSlot memory u = _loadUser(user);
        MintSlot storage m = _mints[user];
        return
            UserView({
                attestedSats: u.attestedSats,
                sequence: u.sequence,
                btcHeight: u.btcHeight,
                lastSyncAt: u.lastSyncAt,
                bindingCount: u.bindingCount,
                deferredSats: m.deferredSats,
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

    /// @dev Validates one report and applies its delta. `g` is the batch's in-memory global state. The user's word is
    ///      written once, before the rBTC/wrBTC calls.
    function _applyReport(Report calldata r, ConfigSlot memory cfg, GlobalSlot memory g, uint32 windowIndex) private {
        address user = r.user;
        UserSlot memory u = _checkReport(r, cfg.maxBtcHeightLag, g);
        uint64 previousSats = u.attestedSats;
        uint64 newTotalSats = r.newTotalSats;
        if (u.flags & FLAG_DEFERRED != 0) {
            // A new report supersedes the deferred delta.
            _mints[user].deferredSats = 0;
            u.flags &= ~FLAG_DEFERRED;
        }
        uint64 mintSats;
        uint64 burnSats;
        if (newTotalSats > previousSats) {
            uint64 deltaSats;
            unchecked {
                // Cannot underflow: newTotalSats > previousSats.
                deltaSats = newTotalSats - previousSats;
            }
            uint256 feeWei = IFeePolicy(feePolicy).quote(deltaSats);
            if (feeWei != 0 && !IFeeVault(feeVault).spendFrom(user, feeWei)) {
                // Deferred: the report is consumed, the total stays; the next report after a top-up mints it.
                _mints[user].deferredSats = deltaSats;
                u.flags |= FLAG_DEFERRED;
                emit NeedsTopUp(user, deltaSats, feeWei, IFeeVault(feeVault).balanceOf(user));
                newTotalSats = previousSats;
            } else {
                mintSats = _takeMintRoom(user, u, deltaSats, cfg, g, windowIndex);
            }
        } else if (newTotalSats < previousSats) {
            unchecked {
                // Cannot underflow: newTotalSats < previousSats.
                burnSats = _shrinkQueue(user, u, previousSats - newTotalSats);
            }
        }
        u.attestedSats = newTotalSats;
        _storeUser(user, u);
        emit Synced(user, previousSats, newTotalSats, u.btcHeight, r.btcBlockHash, u.sequence);
        if (mintSats != 0) IRBTCSynth(rbtc).mint(user, mintSats);
        if (burnSats != 0) {
            (, uint64 fromEscrowSats) = IRBTCSynth(rbtc).burn(user, burnSats);
            if (fromEscrowSats != 0) IWrBTC(wrbtc).slash(user, fromEscrowSats);
        }
    }

    /// @dev Checks a report against the user's stored state and returns that state advanced to the report
    ///      (sequence, height, time; deferred cleared). Raises `g.highestBtcHeight` when the report is newer.
    function _checkReport(
        Report calldata r,
        uint32 maxBtcHeightLag,
        GlobalSlot memory g
    ) private view returns (UserSlot memory u) {
        address user = r.user;
        uint64 newTotalSats = r.newTotalSats;
        uint64 btcHeight = r.btcHeight;
        if (user == address(0)) revert OracleZeroAddress();
        if (newTotalSats > MAX_BTC_SATS) revert OracleTotalTooLarge(user, newTotalSats);
        u = _loadUser(user);
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
        u.lastSyncAt = uint32(block.timestamp);
    }

    /// @dev Takes room for `deltaSats` in the user's and the global window; queues the rest (behind the mint delay).
    ///      Returns the sats to mint now. Updates `u` and `g` in memory.
    function _takeMintRoom(
        address user,
        UserSlot memory u,
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
        uint64 userCapSats = cfg.userMintCapSats > SATS_MASK ? uint64(SATS_MASK) : cfg.userMintCapSats;
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
            MintSlot storage m = _mints[user];
            uint40 readyAt = uint40(block.timestamp + cfg.mintDelaySeconds);
            unchecked {
                // Cannot overflow: queued ≤ attested ≤ 21e14 (the invariant).
                m.queuedSats += queueSats;
            }
            m.queuedReadyAt = readyAt;
            u.flags |= FLAG_QUEUED;
            emit MintQueued(user, queueSats, readyAt);
        }
    }

    /// @dev Takes `dropSats` out of the user's queued mint first; returns what is left to burn from rBTC.
    function _shrinkQueue(address user, UserSlot memory u, uint64 dropSats) private returns (uint64 burnSats) {
        if (u.flags & FLAG_QUEUED == 0) return dropSats;
        MintSlot storage m = _mints[user];
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
        u.flags &= ~FLAG_QUEUED;
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

    /// @dev Unpacks the user's word (layout on `UserSlot`).
    function _loadUser(address user) private view returns (UserSlot memory u) {
        uint256 word = _users[user];
        u.attestedSats = uint64(word & SATS_MASK);
        u.sequence = uint32(word >> SEQUENCE_SHIFT);
        u.btcHeight = uint32(word >> HEIGHT_SHIFT);
        u.lastSyncAt = uint32(word >> SYNCED_AT_SHIFT);
        u.bindingCount = uint8(word >> BINDINGS_SHIFT);
        u.flags = uint8(word >> FLAGS_SHIFT);
        u.windowIndex = uint32(word >> WINDOW_SHIFT);
        u.windowMintedSats = uint64(word >> WINDOW_MINTED_SHIFT);
    }

    /// @dev Packs and writes the user's word with one SSTORE. Callers keep both sats fields ≤ SATS_MASK.
    function _storeUser(address user, UserSlot memory u) private {
        _users[user] =
            uint256(u.attestedSats) |
            (uint256(u.sequence) << SEQUENCE_SHIFT) |
            (uint256(u.btcHeight) << HEIGHT_SHIFT) |
            (uint256(u.lastSyncAt) << SYNCED_AT_SHIFT) |
            (uint256(u.bindingCount) << BINDINGS_SHIFT) |
            (uint256(u.flags) << FLAGS_SHIFT) |
            (uint256(u.windowIndex) << WINDOW_SHIFT) |
            (uint256(u.windowMintedSats) << WINDOW_MINTED_SHIFT);
    }

    /// @dev Clamps `[start, end)` to `[0, length)`; an empty range when `start ≥ end`.
    function _clamp(uint256 start, uint256 end, uint256 length) private pure returns (uint256, uint256) {
        if (end > length) end = length;
        if (start > end) start = end;
        return (start, end);
    }
}
