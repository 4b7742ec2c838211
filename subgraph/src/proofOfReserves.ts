// ProofOfReserves: committee-signed reserve rounds. ReservesCommitted records a ReserveRound and moves ReserveState's
// latest round, root and attested BTC (the Chainlink feed's answer).

import {
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  EIP712DomainChanged,
  MaxRoundAgeUpdated,
  ReservesCommitted,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
} from "../generated/ProofOfReserves/ProofOfReserves";
import { OracleConfigChange, ReserveRound } from "../generated/schema";
import {
  PROOF_OF_RESERVES,
  commitReserveState,
  eventId,
  getOrCreateReserveState,
  recordDefaultAdminChange,
  recordDomainChange,
  recordHistoryPoint,
  recordRoleAdminChanged,
  recordRoleMembership,
  stampEvent,
} from "./helpers";

export function handleReservesCommitted(event: ReservesCommitted): void {
  const round = new ReserveRound(eventId(event));
  round.roundId = event.params.roundId;
  round.merkleRoot = event.params.merkleRoot;
  round.attestedSats = event.params.attestedSats;
  round.btcHeight = event.params.btcHeight;
  round.rbtcSupplySats = event.params.rbtcSupplySats;
  round.uncoveredSats = event.params.uncoveredSats;
  stampEvent(round, event);
  round.save();

  const state = getOrCreateReserveState(event);
  state.proofOfReserves = event.address;
  state.reserveRound = event.params.roundId;
  state.reserveMerkleRoot = event.params.merkleRoot;
  state.reserveAttestedSats = event.params.attestedSats;
  state.reserveBtcHeight = event.params.btcHeight;
  commitReserveState(state, event);
  recordHistoryPoint(event, "ReservesCommitted", state, event.params.roundId);
}

export function handleMaxRoundAgeUpdated(event: MaxRoundAgeUpdated): void {
  const change = new OracleConfigChange(eventId(event));
  change.kind = "MAX_ROUND_AGE";
  change.maxRoundAgeSeconds = event.params.maxRoundAgeSeconds;
  stampEvent(change, event);
  change.save();
  const state = getOrCreateReserveState(event);
  state.proofOfReserves = event.address;
  state.maxRoundAgeSeconds = event.params.maxRoundAgeSeconds;
  state.save();
}

// AccessControlDefaultAdminRules ------------------------------------------------------------------------------------

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(
    event,
    PROOF_OF_RESERVES,
    true,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(
    event,
    PROOF_OF_RESERVES,
    false,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    PROOF_OF_RESERVES,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    PROOF_OF_RESERVES,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, PROOF_OF_RESERVES, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    PROOF_OF_RESERVES,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, PROOF_OF_RESERVES, "DELAY_CHANGE_CANCELED", null, null, null, null);
}

export function handleEIP712DomainChanged(event: EIP712DomainChanged): void {
  recordDomainChange(event, PROOF_OF_RESERVES);
}
