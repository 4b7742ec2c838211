// WrBTC: the wrBTC vault (ERC-20 + ERC-2612 permit). Transfer moves holders' wrBTC balances and the wrBTC supply;
// Wrapped/Redeemed/Slashed record the vault's operations (the rBTC side moves through RBTCSynth's events);
// Slashed adds what could not be slashed to the uncovered deficit; UncoveredRetired/UncoveredCovered take it back off.

import { Address, BigInt, ethereum } from "@graphprotocol/graph-ts";

import {
  Approval,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  EIP712DomainChanged,
  OracleWired,
  Paused,
  Redeemed,
  ReservesWired,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  Slashed,
  Transfer,
  UncoveredCovered,
  UncoveredRetired,
  Unpaused,
  Wrapped,
} from "../generated/WrBTC/WrBTC";
import {
  DeficitReduction,
  Redeem,
  Slash,
  TokenApproval,
  TokenTransfer,
  Wiring,
  Wrap,
} from "../generated/schema";
import {
  WRBTC,
  ZERO_ADDRESS,
  commitReserveState,
  eventId,
  getOrCreateReserveDaySnapshot,
  getOrCreateReserveState,
  getOrCreateUser,
  recordDefaultAdminChange,
  recordDomainChange,
  recordPauseChange,
  recordRoleAdminChanged,
  recordRoleMembership,
  saveReserveState,
  saveUser,
  stampEvent,
} from "./helpers";

export function handleTransfer(event: Transfer): void {
  const transfer = new TokenTransfer(eventId(event));
  transfer.token = "wrBTC";
  transfer.from = event.params.from;
  transfer.to = event.params.to;
  transfer.valueSats = event.params.value;
  stampEvent(transfer, event);
  transfer.save();

  const value = event.params.value;
  const mint = event.params.from.equals(ZERO_ADDRESS);
  const burn = event.params.to.equals(ZERO_ADDRESS);
  // Users first: creating one updates ReserveState.userCount, so the state is loaded after.
  if (!mint) {
    const from = getOrCreateUser(event.params.from, event);
    from.wrbtcSats = from.wrbtcSats.minus(value);
    saveUser(from, event);
  }
  if (!burn) {
    const to = getOrCreateUser(event.params.to, event);
    to.wrbtcSats = to.wrbtcSats.plus(value);
    saveUser(to, event);
  }
  const state = getOrCreateReserveState(event);
  state.wrbtc = event.address;
  if (mint) state.wrbtcSupplySats = state.wrbtcSupplySats.plus(value);
  if (burn) state.wrbtcSupplySats = state.wrbtcSupplySats.minus(value);
  commitReserveState(state, event);
}

export function handleApproval(event: Approval): void {
  const approval = new TokenApproval(eventId(event));
  approval.owner = event.params.owner;
  approval.spender = event.params.spender;
  approval.value = event.params.value;
  stampEvent(approval, event);
  approval.save();
}

export function handleWrapped(event: Wrapped): void {
  const user = getOrCreateUser(event.params.user, event);
  const wrap = new Wrap(eventId(event));
  wrap.user = user.id;
  wrap.amountSats = event.params.amountSats;
  stampEvent(wrap, event);
  wrap.save();

  const state = getOrCreateReserveState(event);
  const day = getOrCreateReserveDaySnapshot(event);
  day.wrappedSats = day.wrappedSats.plus(event.params.amountSats);
  saveReserveState(state, day);
}

export function handleRedeemed(event: Redeemed): void {
  const user = getOrCreateUser(event.params.user, event);
  const redeem = new Redeem(eventId(event));
  redeem.user = user.id;
  redeem.amountSats = event.params.amountSats;
  stampEvent(redeem, event);
  redeem.save();

  const state = getOrCreateReserveState(event);
  const day = getOrCreateReserveDaySnapshot(event);
  day.redeemedSats = day.redeemedSats.plus(event.params.amountSats);
  saveReserveState(state, day);
}

export function handleSlashed(event: Slashed): void {
  const user = getOrCreateUser(event.params.user, event);
  const slash = new Slash(eventId(event));
  slash.user = user.id;
  slash.requestedSats = event.params.requestedSats;
  slash.slashedSats = event.params.slashedSats;
  slash.uncoveredSats = event.params.uncoveredSats;
  stampEvent(slash, event);
  slash.save();

  user.uncoveredSats = user.uncoveredSats.plus(event.params.uncoveredSats);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.uncoveredSats = state.uncoveredSats.plus(event.params.uncoveredSats);
  state.totalSlashedSats = state.totalSlashedSats.plus(event.params.slashedSats);
  const day = getOrCreateReserveDaySnapshot(event);
  day.slashedSats = day.slashedSats.plus(event.params.slashedSats);
  saveReserveState(state, day);
}

export function handleUncoveredRetired(event: UncoveredRetired): void {
  recordDeficitReduction(event, "RETIRED", event.params.caller, event.params.user, event.params.amountSats);
}

export function handleUncoveredCovered(event: UncoveredCovered): void {
  recordDeficitReduction(event, "COVERED", event.params.caller, event.params.user, event.params.amountSats);
}

/** Records a deficit reduction and takes it off the user's and the system's uncovered deficit. */
function recordDeficitReduction(
  event: ethereum.Event,
  kind: string,
  caller: Address,
  account: Address,
  amountSats: BigInt,
): void {
  const user = getOrCreateUser(account, event);
  const reduction = new DeficitReduction(eventId(event));
  reduction.kind = kind;
  reduction.caller = caller;
  reduction.user = user.id;
  reduction.amountSats = amountSats;
  stampEvent(reduction, event);
  reduction.save();

  user.uncoveredSats = user.uncoveredSats.minus(amountSats);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.uncoveredSats = state.uncoveredSats.minus(amountSats);
  if (kind == "RETIRED") state.totalRetiredSats = state.totalRetiredSats.plus(amountSats);
  else state.totalCoveredSats = state.totalCoveredSats.plus(amountSats);
  commitReserveState(state, event);
}

export function handleReservesWired(event: ReservesWired): void {
  const wiring = new Wiring(eventId(event));
  wiring.kind = "WRBTC_RESERVES_WIRED";
  wiring.reserves = event.params.reserves;
  stampEvent(wiring, event);
  wiring.save();

  const state = getOrCreateReserveState(event);
  state.wrbtc = event.address;
  state.proofOfReserves = event.params.reserves;
  state.save();
}

export function handleOracleWired(event: OracleWired): void {
  const wiring = new Wiring(eventId(event));
  wiring.kind = "WRBTC_ORACLE_WIRED";
  wiring.oracle = event.params.oracle;
  stampEvent(wiring, event);
  wiring.save();

  const state = getOrCreateReserveState(event);
  state.wrbtc = event.address;
  state.oracle = event.params.oracle;
  state.save();
}

// Pausable, EIP-712 ------------------------------------------------------------------------------------------------

export function handlePaused(event: Paused): void {
  recordPauseChange(event, WRBTC, true, event.params.account);
  const state = getOrCreateReserveState(event);
  state.wrbtcPaused = true;
  state.save();
}

export function handleUnpaused(event: Unpaused): void {
  recordPauseChange(event, WRBTC, false, event.params.account);
  const state = getOrCreateReserveState(event);
  state.wrbtcPaused = false;
  state.save();
}

export function handleEIP712DomainChanged(event: EIP712DomainChanged): void {
  recordDomainChange(event, WRBTC);
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(event, WRBTC, true, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(event, WRBTC, false, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    WRBTC,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    WRBTC,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, WRBTC, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    WRBTC,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, WRBTC, "DELAY_CHANGE_CANCELED", null, null, null, null);
}
