// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IOracle — the committee oracle that keeps each user's rBTC equal to their confirmed BTC
/// @notice N operators with threshold M sign EIP-712 batches of reports `(user, newTotalSats, btcHeight, btcBlockHash,
///         sequence)`; anyone may submit a signed batch. For each report the Oracle applies the delta to the user's
///         attested total:
///         - positive: charge the FeePolicy fee from FeeVault, then mint (up to the per-user and global mint caps of
///           the current window; the excess is queued and executes after `mintDelaySeconds` unless a guardian cancels
///           it). When FeeVault cannot pay, the mint is deferred (`NeedsTopUp`), never reverted.
///         - negative: first shrink a queued mint, then burn free rBTC, then escrow (slashing the holder's wrBTC).
///           Burns never charge a fee, so a missing fee can never block one.
/// @dev Per user: `rbtc.totalBackedOf(user) + queuedSats == attestedSats`. Replay protection: EIP-712 domain (chain
///      id, this contract), per-user sequence (must be previous + 1), deadline, Bitcoin height never regressing.
///
///      Safety rule: nothing a user, a third party, a fee balance or a dispute does may delay or undo a burn. A freeze
///      (open dispute), a pause or an unbound user holds back RISES only; drops always apply. Every out-of-band change
///      of a user's state consumes the user's sequence (`SequenceConsumed`), so a report signed before it can never
///      raise the total afterwards: a hard reset (upheld dispute, FEE_EXHAUSTED burn, revocation) voids every earlier
///      report; a soft change (the user's unbind, a dispute closed without resolution) still lets one earlier-signed
///      DROP apply, so a user cannot delay her own burn by unbinding or expiring a dispute. See docs/security.md.
interface IOracle {
    /*//////////////////////////////////////////////////////////////
                                 TYPES
    //////////////////////////////////////////////////////////////*/

    /// @notice One user's new confirmed BTC total as observed by the committee.
    /// @param user EVM address the BTC addresses are bound to.
    /// @param newTotalSats Confirmed sats over all the user's bound addresses (≥ minConfirmations), ≤ 21e14.
    /// @param btcHeight Bitcoin tip height the total was computed at.
    /// @param btcBlockHash Bitcoin block hash at `btcHeight` (the anchor a later reorg check compares against).
    /// @param sequence The user's report sequence: exactly the stored sequence + 1.
    struct Report {
        address user;
        uint64 newTotalSats;
        uint64 btcHeight;
        bytes32 btcBlockHash;
        uint64 sequence;
    }

    /// @notice A committee-approved binding of a BTC address to a user.
    /// @param user EVM address that proved ownership.
    /// @param btcAddress The Bitcoin address as a string (bech32/base58, as the wallet shows it).
    /// @param proofDigest keccak256 digest of the ownership proof (message ‖ signature) the committee verified.
    /// @param nonce The user's binding nonce (`bindingNonce(user)`), also committed in the signed message.
    /// @param deadline Unix time after which the approval is void.
    struct BindingRequest {
        address user;
        string btcAddress;
        bytes32 proofDigest;
        uint64 nonce;
        uint256 deadline;
    }

    /// @notice An active binding, as listed for reserve audits.
    struct Binding {
        address user;
        string btcAddress;
    }

    /// @notice Everything the runner and the query layer need about one user, in one read.
    /// @param attestedSats The BTC total last accepted from the committee.
    /// @param sequence Last accepted report sequence (the next report must carry `sequence + 1`).
    /// @param btcHeight Bitcoin height of the last accepted report.
    /// @param lastSyncAt Unix time of the last accepted report.
    /// @param bindingCount Number of BTC addresses currently bound to the user.
    /// @param deferredSats Sats of the last positive delta that FeeVault could not pay (0 once paid or superseded).
    /// @param queuedSats Sats minted-to-be, waiting for the mint delay (cap overflow).
    /// @param queuedReadyAt Unix time from which `executeQueuedMint` may run.
    /// @param syncFrozen True while an open dispute holds back the user's rises (drops still apply).
    /// @param feeUnpaidSince Unix time since which the deferred rise is unpaid (meaningful while deferredSats > 0).
    struct UserView {
        uint64 attestedSats;
        uint64 sequence;
        uint64 btcHeight;
        uint64 lastSyncAt;
        uint16 bindingCount;
        uint64 deferredSats;
        uint64 queuedSats;
        uint64 queuedReadyAt;
        bool syncFrozen;
        uint64 feeUnpaidSince;
    }

    /// @notice Why an emergency burn happened (`EmergencyBurn.reason`).
    enum EmergencyBurnReason {
        FEE_EXHAUSTED, // FeeVault could not pay for longer than the grace period: the whole position burned
        BINDING_REVOKED, // the committee revoked a binding: the whole position burned (the next sync re-mints the rest)
        DISPUTE_UPHELD, // a resolver corrected the balance down to the resolved total
        BACKING_LOST // BTC left while wrapped and the holder's wrBTC could not cover the escrow burned
    }

    /// @notice Why a report in a batch was skipped (`ReportSkipped.reason`). A skipped report never changes a balance.
    ///         A held rise (the first three) consumes its sequence, so once submitted it can never apply later; the
    ///         committee reports the user again with the next sequence.
    enum SkipReason {
        DISPUTE_OPEN, // a rise of a user frozen by an open dispute (held back)
        UNBOUND, // a rise of a user with no bound BTC address (held back)
        PAUSED, // a rise while the Oracle is paused (held back)
        STALE_SEQUENCE // the sequence was already used by a report or consumed by an out-of-band change
    }

    /// @notice What consumed a user's sequence outside the sync path (`SequenceConsumed.cause`).
    enum ConsumeCause {
        UNBIND, // the user unbound an address (soft: one earlier-signed drop may still apply)
        DISPUTE_CLOSED, // a dispute on the user closed (soft: one earlier-signed drop may still apply)
        DISPUTE_UPHELD, // an upheld dispute reset the total (hard: every earlier report is void)
        FEE_EXHAUSTED, // a FEE_EXHAUSTED burn reset the total to zero (hard)
        BINDING_REVOKED // a revocation reset the total to zero (hard)
    }

    /// @notice A committee-approved revocation of a binding (e.g. a key compromise or a proof found invalid).
    /// @param user The owner of the binding.
    /// @param btcAddress The bound address.
    /// @param nonce The user's binding nonce (`bindingNonce(user)`), consumed by the revocation.
    /// @param deadline Unix time after which the approval is void.
    struct Revocation {
        address user;
        string btcAddress;
        uint64 nonce;
        uint256 deadline;
    }

    /// @notice Deployment-time configuration (also settable later, see the setters).
    struct Config {
        address[] operators;
        uint8 threshold;
        uint16 minConfirmations;
        uint32 mintWindowSeconds;
        uint64 userMintCapSats;
        uint64 globalMintCapSats;
        uint32 mintDelaySeconds;
        uint32 maxReportValiditySeconds;
        uint32 maxBtcHeightLag;
    }

    /*//////////////////////////////////////////////////////////////
                                 ERRORS
    //////////////////////////////////////////////////////////////*/

    /// @notice A zero address was given.
    error OracleZeroAddress();
    /// @notice `threshold` is zero or above the committee size.
    error OracleInvalidThreshold(uint8 threshold, uint256 operators);
    /// @notice More operators than `MAX_COMMITTEE_SIZE`.
    error OracleCommitteeTooLarge(uint256 operators, uint256 max);
    /// @notice An operator listed twice.
    error OracleDuplicateOperator(address operator);
    /// @notice Fewer valid signatures than the threshold.
    error OracleInsufficientSignatures(uint256 signatures, uint8 threshold);
    /// @notice A signature recovered to an address that is not a current operator.
    error OracleUnknownSigner(address signer);
    /// @notice The same operator signed twice.
    error OracleDuplicateSigner(address signer);
    /// @notice Signatures must be ordered by strictly increasing signer address.
    error OracleSignersNotSorted(address previous, address signer);
    /// @notice An empty report batch.
    error OracleEmptyBatch();
    /// @notice The signed deadline has passed.
    error OracleReportExpired(uint256 deadline, uint256 nowSeconds);
    /// @notice The signed deadline is further ahead than `maxReportValiditySeconds`.
    error OracleDeadlineTooFar(uint256 deadline, uint256 maxDeadline);
    /// @notice A report's sequence is not the user's stored sequence + 1 (replayed or out of order).
    error OracleBadSequence(address user, uint64 expected, uint64 actual);
    /// @notice A report's Bitcoin height is below the user's last accepted height.
    error OracleHeightRegressed(address user, uint64 lastHeight, uint64 reportHeight);
    /// @notice A report's Bitcoin height lags the newest attested height by more than `maxBtcHeightLag`.
    error OracleStaleReport(uint64 reportHeight, uint64 minHeight);
    /// @notice A total above the 21e14-sat Bitcoin supply.
    error OracleTotalTooLarge(address user, uint64 totalSats);
    /// @notice A dispute resolution raising the total of a user with no bound BTC address.
    error OracleUnboundUser(address user);
    /// @notice The user is frozen by an open dispute: nothing she holds may grow (queued mint execution).
    error OracleSyncFrozen(address user);
    /// @notice No report re-confirmed the unpaid rise after the grace period ended (`lastSyncAt < neededFrom`): the
    ///         user may no longer hold it, so the FEE_EXHAUSTED burn is refused.
    error OracleFeeNotReconfirmed(address user, uint64 lastSyncAt, uint256 neededFrom);
    /// @notice The BTC address is already bound (to `owner`).
    error OracleAddressAlreadyBound(string btcAddress, address owner);
    /// @notice The BTC address is not bound to the caller.
    error OracleAddressNotBound(string btcAddress, address caller);
    /// @notice An empty BTC address string, or one longer than `MAX_BTC_ADDRESS_LENGTH`.
    error OracleInvalidBtcAddress(string btcAddress);
    /// @notice The binding nonce is not the user's current nonce.
    error OracleBadBindingNonce(address user, uint64 expected, uint64 actual);
    /// @notice The user already has `MAX_BINDINGS_PER_USER` addresses.
    error OracleTooManyBindings(address user, uint256 max);
    /// @notice No queued mint for the user, or its delay has not passed.
    error OracleQueuedMintNotReady(address user, uint64 readyAt, uint256 nowSeconds);
    /// @notice A zero-valued parameter where a positive one is required.
    error OracleInvalidParameter(bytes32 name);
    /// @notice The caller is not the wired DisputeManager.
    error OracleNotDisputeManager(address caller);
    /// @notice The DisputeManager was already wired.
    error OracleAlreadyWired();
    /// @notice No unpaid fee, or the grace period since it became unpaid has not passed.
    error OracleFeeNotExhausted(address user, uint64 unpaidSince, uint256 nowSeconds);
    /// @notice The user holds no rBTC to burn.
    error OracleNothingToBurn(address user);
    /// @notice The balance hook must be a contract (or zero to unset).
    error OracleHookNotContract(address hook);
    /// @notice Less gas left than a balance-hook call needs: the hook would be starved of its stipend.
    error OracleHookGasTooLow(uint256 gasLeft, uint256 needed);

    /*//////////////////////////////////////////////////////////////
                                 EVENTS
    //////////////////////////////////////////////////////////////*/

    /// @notice The committee changed; `epoch` counts changes from 1.
    event CommitteeUpdated(uint64 indexed epoch, address[] operators, uint8 threshold);
    /// @notice A report was accepted for `user` (also emitted for deferred mints, with `newTotalSats` as attested).
    event Synced(
        address indexed user,
        uint64 previousSats,
        uint64 newTotalSats,
        uint64 btcHeight,
        bytes32 btcBlockHash,
        uint64 sequence
    );
    /// @notice A positive delta could not be charged: `deferredSats` will be minted once the user tops up FeeVault
    ///         and the committee reports again.
    event NeedsTopUp(address indexed user, uint64 deferredSats, uint256 feeWei, uint256 balanceWei);
    /// @notice `amountSats` exceeded the mint caps and was queued until `readyAt`.
    event MintQueued(address indexed user, uint64 amountSats, uint64 readyAt);
    /// @notice A queued mint was executed.
    event QueuedMintExecuted(address indexed user, uint64 amountSats);
    /// @notice A guardian cancelled a queued mint; the user's attested total dropped by `amountSats`.
    event QueuedMintCancelled(address indexed user, uint64 amountSats, address indexed guardian);
    /// @notice A report anchored `btcHeight` to a different block hash than an earlier one: Bitcoin reorganised.
    event BitcoinAnchorReplaced(uint64 indexed btcHeight, bytes32 previousHash, bytes32 newHash);
    /// @notice A BTC address was bound to `user`.
    event AddressBound(
        address indexed user,
        bytes32 indexed addressHash,
        string btcAddress,
        bytes32 proofDigest,
        uint64 nonce
    );
    /// @notice A BTC address was unbound from `user`; the next sync removes its BTC from the user's total.
    event AddressUnbound(address indexed user, bytes32 indexed addressHash, string btcAddress);
    /// @notice Mint caps changed.
    event MintCapsUpdated(
        uint32 mintWindowSeconds,
        uint64 userMintCapSats,
        uint64 globalMintCapSats,
        uint32 mintDelaySeconds
    );
    /// @notice Staleness bounds changed.
    event StalenessUpdated(uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag);
    /// @notice The confirmation depth the committee must observe changed.
    event MinConfirmationsUpdated(uint16 minConfirmations);
    /// @notice `amountSats` of `user`'s rBTC were burned outside the normal sync path (`reason`: EmergencyBurnReason).
    event EmergencyBurn(address indexed user, uint64 amountSats, uint8 reason);
    /// @notice A report of a batch was skipped (`reason`: SkipReason); no balance changed (a held rise consumed its
    ///         sequence).
    event ReportSkipped(address indexed user, uint64 sequence, uint8 reason);
    /// @notice `user`'s sequence was consumed outside the sync path (`cause`: ConsumeCause); `sequence` is its new
    ///         value.
    event SequenceConsumed(address indexed user, uint64 sequence, uint8 cause);
    /// @notice An emergency path (`reason`: EmergencyBurnReason) set `user`'s attested total from `previousSats` to
    ///         `newTotalSats`, dropping the queued and the deferred mint (emitted even when nothing was burned).
    event PositionReset(
        address indexed user,
        uint64 previousSats,
        uint64 newTotalSats,
        uint64 droppedQueuedSats,
        uint64 droppedDeferredSats,
        uint8 reason
    );
    /// @notice The DisputeManager froze or unfroze `user`'s syncs.
    event SyncFrozen(address indexed user, bool frozen);
    /// @notice An upheld dispute set `user`'s attested total from `previousSats` to `resolvedSats`.
    event DisputeResolutionApplied(address indexed user, uint64 previousSats, uint64 resolvedSats);
    /// @notice The DisputeManager was wired (once).
    event DisputeManagerWired(address indexed disputeManager);
    /// @notice The fee grace period before a FEE_EXHAUSTED burn changed.
    event FeeGracePeriodUpdated(uint32 feeGracePeriodSeconds);
    /// @notice The balance hook (notified of every backed-balance change) changed; zero disables it.
    event BalanceHookUpdated(address indexed hook);
    /// @notice The balance hook reverted or ran out of its gas stipend for `user`; the balance change stands.
    event BalanceHookFailed(address indexed user);

    /*//////////////////////////////////////////////////////////////
                               COMMITTEE
    //////////////////////////////////////////////////////////////*/

    /// @notice Applies a committee-signed batch of reports.
    /// @dev Requirements: ≥ threshold signatures of distinct current operators over `hashSyncBatch(reports, deadline)`,
    ///      sorted by signer address; `deadline` not passed and not further than `maxReportValiditySeconds` ahead;
    ///      every report valid (see the errors) — only the committee can make a report invalid, and the whole batch
    ///      reverts on one. What users and third parties can change is never a revert: a report whose sequence was
    ///      already used or consumed is skipped (`ReportSkipped`, STALE_SEQUENCE), except that one drop signed before
    ///      a soft change still applies; a rise of a frozen or unbound user, or during a pause, is held back
    ///      (skipped; it consumes its sequence and changes nothing else). Drops apply while paused and while frozen.
    /// @param reports The reports (any order; a user may appear with consecutive sequences).
    /// @param deadline Unix time after which the signatures are void.
    /// @param signatures 65-byte ECDSA signatures (r ‖ s ‖ v) over the EIP-712 digest.
    function sync(Report[] calldata reports, uint256 deadline, bytes[] calldata signatures) external;

    /// @notice Binds a BTC address to a user after the committee verified the user's ownership proof off-chain.
    /// @dev Requirements: not paused; threshold signatures over `hashBinding(request)`; `request.nonce ==
    ///      bindingNonce(user)`; deadline valid; address non-empty and not bound to anyone.
    function bindAddress(BindingRequest calldata request, bytes[] calldata signatures) external;

    /// @notice Unbinds `btcAddress` from the caller and consumes the caller's sequence (soft): no report signed before
    ///         can raise her total afterwards. The next sync burns the BTC the address carried. Works while paused.
    function unbindAddress(string calldata btcAddress) external;

    /// @notice Mints a queued (cap-overflow) mint once its delay has passed. Anyone may call.
    /// @dev Requirements: not paused; the user is not frozen (`OracleSyncFrozen`); the delay passed.
    function executeQueuedMint(address user) external;

    /*//////////////////////////////////////////////////////////////
                      EMERGENCY BURNS AND DISPUTES
    //////////////////////////////////////////////////////////////*/

    /// @notice Burns `user`'s whole position (free + escrow, slashing wrBTC) when a fee has been unpaid for longer
    ///         than `feeGracePeriodSeconds`. Anyone may call (the runner does). The attested total drops to zero; the
    ///         committee's next report re-mints the BTC once the fee can be paid.
    /// @dev Requirements: the user's last report was deferred (`NeedsTopUp`) continuously since `feeUnpaidSince`, the
    ///      grace period passed, and a report after the grace period re-confirmed the unpaid rise (`lastSyncAt ≥
    ///      feeUnpaidSince + feeGracePeriodSeconds`: a user whose BTC left, or whom nobody re-reported, is never
    ///      burned for a stale deferral); the user holds rBTC. Consumes the user's sequence (hard).
    function emergencyBurnFeeExhausted(address user) external;

    /// @notice Burns the user's whole position on the committee's signed revocation of one of her bindings, and
    ///         unbinds the address if it is still bound to her (unbinding it first does not dodge the burn).
    /// @dev Requirements: threshold signatures over `hashRevocation(revocation)`; nonce == bindingNonce(user)
    ///      (consumed); deadline valid. Consumes the user's sequence (hard).
    function revokeBinding(Revocation calldata revocation, bytes[] calldata signatures) external;

    /// @notice Freezes or unfreezes `user` (DisputeManager only). A frozen user's rises are held back, her queued mint
    ///         cannot execute and she cannot wrap (RBTCSynth refuses escrow moves); her drops still apply. Lifting the
    ///         freeze consumes her sequence (soft), so no rise signed during the freeze can apply afterwards.
    function setSyncFrozen(address user, bool frozen) external;

    /// @notice Sets `user`'s attested total to `resolvedSats` after an upheld dispute (DisputeManager only): the
    ///         queued and deferred mints are dropped, then rBTC is burned (free → escrow → slash) or minted to match.
    ///         Consumes the user's sequence (hard): no report signed before can change her total afterwards.
    function applyDisputeResolution(address user, uint64 resolvedSats) external;

    /*//////////////////////////////////////////////////////////////
                                 ADMIN
    //////////////////////////////////////////////////////////////*/

    /// @notice Wires the DisputeManager (DEFAULT_ADMIN_ROLE, once).
    function setDisputeManager(address disputeManager) external;
    /// @notice Sets the grace period before a FEE_EXHAUSTED burn (CONFIG_ROLE); zero → OracleInvalidParameter.
    function setFeeGracePeriod(uint32 feeGracePeriodSeconds) external;

    /// @notice Replaces the committee (CONFIG_ROLE).
    function setCommittee(address[] calldata operators, uint8 threshold) external;
    /// @notice Sets the mint caps and delay (CONFIG_ROLE). Zero caps or window → OracleInvalidParameter.
    function setMintCaps(
        uint32 mintWindowSeconds,
        uint64 userMintCapSats,
        uint64 globalMintCapSats,
        uint32 mintDelaySeconds
    ) external;
    /// @notice Sets the staleness bounds (CONFIG_ROLE).
    function setStaleness(uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag) external;
    /// @notice Sets the confirmation depth the committee observes (CONFIG_ROLE).
    function setMinConfirmations(uint16 minConfirmations) external;
    /// @notice Sets the contract notified after every change of a user's backed rBTC (CONFIG_ROLE); zero disables.
    /// @dev The hook runs with `BALANCE_HOOK_GAS` inside try/catch: a failing hook emits `BalanceHookFailed` and
    ///      never blocks a sync or a burn.
    function setBalanceHook(address hook) external;
    /// @notice Cancels `user`'s queued mint (GUARDIAN_ROLE).
    function cancelQueuedMint(address user) external;
    /// @notice Pauses rises (sync holds them back), binding and queued-mint execution (GUARDIAN_ROLE). Drops and every
    ///         burn path keep working: a paused Oracle never keeps unbacked rBTC alive.
    function pause() external;
    /// @notice Lifts a pause (GUARDIAN_ROLE).
    function unpause() external;

    /*//////////////////////////////////////////////////////////////
                                 VIEWS
    //////////////////////////////////////////////////////////////*/

    /// @notice EIP-712 digest the committee signs for a sync batch.
    function hashSyncBatch(Report[] calldata reports, uint256 deadline) external view returns (bytes32);
    /// @notice EIP-712 digest the committee signs for a binding.
    function hashBinding(BindingRequest calldata request) external view returns (bytes32);
    /// @notice Current operators, threshold and committee epoch.
    function committee() external view returns (address[] memory operators, uint8 threshold, uint64 epoch);
    /// @notice True when `account` is a current operator.
    function isOperator(address account) external view returns (bool);
    /// @notice State of one user.
    function userState(address user) external view returns (UserView memory);
    /// @notice States of many users in one call (the runner's batched read).
    function userStates(address[] calldata users) external view returns (UserView[] memory);
    /// @notice Number of users that ever bound an address.
    function usersLength() external view returns (uint256);
    /// @notice Users `[start, end)` in first-binding order (`end` clamped to the length).
    function usersSlice(uint256 start, uint256 end) external view returns (address[] memory);
    /// @notice Number of active bindings.
    function bindingsLength() external view returns (uint256);
    /// @notice Active bindings `[start, end)` (`end` clamped). Order changes when an address is unbound.
    function bindingsSlice(uint256 start, uint256 end) external view returns (Binding[] memory);
    /// @notice The user `btcAddress` is bound to (zero when unbound).
    function ownerOfBtcAddress(string calldata btcAddress) external view returns (address);
    /// @notice BTC addresses bound to `user`.
    function addressesOf(address user) external view returns (string[] memory);
    /// @notice The nonce the next binding of `user` must carry.
    function bindingNonce(address user) external view returns (uint64);
    /// @notice Highest Bitcoin height any accepted report carried.
    function highestBtcHeight() external view returns (uint64);
    /// @notice Block hash the committee attested at `btcHeight` (zero when none).
    function btcAnchor(uint64 btcHeight) external view returns (bytes32);
    /// @notice Confirmations the committee must observe before counting a coin.
    function minConfirmations() external view returns (uint16);
    /// @notice Mint-cap window length, per-user and global caps per window, and the queue delay.
    function mintCaps()
        external
        view
        returns (uint32 windowSeconds, uint64 userCapSats, uint64 globalCapSats, uint32 delaySeconds);
    /// @notice Longest allowed time between now and a batch deadline, and the allowed Bitcoin height lag.
    function staleness() external view returns (uint32 maxReportValiditySeconds, uint32 maxBtcHeightLag);
    /// @notice Sats minted in the current window (global).
    function globalMintedInWindow() external view returns (uint64);
    /// @notice EIP-712 digest the committee signs for a revocation.
    function hashRevocation(Revocation calldata revocation) external view returns (bytes32);
    /// @notice Unix time since which `user`'s fee has been unpaid (meaningful while `deferredSats` > 0).
    function feeUnpaidSince(address user) external view returns (uint64);
    /// @notice True while an open dispute freezes `user`'s syncs.
    function isSyncFrozen(address user) external view returns (bool);
    /// @notice Number of emergency burns so far (every reason).
    function emergencyBurnCount() external view returns (uint64);
    /// @notice Grace period before a FEE_EXHAUSTED burn, in seconds.
    function feeGracePeriodSeconds() external view returns (uint32);
    /// @notice The DisputeManager (zero until wired).
    function disputeManager() external view returns (address);
    /// @notice The balance hook (zero when none).
    function balanceHook() external view returns (address);
    /// @notice The rBTC-SYNTH ledger.
    function rbtc() external view returns (address);
    /// @notice The wrBTC vault.
    function wrbtc() external view returns (address);
    /// @notice The FeeVault.
    function feeVault() external view returns (address);
    /// @notice The FeePolicy.
    function feePolicy() external view returns (address);
}
