// Oracle: the committee oracle. Synced moves each user's attested total (and the system's); NeedsTopUp and the queue
// events track mints waiting for a fee top-up or for the cap delay; bindings maintain BitcoinAddress; the
// configuration events keep ReserveState's committee, caps and staleness bounds current.

import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";

import {
  AddressBound,
  AddressUnbound,
  BalanceHookFailed,
  BalanceHookUpdated,
  BitcoinAnchorReplaced,
  CommitteeUpdated,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  DisputeManagerWired,
  DisputeResolutionApplied,
  EIP712DomainChanged,
  EmergencyBurn,
  FeeGracePeriodUpdated,
  MinConfirmationsUpdated,
  MintCapsUpdated,
  MintQueued,
  NeedsTopUp,
  Paused,
  PositionReset,
  QueuedMintCancelled,
  QueuedMintExecuted,
  ReportSkipped,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  SequenceConsumed,
  StalenessUpdated,
  SyncFrozen,
  Synced,
  Unpaused,
} from "../generated/Oracle/Oracle";
import {
  AddressBinding,
  AnchorReplacement,
  BitcoinAddress,
  Committee,
  CommitteeChange,
  MintQueueEvent,
  OracleConfigChange,
  OracleUserNotice,
  PositionResetEvent,
  ReportSkip,
  ReserveState,
  SequenceConsumption,
  Sync,
  TopUpRequest,
  User,
  Wiring,
} from "../generated/schema";
import {
  ORACLE,
  ZERO_BI,
  commitReserveState,
  eventId,
  getOrCreateReserveDaySnapshot,
  getOrCreateReserveState,
  getOrCreateUser,
  recordDefaultAdminChange,
  recordDomainChange,
  recordEmergencyBurn,
  recordHistoryPoint,
  recordPauseChange,
  recordRoleAdminChanged,
  recordRoleMembership,
  saveReserveState,
  saveUser,
  stampEvent,
} from "./helpers";

/** Committee entity id of an epoch. */
function committeeId(epoch: BigInt): Bytes {
  return Bytes.fromUTF8("committee-").concatI32(epoch.toI32());
}

/** Sets the user's deferred sats and keeps ReserveState.totalDeferredSats in step. */
function setDeferred(user: User, state: ReserveState, deferredSats: BigInt): void {
  state.totalDeferredSats = state.totalDeferredSats.minus(user.deferredSats).plus(deferredSats);
  user.deferredSats = deferredSats;
}

/** Sets the user's queued sats and keeps ReserveState.totalQueuedSats in step. */
function setQueued(user: User, state: ReserveState, queuedSats: BigInt): void {
  state.totalQueuedSats = state.totalQueuedSats.minus(user.queuedSats).plus(queuedSats);
  user.queuedSats = queuedSats;
  if (queuedSats.equals(ZERO_BI)) user.queuedReadyAt = null;
}

/** True when the user's last NeedsTopUp belongs to the report this Synced closes (same transaction, after the
 *  user's previous Synced in it): the deferral then stands; otherwise this report supersedes it. */
function deferralBelongsTo(user: User, event: Synced): boolean {
  const requestId = user.lastTopUpRequest;
  if (!requestId) return false;
  const request = TopUpRequest.load(requestId);
  if (request == null || !request.transactionHash.equals(event.transaction.hash)) return false;
  const syncId = user.lastSync;
  if (!syncId) return true;
  const previous = Sync.load(syncId);
  if (previous == null || !previous.transactionHash.equals(event.transaction.hash)) return true;
  return previous.logIndex.lt(request.logIndex);
}

export function handleSynced(event: Synced): void {
  const user = getOrCreateUser(event.params.user, event);
  const previousSats = event.params.previousSats;
  const newTotalSats = event.params.newTotalSats;
  const sync = new Sync(eventId(event));
  sync.user = user.id;
  sync.previousSats = previousSats;
  sync.newTotalSats = newTotalSats;
  sync.deltaSats = newTotalSats.minus(previousSats);
  sync.btcHeight = event.params.btcHeight;
  sync.btcBlockHash = event.params.btcBlockHash;
  sync.sequence = event.params.sequence;
  stampEvent(sync, event);
  sync.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.totalAttestedSats = state.totalAttestedSats.minus(user.attestedSats).plus(newTotalSats);
  if (!deferralBelongsTo(user, event)) setDeferred(user, state, ZERO_BI);
  // A drop first shrinks a queued mint (the contract emits no separate event for that).
  if (newTotalSats.lt(previousSats) && user.queuedSats.gt(ZERO_BI)) {
    const drop = previousSats.minus(newTotalSats);
    setQueued(user, state, drop.ge(user.queuedSats) ? ZERO_BI : user.queuedSats.minus(drop));
  }
  user.attestedSats = newTotalSats;
  user.sequence = event.params.sequence;
  user.btcHeight = event.params.btcHeight;
  user.lastSyncBlock = event.block.number;
  user.lastSyncTimestamp = event.block.timestamp;
  user.lastSyncBtcBlockHash = event.params.btcBlockHash;
  user.lastSync = sync.id;
  user.syncCount = user.syncCount + 1;
  saveUser(user, event);

  state.syncCount = state.syncCount + 1;
  if (event.params.btcHeight.gt(state.highestBtcHeight)) state.highestBtcHeight = event.params.btcHeight;
  state.lastSyncBlock = event.block.number;
  state.lastSyncTimestamp = event.block.timestamp;
  const day = getOrCreateReserveDaySnapshot(event);
  day.syncCount = day.syncCount + 1;
  saveReserveState(state, day);
  recordHistoryPoint(event, "Synced", state, null);
}

export function handleNeedsTopUp(event: NeedsTopUp): void {
  const user = getOrCreateUser(event.params.user, event);
  const request = new TopUpRequest(eventId(event));
  request.user = user.id;
  request.deferredSats = event.params.deferredSats;
  request.feeWei = event.params.feeWei;
  request.balanceWei = event.params.balanceWei;
  stampEvent(request, event);
  request.save();

  const state = getOrCreateReserveState(event);
  setDeferred(user, state, event.params.deferredSats);
  user.lastTopUpRequest = request.id;
  saveUser(user, event);
  commitReserveState(state, event);
}

export function handleMintQueued(event: MintQueued): void {
  const user = getOrCreateUser(event.params.user, event);
  const queued = new MintQueueEvent(eventId(event));
  queued.action = "QUEUED";
  queued.user = user.id;
  queued.amountSats = event.params.amountSats;
  queued.readyAt = event.params.readyAt;
  stampEvent(queued, event);
  queued.save();

  const state = getOrCreateReserveState(event);
  setQueued(user, state, user.queuedSats.plus(event.params.amountSats));
  user.queuedReadyAt = event.params.readyAt;
  saveUser(user, event);
  commitReserveState(state, event);
}

export function handleQueuedMintExecuted(event: QueuedMintExecuted): void {
  const user = getOrCreateUser(event.params.user, event);
  const executed = new MintQueueEvent(eventId(event));
  executed.action = "EXECUTED";
  executed.user = user.id;
  executed.amountSats = event.params.amountSats;
  stampEvent(executed, event);
  executed.save();

  const state = getOrCreateReserveState(event);
  const amount = event.params.amountSats;
  setQueued(user, state, amount.ge(user.queuedSats) ? ZERO_BI : user.queuedSats.minus(amount));
  saveUser(user, event);
  commitReserveState(state, event);
  recordHistoryPoint(event, "QueuedMintExecuted", state, null);
}

export function handleQueuedMintCancelled(event: QueuedMintCancelled): void {
  const user = getOrCreateUser(event.params.user, event);
  const cancelled = new MintQueueEvent(eventId(event));
  cancelled.action = "CANCELLED";
  cancelled.user = user.id;
  cancelled.amountSats = event.params.amountSats;
  cancelled.guardian = event.params.guardian;
  stampEvent(cancelled, event);
  cancelled.save();

  const state = getOrCreateReserveState(event);
  const amount = event.params.amountSats;
  setQueued(user, state, amount.ge(user.queuedSats) ? ZERO_BI : user.queuedSats.minus(amount));
  // The attested total dropped by the cancelled sats.
  const attested = amount.ge(user.attestedSats) ? ZERO_BI : user.attestedSats.minus(amount);
  state.totalAttestedSats = state.totalAttestedSats.minus(user.attestedSats).plus(attested);
  user.attestedSats = attested;
  saveUser(user, event);
  commitReserveState(state, event);
}

export function handleCommitteeUpdated(event: CommitteeUpdated): void {
  const state = getOrCreateReserveState(event);
  const previousId = state.committee;
  if (previousId) {
    const previous = Committee.load(previousId);
    if (previous != null) {
      previous.active = false;
      previous.replacedAtBlock = event.block.number;
      previous.save();
    }
  }

  const operators = changetype<Bytes[]>(event.params.operators);
  const committee = new Committee(committeeId(event.params.epoch));
  committee.epoch = event.params.epoch;
  committee.operators = operators;
  committee.threshold = event.params.threshold;
  committee.size = operators.length;
  committee.active = true;
  committee.createdAtBlock = event.block.number;
  committee.createdAtTimestamp = event.block.timestamp;
  committee.save();

  const change = new CommitteeChange(eventId(event));
  change.committee = committee.id;
  change.epoch = event.params.epoch;
  change.operators = operators;
  change.threshold = event.params.threshold;
  stampEvent(change, event);
  change.save();

  state.oracle = event.address;
  state.committee = committee.id;
  state.committeeEpoch = event.params.epoch;
  state.threshold = event.params.threshold;
  state.committeeSize = operators.length;
  state.save();
}

export function handleBitcoinAnchorReplaced(event: BitcoinAnchorReplaced): void {
  const replacement = new AnchorReplacement(eventId(event));
  replacement.btcHeight = event.params.btcHeight;
  replacement.previousHash = event.params.previousHash;
  replacement.newHash = event.params.newHash;
  stampEvent(replacement, event);
  replacement.save();

  const state = getOrCreateReserveState(event);
  state.reorgCount = state.reorgCount + 1;
  state.save();
}

export function handleAddressBound(event: AddressBound): void {
  const user = getOrCreateUser(event.params.user, event);
  const state = getOrCreateReserveState(event);
  let btcAddress = BitcoinAddress.load(event.params.addressHash);
  if (btcAddress == null) {
    btcAddress = new BitcoinAddress(event.params.addressHash);
    btcAddress.address = event.params.btcAddress;
    btcAddress.bindCount = 0;
  }
  btcAddress.user = user.id;
  btcAddress.status = "BOUND";
  btcAddress.proofDigest = event.params.proofDigest;
  btcAddress.nonce = event.params.nonce;
  btcAddress.boundAtBlock = event.block.number;
  btcAddress.boundAtTimestamp = event.block.timestamp;
  btcAddress.unboundAtBlock = null;
  btcAddress.bindCount = btcAddress.bindCount + 1;
  btcAddress.save();

  const binding = new AddressBinding(eventId(event));
  binding.action = "BOUND";
  binding.user = user.id;
  binding.btcAddress = btcAddress.id;
  binding.address = event.params.btcAddress;
  binding.proofDigest = event.params.proofDigest;
  binding.nonce = event.params.nonce;
  stampEvent(binding, event);
  binding.save();

  user.bindingCount = user.bindingCount + 1;
  saveUser(user, event);
  state.oracle = event.address;
  state.boundAddressCount = state.boundAddressCount + 1;
  state.save();
}

export function handleAddressUnbound(event: AddressUnbound): void {
  const user = getOrCreateUser(event.params.user, event);
  const state = getOrCreateReserveState(event);
  let btcAddress = BitcoinAddress.load(event.params.addressHash);
  if (btcAddress == null) {
    // Unreachable on a consistent chain (an address is bound before it is unbound); kept total for safety.
    btcAddress = new BitcoinAddress(event.params.addressHash);
    btcAddress.address = event.params.btcAddress;
    btcAddress.proofDigest = Bytes.empty();
    btcAddress.nonce = ZERO_BI;
    btcAddress.boundAtBlock = event.block.number;
    btcAddress.boundAtTimestamp = event.block.timestamp;
    btcAddress.bindCount = 0;
  }
  btcAddress.user = user.id;
  btcAddress.status = "UNBOUND";
  btcAddress.unboundAtBlock = event.block.number;
  btcAddress.save();

  const binding = new AddressBinding(eventId(event));
  binding.action = "UNBOUND";
  binding.user = user.id;
  binding.btcAddress = btcAddress.id;
  binding.address = event.params.btcAddress;
  stampEvent(binding, event);
  binding.save();

  if (user.bindingCount > 0) user.bindingCount = user.bindingCount - 1;
  saveUser(user, event);
  if (state.boundAddressCount > 0) state.boundAddressCount = state.boundAddressCount - 1;
  state.save();
}

export function handleMintCapsUpdated(event: MintCapsUpdated): void {
  const change = new OracleConfigChange(eventId(event));
  change.kind = "MINT_CAPS";
  change.mintWindowSeconds = event.params.mintWindowSeconds;
  change.userMintCapSats = event.params.userMintCapSats;
  change.globalMintCapSats = event.params.globalMintCapSats;
  change.mintDelaySeconds = event.params.mintDelaySeconds;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.mintWindowSeconds = event.params.mintWindowSeconds;
  state.userMintCapSats = event.params.userMintCapSats;
  state.globalMintCapSats = event.params.globalMintCapSats;
  state.mintDelaySeconds = event.params.mintDelaySeconds;
  state.save();
}

export function handleStalenessUpdated(event: StalenessUpdated): void {
  const change = new OracleConfigChange(eventId(event));
  change.kind = "STALENESS";
  change.maxReportValiditySeconds = event.params.maxReportValiditySeconds;
  change.maxBtcHeightLag = event.params.maxBtcHeightLag;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.maxReportValiditySeconds = event.params.maxReportValiditySeconds;
  state.maxBtcHeightLag = event.params.maxBtcHeightLag;
  state.save();
}

export function handleMinConfirmationsUpdated(event: MinConfirmationsUpdated): void {
  const change = new OracleConfigChange(eventId(event));
  change.kind = "MIN_CONFIRMATIONS";
  change.minConfirmations = event.params.minConfirmations;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.minConfirmations = event.params.minConfirmations;
  state.save();
}

// Pausable, EIP-712 ------------------------------------------------------------------------------------------------

export function handlePaused(event: Paused): void {
  recordPauseChange(event, ORACLE, true, event.params.account);
  const state = getOrCreateReserveState(event);
  state.oraclePaused = true;
  state.save();
}

export function handleUnpaused(event: Unpaused): void {
  recordPauseChange(event, ORACLE, false, event.params.account);
  const state = getOrCreateReserveState(event);
  state.oraclePaused = false;
  state.save();
}

export function handleEIP712DomainChanged(event: EIP712DomainChanged): void {
  recordDomainChange(event, ORACLE);
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(event, ORACLE, true, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(event, ORACLE, false, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    ORACLE,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    ORACLE,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, ORACLE, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    ORACLE,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, ORACLE, "DELAY_CHANGE_CANCELED", null, null, null, null);
}

// Emergency burns, dispute freezes and the balance hook -------------------------------------------------------------

/** EmergencyBurn.reason codes (IOracle.EmergencyBurnReason) as schema enum values. */
function emergencyReason(code: i32): string {
  if (code == 0) return "FEE_EXHAUSTED";
  if (code == 1) return "BINDING_REVOKED";
  if (code == 2) return "DISPUTE_UPHELD";
  return "BACKING_LOST";
}

/** Sets the user's attested total (and ReserveState's sum), dropping deferred and queued sats (an emergency path). */
function resetAttested(user: User, state: ReserveState, attestedSats: BigInt): void {
  state.totalAttestedSats = state.totalAttestedSats.minus(user.attestedSats).plus(attestedSats);
  user.attestedSats = attestedSats;
  setDeferred(user, state, ZERO_BI);
  setQueued(user, state, ZERO_BI);
}

/** Records a per-user Oracle notice. */
function recordNotice(event: ethereum.Event, user: Bytes, kind: string): OracleUserNotice {
  const notice = new OracleUserNotice(eventId(event));
  notice.user = user;
  notice.kind = kind;
  stampEvent(notice, event);
  return notice;
}

export function handleEmergencyBurn(event: EmergencyBurn): void {
  const user = getOrCreateUser(event.params.user, event);
  const reason = emergencyReason(event.params.reason);
  recordEmergencyBurn(event, user.id, event.params.amountSats, reason);

  const state = getOrCreateReserveState(event);
  state.emergencyBurnCount = state.emergencyBurnCount + 1;
  // The attested total moved with the PositionReset (or the Synced, for BACKING_LOST) emitted before it.
  saveUser(user, event);
  commitReserveState(state, event);
  recordHistoryPoint(event, "EmergencyBurn", state, null);
}

/** SkipReason names by code (IOracle.SkipReason). */
function skipReason(code: i32): string {
  if (code == 0) return "DISPUTE_OPEN";
  if (code == 1) return "UNBOUND";
  if (code == 2) return "PAUSED";
  if (code == 3) return "STALE_SEQUENCE";
  return "UNKNOWN";
}

/** ConsumeCause names by code (IOracle.ConsumeCause). */
function consumeCause(code: i32): string {
  if (code == 0) return "UNBIND";
  if (code == 1) return "DISPUTE_CLOSED";
  if (code == 2) return "DISPUTE_UPHELD";
  if (code == 3) return "FEE_EXHAUSTED";
  return "BINDING_REVOKED";
}

export function handleSequenceConsumed(event: SequenceConsumed): void {
  const user = getOrCreateUser(event.params.user, event);
  const record = new SequenceConsumption(eventId(event));
  record.user = user.id;
  record.sequence = event.params.sequence;
  record.cause = consumeCause(event.params.cause);
  stampEvent(record, event);
  record.save();
  user.sequence = event.params.sequence;
  saveUser(user, event);
}

/**
 * An emergency path set the user's attested total and dropped the queued and deferred mints (also when nothing was
 * burned, e.g. a revocation of a user with only a queued mint).
 */
export function handlePositionReset(event: PositionReset): void {
  const user = getOrCreateUser(event.params.user, event);
  const record = new PositionResetEvent(eventId(event));
  record.user = user.id;
  record.previousSats = event.params.previousSats;
  record.newTotalSats = event.params.newTotalSats;
  record.droppedQueuedSats = event.params.droppedQueuedSats;
  record.droppedDeferredSats = event.params.droppedDeferredSats;
  record.reason = emergencyReason(event.params.reason);
  stampEvent(record, event);
  record.save();
  const state = getOrCreateReserveState(event);
  resetAttested(user, state, event.params.newTotalSats);
  saveUser(user, event);
  commitReserveState(state, event);
}

export function handleReportSkipped(event: ReportSkipped): void {
  const user = getOrCreateUser(event.params.user, event);
  const skip = new ReportSkip(eventId(event));
  skip.user = user.id;
  skip.sequence = event.params.sequence;
  skip.reason = event.params.reason;
  skip.reasonName = skipReason(event.params.reason);
  stampEvent(skip, event);
  skip.save();
}

export function handleSyncFrozen(event: SyncFrozen): void {
  const user = getOrCreateUser(event.params.user, event);
  recordNotice(event, user.id, event.params.frozen ? "SYNC_FROZEN" : "SYNC_UNFROZEN").save();
  user.syncFrozen = event.params.frozen;
  saveUser(user, event);
}

export function handleDisputeResolutionApplied(event: DisputeResolutionApplied): void {
  const user = getOrCreateUser(event.params.user, event);
  const notice = recordNotice(event, user.id, "RESOLUTION_APPLIED");
  notice.previousSats = event.params.previousSats;
  notice.resolvedSats = event.params.resolvedSats;
  notice.save();
  // The PositionReset that follows sets the total; the block is a history point.
  recordHistoryPoint(event, "DisputeResolutionApplied", getOrCreateReserveState(event), null);
}

export function handleBalanceHookFailed(event: BalanceHookFailed): void {
  const user = getOrCreateUser(event.params.user, event);
  recordNotice(event, user.id, "HOOK_FAILED").save();
}

export function handleDisputeManagerWired(event: DisputeManagerWired): void {
  const wiring = new Wiring(eventId(event));
  wiring.kind = "ORACLE_DISPUTE_MANAGER_WIRED";
  wiring.disputeManager = event.params.disputeManager;
  stampEvent(wiring, event);
  wiring.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.disputeManager = event.params.disputeManager;
  state.save();
}

export function handleFeeGracePeriodUpdated(event: FeeGracePeriodUpdated): void {
  const change = new OracleConfigChange(eventId(event));
  change.kind = "FEE_GRACE_PERIOD";
  change.feeGracePeriodSeconds = event.params.feeGracePeriodSeconds;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.feeGracePeriodSeconds = event.params.feeGracePeriodSeconds;
  state.save();
}

export function handleBalanceHookUpdated(event: BalanceHookUpdated): void {
  const change = new OracleConfigChange(eventId(event));
  change.kind = "BALANCE_HOOK";
  change.balanceHook = event.params.hook;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.oracle = event.address;
  state.balanceHook = event.params.hook;
  state.save();
}
