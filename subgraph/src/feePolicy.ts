// FeePolicy: prices an oracle sync. FeePolicyUpdated records every parameter change and keeps ReserveState's
// current fee parameters.

import {
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  FeePolicyUpdated,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
} from "../generated/FeePolicy/FeePolicy";
import { FeePolicyChange } from "../generated/schema";
import {
  FEE_POLICY,
  eventId,
  getOrCreateReserveState,
  recordDefaultAdminChange,
  recordRoleAdminChanged,
  recordRoleMembership,
  stampEvent,
} from "./helpers";

export function handleFeePolicyUpdated(event: FeePolicyUpdated): void {
  const change = new FeePolicyChange(eventId(event));
  change.feeBps = event.params.feeBps;
  change.weiPerSat = event.params.weiPerSat;
  change.fixedFeeWei = event.params.fixedFeeWei;
  change.maxFeeWei = event.params.maxFeeWei;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.feePolicy = event.address;
  state.feeBps = event.params.feeBps;
  state.weiPerSat = event.params.weiPerSat;
  state.fixedFeeWei = event.params.fixedFeeWei;
  state.maxFeeWei = event.params.maxFeeWei;
  state.save();
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(event, FEE_POLICY, true, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(
    event,
    FEE_POLICY,
    false,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    FEE_POLICY,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    FEE_POLICY,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, FEE_POLICY, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    FEE_POLICY,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, FEE_POLICY, "DELAY_CHANGE_CANCELED", null, null, null, null);
}
