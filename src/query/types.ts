/**
 * Result shapes of the eight realtime queries (docs/queries.md). Both sources (`rpc`, `subgraph`) return exactly
 * these plain-JSON objects: amounts are decimal strings (sats, or wei where the name says so), addresses are
 * checksummed, block numbers / heights / Unix timestamps are numbers.
 */

/** The eight queries, by their task/route name. */
export const QUERY_NAMES = [
  "balances",
  "sync-status",
  "transactions",
  "bitcoin-addresses",
  "emergency-burns",
  "yield-status",
  "disputes",
  "proof-of-reserves",
] as const;
export type QueryName = (typeof QUERY_NAMES)[number];

/** Which backend answers. */
export type SourceKind = "rpc" | "subgraph" | "postgres";

/** A query whose contract is not deployed (or not indexed) yet: said plainly, never faked. */
export interface Unavailable {
  available: false;
  reason: string;
}

/** The user's last accepted committee report. */
export interface LastSync {
  /** EVM block of the Oracle `Synced` log. */
  block: number;
  /** Bitcoin height the report was computed at. */
  btcHeight: number;
  /** Block timestamp (Unix seconds). */
  timestamp: number;
}

export interface BalancesResult {
  user: string;
  rbtcFree: string;
  rbtcEscrow: string;
  wrbtc: string;
  attestedSats: string;
  /** Sats of a positive delta waiting for a FeeVault top-up. */
  deferredSats: string;
  /** Sats waiting for the mint delay (cap overflow). */
  queuedSats: string;
  /** Prepaid oracle fees, in wei. */
  feeVaultWei: string;
  /** Last accepted report sequence. */
  sequence: string;
  lastSync: LastSync | null;
}

export interface SyncStatusResult {
  committee: { operators: string[]; threshold: number; size: number; epoch: number };
  minConfirmations: number;
  paused: { oracle: boolean; wrbtc: boolean };
  /** Highest Bitcoin height any accepted report carried. */
  highestBtcHeight: number;
  /** Block and time of the newest `Synced` log (null before the first sync). */
  lastRound: { block: number; timestamp: number } | null;
  /** The chain head the answer was read at (rpc) or the subgraph has indexed (subgraph). */
  head: { block: number; timestamp: number };
  /** head − lastRound (null before the first sync). */
  lag: { blocks: number; seconds: number } | null;
}

export const TRANSACTION_TYPES = [
  "mint",
  "burn",
  "wrap",
  "redeem",
  "slash",
  "fee-deposit",
  "fee-withdraw",
  "fee-spend",
] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export interface TransactionItem {
  type: TransactionType;
  block: number;
  timestamp: number;
  txHash: string;
  logIndex: number;
  /** Sats moved (mint/burn total/wrap/redeem/slashed), null for fee items. */
  amountSats: string | null;
  /** Wei moved (fee items), null otherwise. */
  amountWei: string | null;
  /** Type-specific values: burn {freeSats, escrowSats}; slash {requestedSats, uncoveredSats}; fee-deposit {from}. */
  detail: Record<string, string>;
}

export interface TransactionsResult {
  user: string;
  limit: number;
  /** Newest first (block, then log index, descending). */
  items: TransactionItem[];
}

export interface BitcoinAddressItem {
  btcAddress: string;
  user: string;
  /**
   * The owner's attested BTC total over all their bound addresses, in sats. The chain attests per user, not per
   * address; a per-address figure comes with the ProofOfReserves Merkle leaves.
   */
  userAttestedSats: string;
}

export interface BitcoinAddressesResult {
  /** The --user filter (null: every bound address). */
  user: string | null;
  count: number;
  /** Sorted by user, then address. */
  addresses: BitcoinAddressItem[];
}

export interface EmergencyBurnItem {
  user: string;
  amountSats: string;
  reason: string;
  block: number;
  timestamp: number;
  txHash: string;
  logIndex: number;
}

export type EmergencyBurnsResult =
  { available: true; count: number; burns: EmergencyBurnItem[] } | Unavailable;

export type DisputeStatus = "open" | "upheld" | "rejected" | "expired";
export const DISPUTE_STATUSES: readonly DisputeStatus[] = ["open", "upheld", "rejected", "expired"];

/** Where and when a dispute transition happened. */
export interface DisputeEventRef {
  block: number;
  timestamp: number;
  txHash: string;
}

export interface DisputeItem {
  /** DisputeManager dispute id (decimal string). */
  id: string;
  user: string;
  challenger: string;
  status: DisputeStatus;
  /** Total the challenger claims, in sats. */
  claimedSats: string;
  /** The user's attested total when the dispute was opened, in sats. */
  attestedSats: string;
  /** Total the resolver set (upheld only), in sats. */
  resolvedSats: string | null;
  bondWei: string;
  /** Reward paid to the challenger (upheld only), in wei. */
  rewardWei: string | null;
  evidenceURI: string;
  /** Unix time after which an open dispute may be expired. */
  deadline: number;
  /** Resolver that decided (upheld/rejected), or the caller that expired it. */
  closedBy: string | null;
  opened: DisputeEventRef;
  /** null while open. */
  closed: DisputeEventRef | null;
}

export interface DisputesAvailable {
  available: true;
  /** The filters applied (null: any). */
  status: DisputeStatus | null;
  user: string | null;
  limit: number;
  /** Disputes matching the filters (before `limit`). */
  count: number;
  /** Newest first (by id), at most `limit`. */
  disputes: DisputeItem[];
}

export type DisputesResult = DisputesAvailable | Unavailable;

export const HOLDER_STATES = ["NONE", "ACTIVE", "REMOVED"] as const;
export const YIELD_TIERS = ["NONE", "BRONZE", "SILVER", "GOLD"] as const;
export type HolderState = (typeof HOLDER_STATES)[number];
export type YieldTier = (typeof YIELD_TIERS)[number];

/** YieldScalesPool `poolStatus()`; amounts of reward / liquidity tokens in their smallest units. */
export interface YieldPoolStatus {
  /** Effective base × scale APR in bps (0 when paused or the reserve is spent). null on the subgraph source. */
  rateBps: string | null;
  baseRateBps: string;
  /** supply ÷ peak, 1e18 fixed point. */
  scaleWad: string;
  supplySats: string;
  peakSupplySats: string;
  holders: number;
  liquidityProviders: number;
  /** Σ weight of active holders. null on the subgraph source. */
  totalHolderWeight: string | null;
  totalStakedSats: string;
  totalLiquidity: string;
  /** Reward units held for rewards (funded − paid). */
  rewardReserve: string;
  /** Accrued and unclaimed rewards. null on the subgraph source. */
  committedRewards: string | null;
  /** Seconds the uncommitted reserve lasts at the current rate; "forever" when nothing accrues. null on the subgraph. */
  runwaySeconds: string | null;
  paused: boolean;
}

/** YieldScalesPool `userStatus(user)`. */
export interface YieldUserStatus {
  user: string;
  state: HolderState;
  tier: YieldTier;
  /** Tier earned by participation time (applied at the next interaction). null on the subgraph source. */
  earnedTier: YieldTier | null;
  backedSats: string;
  stakedSats: string;
  /** Start of continuous participation (Unix seconds; 0 when never joined). */
  sinceTimestamp: number;
  /** The holder's effective APR in bps. null on the subgraph source. */
  rateBps: string | null;
  liquidity: string;
  /** Reward units claimable now. null on the subgraph source. */
  claimable: string | null;
  /** Lifetime reward units claimed. */
  claimed: string;
}

export interface YieldStatusAvailable {
  available: true;
  pool: string;
  user: string | null;
  status: YieldPoolStatus;
  /** Present (non-null) with --user. */
  userStatus: YieldUserStatus | null;
}

export type YieldStatusResult = YieldStatusAvailable | Unavailable;

export interface ProofOfReservesResult {
  /** Sum of every user's attested BTC, in sats. */
  attestedSats: string;
  /** rBTC-SYNTH supply (free + escrow), in sats. */
  rbtcSupply: string;
  rbtcFree: string;
  rbtcEscrow: string;
  wrbtcSupply: string;
  /** wrBTC not backed by escrow (slashes that found no wrBTC to burn), in sats. */
  uncoveredSats: string;
  /** Sats attested but waiting in the mint queue. */
  queuedSats: string;
  /** attestedSats ÷ (rbtcFree + wrbtcSupply), 6 decimals; null when nothing is outstanding. */
  backingRatio: string | null;
  /** attestedSats ≥ rbtcFree + wrbtcSupply. */
  isFullyBacked: boolean;
  /** ProofOfReserves Merkle root of the latest committed round (null before the first round). */
  merkleRoot: string | null;
  /** ProofOfReserves latest round id (null before the first round). */
  round: number | null;
  /** The latest round's attested total, Bitcoin height and commit time (null before the first round). */
  roundAttestedSats: string | null;
  roundBtcHeight: number | null;
  roundTimestamp: number | null;
  /** Why merkleRoot/round are null, when they are. */
  merkleRootUnavailable: string | null;
}

/**
 * One point of the backing history (the dashboard's `/api/dashboard/history`, answered from chain reads or the
 * store): the system's figures right after a block that changed them.
 */
export interface HistoryPoint {
  block: number;
  timestamp: number;
  attestedSats: string;
  /** free rBTC + wrBTC supply. */
  claimsSats: string;
  rbtcSupply: string;
  wrbtcSupply: string;
  uncoveredSats: string;
  backingRatio: string | null;
  /** ProofOfReserves round committed in this block, if any. */
  round: number | null;
  /** The events that made this block a point (Synced, ReservesCommitted, EmergencyBurn, …). */
  events: string[];
}

export interface QueryParams {
  user?: string;
  limit?: number;
  status?: DisputeStatus;
}

/** Filters of `disputes`. */
export interface DisputeFilter {
  status?: DisputeStatus;
  user?: string;
  limit: number;
}

/** One backend able to answer the eight queries with identical shapes. */
export interface QuerySource {
  readonly kind: SourceKind;
  /** A number that changes when the answers may change (chain head / indexed block); the server's cache key. */
  head(): Promise<number>;
  balances(user: string): Promise<BalancesResult>;
  syncStatus(): Promise<SyncStatusResult>;
  transactions(user: string, limit: number): Promise<TransactionsResult>;
  bitcoinAddresses(user?: string): Promise<BitcoinAddressesResult>;
  emergencyBurns(): Promise<EmergencyBurnsResult>;
  yieldStatus(user?: string): Promise<YieldStatusResult>;
  disputes(filter: DisputeFilter): Promise<DisputesResult>;
  proofOfReserves(): Promise<ProofOfReservesResult>;
}

export type QueryResult =
  | BalancesResult
  | SyncStatusResult
  | TransactionsResult
  | BitcoinAddressesResult
  | EmergencyBurnsResult
  | YieldStatusResult
  | DisputesResult
  | ProofOfReservesResult;
