// YieldScalesPool (optional data source): the pool aggregate (YieldPool), each account's position
// (YieldParticipant) and one immutable record per event (claims, funding, scale, rate and position changes).
// What hangs on the pool's per-second reward index (current rate, committed rewards, claimable) is in no event and
// is not derived here; the rpc source reads it from the contract (docs/queries.md).

import { Address, BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";

import {
  BaseRateSet,
  Claimed,
  DefaultAdminDelayChangeCanceled,
  DefaultAdminDelayChangeScheduled,
  DefaultAdminTransferCanceled,
  DefaultAdminTransferScheduled,
  HolderPositionUpdated,
  HolderRemoved,
  Joined,
  Left,
  LiquidityDeposited,
  LiquidityWithdrawn,
  Paused,
  PricesSet,
  RewardReserveExhausted,
  RewardsFunded,
  RoleAdminChanged,
  RoleGranted,
  RoleRevoked,
  ScaleUpdated,
  StakeSlashed,
  Staked,
  TierUpgraded,
  Unpaused,
  Unstaked,
} from "../generated/YieldScalesPool/YieldScalesPool";
import {
  User,
  YieldClaim,
  YieldFunding,
  YieldParticipant,
  YieldPool,
  YieldPositionChange,
  YieldRateChange,
  YieldScaleChange,
} from "../generated/schema";
import {
  YIELD_POOL,
  ZERO_BI,
  eventId,
  recordDefaultAdminChange,
  recordPauseChange,
  recordRoleAdminChanged,
  recordRoleMembership,
  stampEvent,
} from "./helpers";

/** Tier name of an IYieldScalesPool.Tier code. */
function tierName(code: i32): string {
  if (code == 1) return "BRONZE";
  if (code == 2) return "SILVER";
  if (code == 3) return "GOLD";
  return "NONE";
}

function getOrCreatePool(event: ethereum.Event): YieldPool {
  let pool = YieldPool.load(event.address);
  if (pool == null) {
    pool = new YieldPool(event.address);
    pool.baseRateBps = ZERO_BI;
    pool.supplySats = ZERO_BI;
    pool.peakSupplySats = ZERO_BI;
    pool.holders = 0;
    pool.liquidityProviders = 0;
    pool.totalStakedSats = ZERO_BI;
    pool.totalLiquidity = ZERO_BI;
    pool.totalFunded = ZERO_BI;
    pool.totalClaimed = ZERO_BI;
    pool.rewardReserve = ZERO_BI;
    pool.satPriceWad = ZERO_BI;
    pool.liquidityPriceWad = ZERO_BI;
    pool.paused = false;
  }
  pool.updatedAtBlock = event.block.number;
  return pool;
}

function getOrCreateParticipant(account: Address, event: ethereum.Event): YieldParticipant {
  let participant = YieldParticipant.load(account);
  if (participant == null) {
    participant = new YieldParticipant(account);
    participant.state = "NONE";
    participant.tier = "NONE";
    participant.backedSats = ZERO_BI;
    participant.stakedSats = ZERO_BI;
    participant.sinceTimestamp = ZERO_BI;
    participant.liquidity = ZERO_BI;
    participant.claimed = ZERO_BI;
  }
  participant.updatedAtBlock = event.block.number;
  return participant;
}

/** Records one holder / liquidity event of `participant`. */
function recordPosition(
  event: ethereum.Event,
  kind: string,
  participant: Bytes,
  amount: BigInt | null,
  tier: string | null,
): YieldPositionChange {
  const change = new YieldPositionChange(eventId(event));
  change.kind = kind;
  change.participant = participant;
  change.amount = amount;
  change.tier = tier;
  stampEvent(change, event);
  return change;
}

function newRateChange(event: ethereum.Event, kind: string): YieldRateChange {
  const change = new YieldRateChange(eventId(event));
  change.kind = kind;
  stampEvent(change, event);
  return change;
}

/** Moves a participant's liquidity and the pool's provider count as the contract's `_setLiquidity` does. */
function setLiquidity(pool: YieldPool, participant: YieldParticipant, newAmount: BigInt): void {
  if (participant.liquidity.isZero() && !newAmount.isZero())
    pool.liquidityProviders = pool.liquidityProviders + 1;
  if (!participant.liquidity.isZero() && newAmount.isZero())
    pool.liquidityProviders = pool.liquidityProviders - 1;
  pool.totalLiquidity = pool.totalLiquidity.minus(participant.liquidity).plus(newAmount);
  participant.liquidity = newAmount;
}

// Holder side --------------------------------------------------------------------------------------------------------

export function handleJoined(event: Joined): void {
  const pool = getOrCreatePool(event);
  const participant = getOrCreateParticipant(event.params.user, event);
  participant.state = "ACTIVE";
  participant.tier = "BRONZE";
  participant.backedSats = event.params.backedSats;
  participant.sinceTimestamp = event.block.timestamp;
  participant.save();
  pool.holders = pool.holders + 1;
  pool.save();
  recordPosition(event, "JOINED", participant.id, event.params.backedSats, "BRONZE").save();
}

export function handleLeft(event: Left): void {
  const pool = getOrCreatePool(event);
  const participant = getOrCreateParticipant(event.params.user, event);
  if (participant.state == "ACTIVE") pool.holders = pool.holders - 1;
  pool.totalStakedSats = pool.totalStakedSats.minus(participant.stakedSats);
  setLiquidity(pool, participant, ZERO_BI);
  participant.state = "NONE";
  participant.tier = "NONE";
  participant.backedSats = ZERO_BI;
  participant.stakedSats = ZERO_BI;
  participant.sinceTimestamp = ZERO_BI;
  participant.save();
  pool.save();
  recordPosition(event, "LEFT", participant.id, null, null).save();
}

export function handleHolderPositionUpdated(event: HolderPositionUpdated): void {
  const participant = getOrCreateParticipant(event.params.user, event);
  participant.backedSats = event.params.backedSats;
  participant.save();
  recordPosition(event, "POSITION_UPDATED", participant.id, event.params.backedSats, null).save();
}

export function handleHolderRemoved(event: HolderRemoved): void {
  const pool = getOrCreatePool(event);
  const participant = getOrCreateParticipant(event.params.user, event);
  if (participant.state == "ACTIVE") pool.holders = pool.holders - 1;
  participant.state = "REMOVED";
  participant.tier = "NONE";
  // The removal follows the burn that caused it (RBTCSynth Burned moved the user's position first): the pool
  // re-read the position then, without an event of its own.
  const user = User.load(event.params.user);
  if (user != null) participant.backedSats = user.backedSats;
  participant.save();
  pool.save();
  const change = recordPosition(event, "REMOVED", participant.id, null, null);
  change.reason = event.params.reason;
  change.save();
}

export function handleTierUpgraded(event: TierUpgraded): void {
  const participant = getOrCreateParticipant(event.params.user, event);
  const tier = tierName(event.params.tier);
  participant.tier = tier;
  participant.save();
  recordPosition(event, "TIER_UPGRADED", participant.id, null, tier).save();
}

export function handleStaked(event: Staked): void {
  moveStake(event, event.params.user, event.params.amountSats, "STAKED");
}

export function handleUnstaked(event: Unstaked): void {
  moveStake(event, event.params.user, event.params.amountSats.neg(), "UNSTAKED");
}

/** Adds `delta` sats (negative: unstaked) to the account's and the pool's staked wrBTC and records the event. */
function moveStake(event: ethereum.Event, user: Address, delta: BigInt, kind: string): void {
  const pool = getOrCreatePool(event);
  const participant = getOrCreateParticipant(user, event);
  participant.stakedSats = participant.stakedSats.plus(delta);
  participant.save();
  pool.totalStakedSats = pool.totalStakedSats.plus(delta);
  pool.save();
  recordPosition(event, kind, participant.id, delta.abs(), null).save();
}

/** Anyone retired staked wrBTC against the holder's uncovered deficit (the wrBTC is burned, not returned). */
export function handleStakeSlashed(event: StakeSlashed): void {
  moveStake(event, event.params.user, event.params.amountSats.neg(), "STAKE_SLASHED");
}

// Liquidity side -----------------------------------------------------------------------------------------------------

export function handleLiquidityDeposited(event: LiquidityDeposited): void {
  moveLiquidity(event, event.params.user, event.params.amount, "LIQUIDITY_DEPOSITED");
}

export function handleLiquidityWithdrawn(event: LiquidityWithdrawn): void {
  moveLiquidity(event, event.params.user, event.params.amount.neg(), "LIQUIDITY_WITHDRAWN");
}

/** Adds `delta` liquidity units (negative: withdrawn) to the account and records the event. */
function moveLiquidity(event: ethereum.Event, user: Address, delta: BigInt, kind: string): void {
  const pool = getOrCreatePool(event);
  const participant = getOrCreateParticipant(user, event);
  setLiquidity(pool, participant, participant.liquidity.plus(delta));
  participant.save();
  pool.save();
  recordPosition(event, kind, participant.id, delta.abs(), null).save();
}

// Rewards ------------------------------------------------------------------------------------------------------------

export function handleRewardsFunded(event: RewardsFunded): void {
  const pool = getOrCreatePool(event);
  pool.totalFunded = pool.totalFunded.plus(event.params.amount);
  pool.rewardReserve = pool.rewardReserve.plus(event.params.amount);
  pool.save();
  const funding = new YieldFunding(eventId(event));
  funding.funder = event.params.funder;
  funding.amount = event.params.amount;
  stampEvent(funding, event);
  funding.save();
}

export function handleClaimed(event: Claimed): void {
  const pool = getOrCreatePool(event);
  const participant = getOrCreateParticipant(event.params.user, event);
  participant.claimed = participant.claimed.plus(event.params.amount);
  participant.save();
  pool.totalClaimed = pool.totalClaimed.plus(event.params.amount);
  pool.rewardReserve = pool.rewardReserve.minus(event.params.amount);
  pool.save();
  const claim = new YieldClaim(eventId(event));
  claim.participant = participant.id;
  claim.amount = event.params.amount;
  stampEvent(claim, event);
  claim.save();
}

export function handleRewardReserveExhausted(event: RewardReserveExhausted): void {
  const pool = getOrCreatePool(event);
  pool.exhaustedCommittedRewards = event.params.committedRewards;
  pool.save();
  const change = newRateChange(event, "RESERVE_EXHAUSTED");
  change.committedRewards = event.params.committedRewards;
  change.save();
}

// Scale and rate -----------------------------------------------------------------------------------------------------

export function handleScaleUpdated(event: ScaleUpdated): void {
  const pool = getOrCreatePool(event);
  pool.supplySats = event.params.supplySats;
  pool.peakSupplySats = event.params.peakSupplySats;
  pool.save();
  const change = new YieldScaleChange(eventId(event));
  change.supplySats = event.params.supplySats;
  change.peakSupplySats = event.params.peakSupplySats;
  stampEvent(change, event);
  change.save();
}

export function handleBaseRateSet(event: BaseRateSet): void {
  const pool = getOrCreatePool(event);
  pool.baseRateBps = BigInt.fromI32(event.params.newBaseRateBps);
  pool.save();
  const change = newRateChange(event, "BASE_RATE");
  change.oldBaseRateBps = BigInt.fromI32(event.params.oldBaseRateBps);
  change.newBaseRateBps = BigInt.fromI32(event.params.newBaseRateBps);
  change.save();
}

export function handlePricesSet(event: PricesSet): void {
  const pool = getOrCreatePool(event);
  pool.satPriceWad = event.params.satPriceWad;
  pool.liquidityPriceWad = event.params.liquidityPriceWad;
  pool.save();
  const change = newRateChange(event, "PRICES");
  change.satPriceWad = event.params.satPriceWad;
  change.liquidityPriceWad = event.params.liquidityPriceWad;
  change.save();
}

// Pausable and AccessControlDefaultAdminRules ------------------------------------------------------------------------

export function handlePaused(event: Paused): void {
  recordPauseChange(event, YIELD_POOL, true, event.params.account);
  const pool = getOrCreatePool(event);
  pool.paused = true;
  pool.save();
}

export function handleUnpaused(event: Unpaused): void {
  recordPauseChange(event, YIELD_POOL, false, event.params.account);
  const pool = getOrCreatePool(event);
  pool.paused = false;
  pool.save();
}

export function handleRoleGranted(event: RoleGranted): void {
  recordRoleMembership(event, YIELD_POOL, true, event.params.role, event.params.account, event.params.sender);
}

export function handleRoleRevoked(event: RoleRevoked): void {
  recordRoleMembership(
    event,
    YIELD_POOL,
    false,
    event.params.role,
    event.params.account,
    event.params.sender,
  );
}

export function handleRoleAdminChanged(event: RoleAdminChanged): void {
  recordRoleAdminChanged(
    event,
    YIELD_POOL,
    event.params.role,
    event.params.previousAdminRole,
    event.params.newAdminRole,
  );
}

export function handleDefaultAdminTransferScheduled(event: DefaultAdminTransferScheduled): void {
  recordDefaultAdminChange(
    event,
    YIELD_POOL,
    "TRANSFER_SCHEDULED",
    event.params.newAdmin,
    event.params.acceptSchedule,
    null,
    null,
  );
}

export function handleDefaultAdminTransferCanceled(event: DefaultAdminTransferCanceled): void {
  recordDefaultAdminChange(event, YIELD_POOL, "TRANSFER_CANCELED", null, null, null, null);
}

export function handleDefaultAdminDelayChangeScheduled(event: DefaultAdminDelayChangeScheduled): void {
  recordDefaultAdminChange(
    event,
    YIELD_POOL,
    "DELAY_CHANGE_SCHEDULED",
    null,
    null,
    event.params.newDelay,
    event.params.effectSchedule,
  );
}

export function handleDefaultAdminDelayChangeCanceled(event: DefaultAdminDelayChangeCanceled): void {
  recordDefaultAdminChange(event, YIELD_POOL, "DELAY_CHANGE_CANCELED", null, null, null, null);
}
