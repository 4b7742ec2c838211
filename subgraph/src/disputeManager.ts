// DisputeManager: bonded disputes of attested balances. DisputeOpened creates a Dispute (OPEN); DisputeUpheld,
// DisputeRejected and DisputeExpired close it; every transition is also an immutable DisputeTransition. The ETH
// movements (reward funding, deferred payments, pulls) and parameter changes are recorded as events.

import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";

import {
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  DisputeExpired,
  DisputeOpened,
  DisputeRejected,
  DisputeUpheld,
  OwedWithdrawn,
  ParametersUpdated,
  PaymentDeferred,
  RewardsFunded,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  TreasuryUpdated,
} from "../generated/DisputeManager/DisputeManager";
import { Dispute, DisputeConfigChange, DisputeFundsMove, DisputeTransition } from "../generated/schema";
import {
  DISPUTE_MANAGER,
  commitReserveState,
  eventId,
  getOrCreateReserveState,
  getOrCreateUser,
  recordDefaultAdminChange,
  recordRoleAdminChanged,
  recordRoleMembership,
  stampEvent,
} from "./helpers";

/** Dispute entity id: the id as 32 big-endian bytes. */
function disputeEntityId(disputeId: BigInt): Bytes {
  return Bytes.fromHexString(disputeId.toHexString().slice(2).padStart(64, "0"));
}

/** Records a transition of `dispute` to `status`. */
function recordTransition(event: ethereum.Event, dispute: Bytes, status: string, actor: Bytes): void {
  const transition = new DisputeTransition(eventId(event));
  transition.dispute = dispute;
  transition.status = status;
  transition.actor = actor;
  stampEvent(transition, event);
  transition.save();
}

/** Closes an open dispute with `status` and moves ReserveState's counters. */
function closeDispute(
  event: ethereum.Event,
  disputeId: BigInt,
  status: string,
  actor: Bytes,
): Dispute | null {
  const dispute = Dispute.load(disputeEntityId(disputeId));
  if (dispute == null) return null;
  dispute.status = status;
  dispute.closedAtBlock = event.block.number;
  recordTransition(event, dispute.id, status, actor);
  const state = getOrCreateReserveState(event);
  state.openDisputeCount = state.openDisputeCount - 1;
  if (status == "UPHELD") state.upheldDisputeCount = state.upheldDisputeCount + 1;
  else if (status == "REJECTED") state.rejectedDisputeCount = state.rejectedDisputeCount + 1;
  else state.expiredDisputeCount = state.expiredDisputeCount + 1;
  commitReserveState(state, event);
  return dispute;
}

/** Records an ETH movement. */
function recordFunds(event: ethereum.Event, kind: string, account: Bytes, amountWei: BigInt): void {
  const move = new DisputeFundsMove(eventId(event));
  move.kind = kind;
  move.account = account;
  move.amountWei = amountWei;
  stampEvent(move, event);
  move.save();
}

export function handleDisputeOpened(event: DisputeOpened): void {
  const user = getOrCreateUser(event.params.user, event);
  const dispute = new Dispute(disputeEntityId(event.params.disputeId));
  dispute.disputeId = event.params.disputeId;
  dispute.user = user.id;
  dispute.challenger = event.params.challenger;
  dispute.claimedSats = event.params.claimedSats;
  dispute.attestedSats = event.params.attestedSats;
  dispute.bondWei = event.params.bondWei;
  dispute.evidenceURI = event.params.evidenceURI;
  dispute.status = "OPEN";
  dispute.deadline = event.params.deadline;
  dispute.openedAtBlock = event.block.number;
  dispute.openedAtTimestamp = event.block.timestamp;
  dispute.save();
  recordTransition(event, dispute.id, "OPEN", event.params.challenger);

  const state = getOrCreateReserveState(event);
  state.disputeManager = event.address;
  state.disputeCount = state.disputeCount + 1;
  state.openDisputeCount = state.openDisputeCount + 1;
  commitReserveState(state, event);
}

export function handleDisputeUpheld(event: DisputeUpheld): void {
  const dispute = closeDispute(event, event.params.disputeId, "UPHELD", event.params.resolver);
  if (dispute == null) return;
  dispute.resolver = event.params.resolver;
  dispute.resolvedSats = event.params.resolvedSats;
  dispute.rewardWei = event.params.rewardWei;
  dispute.save();
}

export function handleDisputeRejected(event: DisputeRejected): void {
  const dispute = closeDispute(event, event.params.disputeId, "REJECTED", event.params.resolver);
  if (dispute == null) return;
  dispute.resolver = event.params.resolver;
  dispute.save();
}

export function handleDisputeExpired(event: DisputeExpired): void {
  const dispute = closeDispute(event, event.params.disputeId, "EXPIRED", event.params.caller);
  if (dispute == null) return;
  dispute.save();
}

export function handleRewardsFunded(event: RewardsFunded): void {
  recordFunds(event, "REWARDS_FUNDED", event.params.funder, event.params.amountWei);
}

export function handlePaymentDeferred(event: PaymentDeferred): void {
  recordFunds(event, "PAYMENT_DEFERRED", event.params.account, event.params.amountWei);
}

export function handleOwedWithdrawn(event: OwedWithdrawn): void {
  recordFunds(event, "OWED_WITHDRAWN", event.params.account, event.params.amountWei);
}

export function handleParametersUpdated(event: ParametersUpdated): void {
  const change = new DisputeConfigChange(eventId(event));
  change.challengeWindowSeconds = event.params.challengeWindowSeconds;
  change.resolutionDeadlineSeconds = event.params.resolutionDeadlineSeconds;
  change.minBondWei = event.params.minBondWei;
  change.rewardWei = event.params.rewardWei;
  stampEvent(change, event);
  change.save();
}

export function handleTreasuryUpdated(event: TreasuryUpdated): void {
  const change = new DisputeConfigChange(eventId(event));
  change.treasury = event.params.treasury;
  stampEvent(change, event);
  change.save();
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(
    event,
    DISPUTE_MANAGER,
    true,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(
    event,
    DISPUTE_MANAGER,
    false,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    DISPUTE_MANAGER,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    DISPUTE_MANAGER,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, DISPUTE_MANAGER, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    DISPUTE_MANAGER,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, DISPUTE_MANAGER, "DELAY_CHANGE_CANCELED", null, null, null, null);
}
