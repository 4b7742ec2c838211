// RBTCSynth: the soulbound rBTC-SYNTH ledger. Its Minted/Burned/Escrowed/Released events are the source of truth for
// every user's free and escrowed balance and for the supply; Transfer (mint/burn only) is recorded for explorers.

import {
  AccountFrozen,
  Burned,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  Escrowed,
  Minted,
  Released,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  Transfer,
  Wired,
} from "../generated/RBTCSynth/RBTCSynth";
import { AccountFreezeChange, Burn, EscrowMove, Mint, TokenTransfer, Wiring } from "../generated/schema";
import {
  RBTC_SYNTH,
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

export function handleMinted(event: Minted): void {
  const user = getOrCreateUser(event.params.user, event);
  const mint = new Mint(eventId(event));
  mint.user = user.id;
  mint.amountSats = event.params.amountSats;
  stampEvent(mint, event);
  mint.save();

  user.freeSats = user.freeSats.plus(event.params.amountSats);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.rbtc = event.address;
  state.rbtcFreeSupplySats = state.rbtcFreeSupplySats.plus(event.params.amountSats);
  state.totalMintedSats = state.totalMintedSats.plus(event.params.amountSats);
  const day = getOrCreateReserveDaySnapshot(event);
  day.mintedSats = day.mintedSats.plus(event.params.amountSats);
  saveReserveState(state, day);
}

export function handleBurned(event: Burned): void {
  const user = getOrCreateUser(event.params.user, event);
  const total = event.params.freeSats.plus(event.params.escrowSats);
  const burn = new Burn(eventId(event));
  burn.user = user.id;
  burn.freeSats = event.params.freeSats;
  burn.escrowSats = event.params.escrowSats;
  burn.totalSats = total;
  stampEvent(burn, event);
  burn.save();

  user.freeSats = user.freeSats.minus(event.params.freeSats);
  user.escrowSats = user.escrowSats.minus(event.params.escrowSats);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.rbtc = event.address;
  state.rbtcFreeSupplySats = state.rbtcFreeSupplySats.minus(event.params.freeSats);
  state.rbtcEscrowSupplySats = state.rbtcEscrowSupplySats.minus(event.params.escrowSats);
  state.totalBurnedSats = state.totalBurnedSats.plus(total);
  const day = getOrCreateReserveDaySnapshot(event);
  day.burnedSats = day.burnedSats.plus(total);
  saveReserveState(state, day);
}

export function handleEscrowed(event: Escrowed): void {
  const user = getOrCreateUser(event.params.user, event);
  const move = new EscrowMove(eventId(event));
  move.user = user.id;
  move.direction = "TO_ESCROW";
  move.amountSats = event.params.amountSats;
  stampEvent(move, event);
  move.save();

  user.freeSats = user.freeSats.minus(event.params.amountSats);
  user.escrowSats = user.escrowSats.plus(event.params.amountSats);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.rbtcFreeSupplySats = state.rbtcFreeSupplySats.minus(event.params.amountSats);
  state.rbtcEscrowSupplySats = state.rbtcEscrowSupplySats.plus(event.params.amountSats);
  commitReserveState(state, event);
}

export function handleReleased(event: Released): void {
  const user = getOrCreateUser(event.params.user, event);
  const move = new EscrowMove(eventId(event));
  move.user = user.id;
  move.direction = "TO_FREE";
  move.amountSats = event.params.amountSats;
  stampEvent(move, event);
  move.save();

  user.escrowSats = user.escrowSats.minus(event.params.amountSats);
  user.freeSats = user.freeSats.plus(event.params.amountSats);
  saveUser(user, event);

  const state = getOrCreateReserveState(event);
  state.rbtcEscrowSupplySats = state.rbtcEscrowSupplySats.minus(event.params.amountSats);
  state.rbtcFreeSupplySats = state.rbtcFreeSupplySats.plus(event.params.amountSats);
  commitReserveState(state, event);
}

/** The Oracle froze or unfroze the account (an open dispute): no wrap or cover from its free rBTC meanwhile. */
export function handleAccountFrozen(event: AccountFrozen): void {
  const user = getOrCreateUser(event.params.user, event);
  const change = new AccountFreezeChange(eventId(event));
  change.user = user.id;
  change.frozen = event.params.frozen;
  stampEvent(change, event);
  change.save();
  user.accountFrozen = event.params.frozen;
  saveUser(user, event);
}

/** Mint (from 0) / burn (to 0) mirror of Minted/Burned: recorded, balances are moved by those events. */
export function handleTransfer(event: Transfer): void {
  const transfer = new TokenTransfer(eventId(event));
  transfer.token = "rBTC-SYNTH";
  transfer.from = event.params.from;
  transfer.to = event.params.to;
  transfer.valueSats = event.params.value;
  stampEvent(transfer, event);
  transfer.save();
}

export function handleWired(event: Wired): void {
  const wiring = new Wiring(eventId(event));
  wiring.kind = "RBTC_WIRED";
  wiring.oracle = event.params.oracle;
  wiring.vault = event.params.vault;
  stampEvent(wiring, event);
  wiring.save();

  const state = getOrCreateReserveState(event);
  state.rbtc = event.address;
  state.oracle = event.params.oracle;
  state.wrbtc = event.params.vault;
  state.save();
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(event, RBTC_SYNTH, true, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(
    event,
    RBTC_SYNTH,
    false,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    RBTC_SYNTH,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    RBTC_SYNTH,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, RBTC_SYNTH, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    RBTC_SYNTH,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, RBTC_SYNTH, "DELAY_CHANGE_CANCELED", null, null, null, null);
}
