/**
 * JSON shapes of the operator dashboard's endpoints (`/api/dashboard/*`, docs/queries.md). Shared by the server
 * (src/dashboard) and the page (dashboard/src), so this file holds types only and imports nothing at run time.
 * Amounts are sats as decimal strings, block numbers / heights / Unix timestamps are numbers.
 */
import type {
  DisputesResult,
  EmergencyBurnsResult,
  ProofOfReservesResult,
  SourceKind,
  Unavailable,
} from "../query/types.js";

export type { Unavailable };

/** The outcome of probing one backend. */
export interface Probe {
  reachable: boolean;
  /** Round trip of the probe in milliseconds (null when it failed before timing). */
  latencyMs: number | null;
  /** One-line reason when unreachable. */
  error: string | null;
}

/** The EVM node the server reads. */
export interface ChainStatus extends Probe {
  chainId: string | null;
  head: { block: number; timestamp: number } | null;
}

export interface BitcoinBackendStatus extends Probe {
  url: string;
  tip: number | null;
}

/** The Esplora backend(s) the server was given (`realtime:serve --bitcoin`). */
export interface BitcoinStatus {
  backends: BitcoinBackendStatus[];
  /** Highest tip of the reachable backends (null when none answered). */
  tip: number | null;
  /** Every reachable backend reports the same tip. */
  agree: boolean;
}

/** The latest ProofOfReserves round committed by the committee. */
export interface ReserveRoundInfo {
  round: number;
  merkleRoot: string;
  attestedSats: string;
  btcHeight: number;
  /** Unix seconds. */
  committedAt: number;
}

export interface OracleStatus {
  available: true;
  /** Newest `Synced` log (null before the first accepted report). */
  lastRound: { block: number; timestamp: number } | null;
  /** Chain head − lastRound. */
  lag: { blocks: number; seconds: number } | null;
  /** Highest Bitcoin height the committee attested (accepted reports or reserve rounds), null before any. */
  btcHeight: number | null;
  /** Bitcoin tip − btcHeight (null when either is unknown). */
  lagBtcBlocks: number | null;
  minConfirmations: number;
  paused: { oracle: boolean; wrbtc: boolean };
  reserveRound: ReserveRoundInfo | null;
}

export type SubgraphStatus =
  | { configured: false }
  | (Probe & {
      configured: true;
      url: string;
      /** Block the subgraph has indexed. */
      block: number | null;
      /** Chain head − indexed block. */
      lagBlocks: number | null;
    });

export interface CommitteeOperator {
  address: string;
  /** Newest block of a sync batch this operator signed, among the batches examined (null: none of them). */
  lastSignedBlock: number | null;
  signedRecently: boolean;
}

export interface CommitteeStatus {
  available: true;
  operators: CommitteeOperator[];
  threshold: number;
  size: number;
  epoch: number;
  /** Sync transactions whose signatures were recovered (the newest ones, up to the configured number). */
  batchesExamined: number;
  /** Operators that signed at least one of the examined batches. */
  signersSeen: number;
}

/** The proof-of-reserves answer plus the claims the ratio divides by. */
export type ReservesStatus = ProofOfReservesResult & {
  available: true;
  /** free rBTC + wrBTC supply (= rBTC supply + uncovered deficit), in sats. */
  claimsSats: string;
};

/** `GET /api/dashboard/status`. */
export interface DashboardStatus {
  /** Unix milliseconds when this answer was computed. */
  generatedAt: number;
  source: SourceKind;
  chain: ChainStatus;
  bitcoin: BitcoinStatus;
  oracle: OracleStatus | Unavailable;
  subgraph: SubgraphStatus;
  committee: CommitteeStatus | Unavailable;
  reserves: ReservesStatus | Unavailable;
  disputes: DisputesResult;
  emergencyBurns: EmergencyBurnsResult;
}

/** One point of the backing history: the system's figures right after a block that changed them. */
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

/** `GET /api/dashboard/history[?points=N]`. */
export type DashboardHistory = { available: true; head: number; points: HistoryPoint[] } | Unavailable;

export interface EndpointLatency {
  method: string;
  route: string;
  count: number;
  /** Responses with status ≥ 400. */
  errors: number;
  lastMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

/** `GET /api/dashboard/latency`: server-side handling time per route over its newest `window` requests. */
export interface LatencyReport {
  /** Unix milliseconds the recorder started. */
  since: number;
  window: number;
  endpoints: EndpointLatency[];
}
