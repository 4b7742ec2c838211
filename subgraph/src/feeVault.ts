// FeeVault: ETH that users prepay for oracle updates. Deposits, withdrawals and spends move the user's fee balance
// and the system's deposit total; spends accrue to the treasury until swept.

import {
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  FeeDeposited,
  FeeSpent,
  FeeWithdrawn,
  FeesSwept,
  OracleWired,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  TreasuryUpdated,
} from "../generated/FeeVault/FeeVault";
import { FeeDeposit, FeeSpend, FeeSweep, FeeWithdrawal, TreasuryChange, Wiring } from "../generated/schema";
import {
  FEE_VAULT,
  commitReserveState,
  eventId,
  getOrCreateReserveDaySnapshot,
  getOrCreateReserveState,
  getOrCreateUser,
  recordDefaultAdminChange,
  recordRoleAdminChanged,
  recordRoleMembership,
  saveReserveState,
  saveUser,
  stampEvent,
} from "./helpers";

export function handleFeeDeposited(event: FeeDeposited): void {
  const user = getOrCreateUser(event.params.user, event);
  const deposit = new FeeDeposit(eventId(event));
  deposit.user = user.id;
  deposit.from = event.params.from;
  deposit.amountWei = event.params.amountWei;
  stampEvent(deposit, event);
  deposit.save();

  user.feeBalanceWei = user.feeBalanceWei.plus(event.params.amountWei);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.feeVault = event.address;
  state.feeDepositsWei = state.feeDepositsWei.plus(event.params.amountWei);
  commitReserveState(state, event);
}

export function handleFeeWithdrawn(event: FeeWithdrawn): void {
  const user = getOrCreateUser(event.params.user, event);
  const withdrawal = new FeeWithdrawal(eventId(event));
  withdrawal.user = user.id;
  withdrawal.amountWei = event.params.amountWei;
  stampEvent(withdrawal, event);
  withdrawal.save();

  user.feeBalanceWei = user.feeBalanceWei.minus(event.params.amountWei);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.feeVault = event.address;
  state.feeDepositsWei = state.feeDepositsWei.minus(event.params.amountWei);
  commitReserveState(state, event);
}

export function handleFeeSpent(event: FeeSpent): void {
  const user = getOrCreateUser(event.params.user, event);
  const spend = new FeeSpend(eventId(event));
  spend.user = user.id;
  spend.amountWei = event.params.amountWei;
  stampEvent(spend, event);
  spend.save();

  user.feeBalanceWei = user.feeBalanceWei.minus(event.params.amountWei);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.feeVault = event.address;
  state.feeDepositsWei = state.feeDepositsWei.minus(event.params.amountWei);
  state.accruedFeesWei = state.accruedFeesWei.plus(event.params.amountWei);
  state.totalFeesSpentWei = state.totalFeesSpentWei.plus(event.params.amountWei);
  const day = getOrCreateReserveDaySnapshot(event);
  day.feesSpentWei = day.feesSpentWei.plus(event.params.amountWei);
  saveReserveState(state, day);
}

export function handleFeesSwept(event: FeesSwept): void {
  const sweep = new FeeSweep(eventId(event));
  sweep.treasury = event.params.treasury;
  sweep.amountWei = event.params.amountWei;
  stampEvent(sweep, event);
  sweep.save();

  const state = getOrCreateReserveState(event);
  state.feeVault = event.address;
  state.accruedFeesWei = state.accruedFeesWei.minus(event.params.amountWei);
  state.totalFeesSweptWei = state.totalFeesSweptWei.plus(event.params.amountWei);
  state.save();
}

export function handleTreasuryUpdated(event: TreasuryUpdated): void {
  const change = new TreasuryChange(eventId(event));
  change.previousTreasury = event.params.previousTreasury;
  change.newTreasury = event.params.newTreasury;
  stampEvent(change, event);
  change.save();

  const state = getOrCreateReserveState(event);
  state.feeVault = event.address;
  state.treasury = event.params.newTreasury;
  state.save();
}

export function handleOracleWired(event: OracleWired): void {
  const wiring = new Wiring(eventId(event));
  wiring.kind = "FEE_VAULT_ORACLE_WIRED";
  wiring.oracle = event.params.oracle;
  stampEvent(wiring, event);
  wiring.save();

  const state = getOrCreateReserveState(event);
  state.feeVault = event.address;
  state.oracle = event.params.oracle;
  state.save();
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(event, FEE_VAULT, true, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(event, FEE_VAULT, false, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    FEE_VAULT,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    FEE_VAULT,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, FEE_VAULT, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    FEE_VAULT,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, FEE_VAULT, "DELAY_CHANGE_CANCELED", null, null, null, null);
}
