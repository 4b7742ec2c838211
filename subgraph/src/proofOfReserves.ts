// ProofOfReserves: committee-signed reserve rounds. ReservesCommitted records a ReserveRound and moves ReserveState's
// latest round, root and attested BTC (the Chainlink feed's answer).

import { EIP712DomainChanged, ReservesCommitted } from "../generated/ProofOfReserves/ProofOfReserves";
import { ReserveRound } from "../generated/schema";
import {
  commitReserveState,
  eventId,
  getOrCreateReserveState,
  PROOF_OF_RESERVES,
  recordDomainChange,
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
}

export function handleEIP712DomainChanged(event: EIP712DomainChanged): void {
  recordDomainChange(event, PROOF_OF_RESERVES);
}
