// Shared helpers of every mapping: getOrCreate* for the aggregates, the event-record id, role names and the
// handlers' common bookkeeping (role, admin-handover, pause and EIP-712 domain events appear on several contracts).
// Handlers stay thin: they read `event.params` and call these.

import { Address, BigInt, ByteArray, Bytes, Entity, Value, crypto, ethereum } from "@graphprotocol/graph-ts";

import {
  DefaultAdminChange,
  DomainChange,
  EmergencyBurn,
  PauseChange,
  ReserveDaySnapshot,
  ReserveHistoryPoint,
  ReserveState,
  RoleChange,
  RoleMember,
  User,
  UserDaySnapshot,
} from "../generated/schema";

export const ZERO_BI = BigInt.zero();
export const ONE_BI = BigInt.fromI32(1);
export const SECONDS_PER_DAY: i32 = 86400;
export const ZERO_ADDRESS = Address.zero();

/** Id of the ReserveState singleton. */
export const RESERVE_STATE_ID = Bytes.fromUTF8("reserve-state");

// Data source names (the `name` of each data source in subgraph.template.yaml).
export const RBTC_SYNTH = "RBTCSynth";
export const WRBTC = "WrBTC";
export const FEE_VAULT = "FeeVault";
export const FEE_POLICY = "FeePolicy";
export const ORACLE = "Oracle";
export const DISPUTE_MANAGER = "DisputeManager";
export const PROOF_OF_RESERVES = "ProofOfReserves";
export const YIELD_POOL = "YieldScalesPool";

// Role-change kinds (enum RoleChangeKind).
export const ROLE_GRANTED = "GRANTED";
export const ROLE_REVOKED = "REVOKED";
export const ROLE_ADMIN_CHANGED = "ADMIN_CHANGED";

// ------------------------------------------------------------------------------------------------------------------
// Ids
// ------------------------------------------------------------------------------------------------------------------

/** Id of an immutable event record: transaction hash ‖ log index. */
export function eventId(event: ethereum.Event): Bytes {
  return event.transaction.hash.concatI32(event.logIndex.toI32());
}

/**
 * Sets the five fields every event record carries (`contract`, `blockNumber`, `blockTimestamp`, `transactionHash`,
 * `logIndex`; see the schema) from the event that created it.
 */
export function stampEvent(record: Entity, event: ethereum.Event): void {
  record.set("contract", Value.fromBytes(event.address));
  record.set("blockNumber", Value.fromBigInt(event.block.number));
  record.set("blockTimestamp", Value.fromBigInt(event.block.timestamp));
  record.set("transactionHash", Value.fromBytes(event.transaction.hash));
  record.set("logIndex", Value.fromBigInt(event.logIndex));
}

/** Day number (Unix time ÷ 86400) of the event's block. */
export function dayOf(event: ethereum.Event): i32 {
  return event.block.timestamp.toI32() / SECONDS_PER_DAY;
}

/** Name of a known role id, else its hex string. */
export function roleName(role: Bytes): string {
  if (
    role.equals(Bytes.fromHexString("0x0000000000000000000000000000000000000000000000000000000000000000"))
  ) {
    return "DEFAULT_ADMIN_ROLE";
  }
  const known = ["CONFIG_ROLE", "GUARDIAN_ROLE", "FEE_ADMIN_ROLE", "RESOLVER_ROLE", "YIELD_ADMIN_ROLE"];
  for (let i = 0; i < known.length; i++) {
    const hash = crypto.keccak256(ByteArray.fromUTF8(known[i]));
    if (Bytes.fromByteArray(hash).equals(role)) return known[i];
  }
  return role.toHexString();
}

// ------------------------------------------------------------------------------------------------------------------
// Aggregates
// ------------------------------------------------------------------------------------------------------------------

/** The ReserveState singleton, created zeroed on first use. */
export function getOrCreateReserveState(event: ethereum.Event): ReserveState {
  let state = ReserveState.load(RESERVE_STATE_ID);
  if (state == null) {
    state = new ReserveState(RESERVE_STATE_ID);
    state.rbtcFreeSupplySats = ZERO_BI;
    state.rbtcEscrowSupplySats = ZERO_BI;
    state.rbtcSupplySats = ZERO_BI;
    state.wrbtcSupplySats = ZERO_BI;
    state.uncoveredSats = ZERO_BI;
    state.totalRetiredSats = ZERO_BI;
    state.totalCoveredSats = ZERO_BI;
    state.totalAttestedSats = ZERO_BI;
    state.totalQueuedSats = ZERO_BI;
    state.totalDeferredSats = ZERO_BI;
    state.totalMintedSats = ZERO_BI;
    state.totalBurnedSats = ZERO_BI;
    state.totalSlashedSats = ZERO_BI;
    state.feeDepositsWei = ZERO_BI;
    state.accruedFeesWei = ZERO_BI;
    state.totalFeesSpentWei = ZERO_BI;
    state.totalFeesSweptWei = ZERO_BI;
    state.userCount = 0;
    state.boundAddressCount = 0;
    state.syncCount = 0;
    state.reorgCount = 0;
    state.highestBtcHeight = ZERO_BI;
    state.committeeEpoch = ZERO_BI;
    state.threshold = 0;
    state.committeeSize = 0;
    state.minConfirmations = 0;
    state.mintWindowSeconds = ZERO_BI;
    state.userMintCapSats = ZERO_BI;
    state.globalMintCapSats = ZERO_BI;
    state.mintDelaySeconds = ZERO_BI;
    state.maxReportValiditySeconds = ZERO_BI;
    state.maxBtcHeightLag = ZERO_BI;
    state.feeBps = 0;
    state.weiPerSat = ZERO_BI;
    state.fixedFeeWei = ZERO_BI;
    state.maxFeeWei = ZERO_BI;
    state.oraclePaused = false;
    state.wrbtcPaused = false;
    state.feeGracePeriodSeconds = ZERO_BI;
    state.emergencyBurnCount = 0;
    state.disputeCount = 0;
    state.openDisputeCount = 0;
    state.upheldDisputeCount = 0;
    state.rejectedDisputeCount = 0;
    state.expiredDisputeCount = 0;
    state.reserveAttestedSats = ZERO_BI;
    state.maxRoundAgeSeconds = ZERO_BI;
  }
  state.updatedAtBlock = event.block.number;
  return state;
}

/**
 * The user `address`, created zeroed (and counted in ReserveState.userCount, which saves ReserveState) on first use.
 * Handlers therefore get their users before they load ReserveState, so they never save a stale copy over the count.
 */
export function getOrCreateUser(address: Address, event: ethereum.Event): User {
  let user = User.load(address);
  if (user == null) {
    user = new User(address);
    user.freeSats = ZERO_BI;
    user.escrowSats = ZERO_BI;
    user.backedSats = ZERO_BI;
    user.wrbtcSats = ZERO_BI;
    user.uncoveredSats = ZERO_BI;
    user.attestedSats = ZERO_BI;
    user.feeBalanceWei = ZERO_BI;
    user.sequence = ZERO_BI;
    user.btcHeight = ZERO_BI;
    user.deferredSats = ZERO_BI;
    user.queuedSats = ZERO_BI;
    user.bindingCount = 0;
    user.syncCount = 0;
    user.firstSeenBlock = event.block.number;
    user.syncFrozen = false;
    user.accountFrozen = false;
    user.save();
    const state = getOrCreateReserveState(event);
    state.userCount = state.userCount + 1;
    state.save();
  }
  return user;
}

/** Saves `user` and its snapshot of the event's day. */
export function saveUser(user: User, event: ethereum.Event): void {
  user.backedSats = user.freeSats.plus(user.escrowSats);
  user.save();
  const day = dayOf(event);
  const id = user.id.concatI32(day);
  let snapshot = UserDaySnapshot.load(id);
  if (snapshot == null) {
    snapshot = new UserDaySnapshot(id);
    snapshot.user = user.id;
    snapshot.day = day;
  }
  snapshot.freeSats = user.freeSats;
  snapshot.escrowSats = user.escrowSats;
  snapshot.wrbtcSats = user.wrbtcSats;
  snapshot.attestedSats = user.attestedSats;
  snapshot.feeBalanceWei = user.feeBalanceWei;
  snapshot.save();
}

/** The ReserveState's snapshot of the event's day (flows zeroed on creation). Save it after updating flows. */
export function getOrCreateReserveDaySnapshot(event: ethereum.Event): ReserveDaySnapshot {
  const day = dayOf(event);
  const id = Bytes.empty().concatI32(day);
  let snapshot = ReserveDaySnapshot.load(id);
  if (snapshot == null) {
    snapshot = new ReserveDaySnapshot(id);
    snapshot.day = day;
    snapshot.dayStartTimestamp = BigInt.fromI32(day).times(BigInt.fromI32(SECONDS_PER_DAY));
    snapshot.mintedSats = ZERO_BI;
    snapshot.burnedSats = ZERO_BI;
    snapshot.wrappedSats = ZERO_BI;
    snapshot.redeemedSats = ZERO_BI;
    snapshot.slashedSats = ZERO_BI;
    snapshot.feesSpentWei = ZERO_BI;
    snapshot.syncCount = 0;
  }
  return snapshot;
}

/** Saves the ReserveState and copies its levels into the day snapshot (which the caller may have updated). */
export function saveReserveState(state: ReserveState, snapshot: ReserveDaySnapshot): void {
  state.rbtcSupplySats = state.rbtcFreeSupplySats.plus(state.rbtcEscrowSupplySats);
  state.save();
  snapshot.rbtcSupplySats = state.rbtcSupplySats;
  snapshot.rbtcEscrowSupplySats = state.rbtcEscrowSupplySats;
  snapshot.wrbtcSupplySats = state.wrbtcSupplySats;
  snapshot.uncoveredSats = state.uncoveredSats;
  snapshot.totalAttestedSats = state.totalAttestedSats;
  snapshot.feeDepositsWei = state.feeDepositsWei;
  snapshot.save();
  // A block that is a history point holds the levels at its end: every later change in the block refreshes it.
  const point = ReserveHistoryPoint.load(historyPointId(state.updatedAtBlock));
  if (point != null) {
    copyLevels(point, state);
    point.save();
  }
}

/** Id of the history point of a block. */
function historyPointId(block: BigInt): Bytes {
  return Bytes.fromUTF8("point-").concatI32(block.toI32());
}

function copyLevels(point: ReserveHistoryPoint, state: ReserveState): void {
  point.attestedSats = state.totalAttestedSats;
  point.claimsSats = state.rbtcFreeSupplySats.plus(state.wrbtcSupplySats);
  point.rbtcSupplySats = state.rbtcFreeSupplySats.plus(state.rbtcEscrowSupplySats);
  point.wrbtcSupplySats = state.wrbtcSupplySats;
  point.uncoveredSats = state.uncoveredSats;
}

/**
 * Marks the event's block as a history point (the dashboard's backing history) named by `eventName`, with the levels
 * of `state` (already saved) and the reserve round committed in it, if any.
 */
export function recordHistoryPoint(
  event: ethereum.Event,
  eventName: string,
  state: ReserveState,
  round: BigInt | null,
): void {
  const id = historyPointId(event.block.number);
  let point = ReserveHistoryPoint.load(id);
  if (point == null) {
    point = new ReserveHistoryPoint(id);
    point.blockNumber = event.block.number;
    point.blockTimestamp = event.block.timestamp;
    point.events = new Array<string>();
  }
  const events: string[] = point.events;
  if (!events.includes(eventName)) {
    events.push(eventName);
    point.events = events;
  }
  if (round !== null) point.round = round;
  copyLevels(point, state);
  point.save();
}

/** Saves the ReserveState with an unchanged day snapshot (levels refreshed, flows untouched). */
export function commitReserveState(state: ReserveState, event: ethereum.Event): void {
  saveReserveState(state, getOrCreateReserveDaySnapshot(event));
}

// ------------------------------------------------------------------------------------------------------------------
// Events shared by several contracts
// ------------------------------------------------------------------------------------------------------------------

/** Records an AccessControl RoleGranted/RoleRevoked and updates the RoleMember. */
export function recordRoleMembership(
  event: ethereum.Event,
  contractName: string,
  granted: boolean,
  role: Bytes,
  account: Address,
  sender: Address,
): void {
  const name = roleName(role);
  const change = new RoleChange(eventId(event));
  change.kind = granted ? ROLE_GRANTED : ROLE_REVOKED;
  change.contractName = contractName;
  change.role = role;
  change.roleName = name;
  change.account = account;
  change.sender = sender;
  stampEvent(change, event);
  change.save();

  const memberId = event.address.concat(role).concat(account);
  let member = RoleMember.load(memberId);
  if (member == null) {
    member = new RoleMember(memberId);
    member.contract = event.address;
    member.contractName = contractName;
    member.role = role;
    member.roleName = name;
    member.account = account;
  }
  member.active = granted;
  member.updatedAtBlock = event.block.number;
  member.save();
}

/** Records an AccessControl RoleAdminChanged. */
export function recordRoleAdminChanged(
  event: ethereum.Event,
  contractName: string,
  role: Bytes,
  previousAdminRole: Bytes,
  newAdminRole: Bytes,
): void {
  const change = new RoleChange(eventId(event));
  change.kind = ROLE_ADMIN_CHANGED;
  change.contractName = contractName;
  change.role = role;
  change.roleName = roleName(role);
  change.previousAdminRole = previousAdminRole;
  change.newAdminRole = newAdminRole;
  stampEvent(change, event);
  change.save();
}

/** Records a DefaultAdminRules handover step; absent values are passed as null. */
export function recordDefaultAdminChange(
  event: ethereum.Event,
  contractName: string,
  kind: string,
  newAdmin: Bytes | null,
  acceptSchedule: BigInt | null,
  newDelaySeconds: BigInt | null,
  effectSchedule: BigInt | null,
): void {
  const change = new DefaultAdminChange(eventId(event));
  change.kind = kind;
  change.contractName = contractName;
  change.newAdmin = newAdmin;
  change.acceptSchedule = acceptSchedule;
  change.newDelaySeconds = newDelaySeconds;
  change.effectSchedule = effectSchedule;
  stampEvent(change, event);
  change.save();
}

/** Records Paused/Unpaused; the caller updates the contract's flag in ReserveState. */
export function recordPauseChange(
  event: ethereum.Event,
  contractName: string,
  paused: boolean,
  account: Address,
): void {
  const change = new PauseChange(eventId(event));
  change.contractName = contractName;
  change.paused = paused;
  change.account = account;
  stampEvent(change, event);
  change.save();
}

/** Records an ERC-5267 EIP712DomainChanged. */
export function recordDomainChange(event: ethereum.Event, contractName: string): void {
  const change = new DomainChange(eventId(event));
  change.contractName = contractName;
  stampEvent(change, event);
  change.save();
}

/** Records an Oracle `EmergencyBurn` (the entity shares the event's name, so it is created here). */
export function recordEmergencyBurn(
  event: ethereum.Event,
  user: Bytes,
  amountSats: BigInt,
  reason: string,
): void {
  const record = new EmergencyBurn(eventId(event));
  record.user = user;
  record.amountSats = amountSats;
  record.reason = reason;
  stampEvent(record, event);
  record.save();
}
