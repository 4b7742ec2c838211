/**
 * JSON shapes of the operator dashboard's endpoints (`/api/dashboard/*`, docs/queries.md). Shared by the server
 * (src/dashboard) and the page (dashboard/src), so this file holds types only and imports nothing at run time.
 * Amounts are sats as decimal strings, block numbers / heights / Unix timestamps are numbers.
 */
import type { AlertKind, ConditionKind, Severity } from "../monitor/alerts.js";
import type {
  DisputesResult,
  EmergencyBurnsResult,
  HistoryPoint,
  ProofOfReservesResult,
  SourceKind,
  Unavailable,
} from "../query/types.js";

export type { HistoryPoint, Unavailable };

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

/** One user the Bitcoin audit lists: rBTC above their BTC (deficit) or an attested total Bitcoin no longer shows. */
export interface AuditUser {
  user: string;
  status: "deficit" | "stale";
  /** Confirmed BTC at the user's bound addresses now. */
  bitcoinSats: string;
  attestedSats: string;
  /** rBTC free + escrow. */
  rbtcBackedSats: string;
  uncoveredSats: string;
  /** max(0, rbtcBacked − bitcoin). */
  deficitSats: string;
  addresses: Array<{ btcAddress: string; sats: string }>;
}

/** What `reserves:check` computed from the Bitcoin backends (its report's figures). */
export interface BitcoinAuditResult {
  /** EVM block the chain side was read at. */
  block: number;
  bitcoinTip: { height: number; hash: string };
  minConfirmations: number;
  /** Confirmed BTC at every bound address. */
  bitcoinSats: string;
  attestedSats: string;
  rbtcSupply: string;
  wrbtcSupply: string;
  uncoveredSats: string;
  /** rBTC supply + uncovered wrBTC. */
  liabilitiesSats: string;
  /** max(0, liabilities − bitcoin). */
  deficitSats: string;
  /** `reserves:check`'s verdict (exit 0). */
  fullyBacked: boolean;
  /** The latest reserve round's Merkle root equals the one recomputed from Bitcoin now. */
  rootMatches: boolean;
  porRound: number;
  /** Users audited. */
  users: number;
  /** Users in deficit. */
  deficitUsers: number;
  /** Users with any discrepancy (deficit or stale). */
  discrepancyCount: number;
  /** Deficits first (largest first), then stale ones; at most 50. */
  discrepancies: AuditUser[];
}

/** The Bitcoin-side audit, refreshed in the background (new Bitcoin tip, chain moved, every `intervalMs`). */
export type BitcoinAudit =
  | { configured: false; reason: string }
  | {
      configured: true;
      /** pending: none finished yet; failed: the latest attempt failed (`result` is the last successful one). */
      state: "pending" | "ok" | "failed";
      running: boolean;
      /** Unix ms of the last successful audit. */
      checkedAt: number | null;
      lastAttemptAt: number | null;
      durationMs: number | null;
      error: string | null;
      intervalMs: number;
      result: BitcoinAuditResult | null;
    };

/** One monitor condition as the dashboard evaluated it (src/monitor/conditions.ts, the monitor's thresholds). */
export interface ConditionView {
  kind: ConditionKind;
  state: "active" | "ok" | "unknown";
  severity: Severity;
  value: string;
  threshold: string;
  summary: string;
  /** Where the reading came from: this server's evaluation, or a monitor's state file (runner outcomes). */
  source: string;
}

/** An alert that is firing now. */
export interface ActiveAlert {
  kind: AlertKind;
  severity: Severity;
  summary: string;
  /** Unix ms since when it has been firing (conditions) or when it happened (events). */
  since: number;
  /** What `since` means: derived from the chain, first seen by this server, or from a monitor's state file. */
  sinceSource: "chain" | "server" | "monitor";
  source: string;
}

export type Light = "ok" | "warn" | "down" | "off" | "unknown";

/** The page's lights, coloured by the monitor's rules (docs/operations.md §9). */
export interface Lights {
  backing: Light;
  oracle: Light;
  committee: Light;
  bitcoin: Light;
  chain: Light;
  subgraph: Light;
}

export interface AlertsStatus {
  /** Critical first, then warnings; newest first within each. */
  active: ActiveAlert[];
  conditions: ConditionView[];
  thresholds: { maxLagBlocks: number; stallSeconds: number; failedRounds: number; operatorMargin: number };
  /** Emergency burns newer than this (chain time) are listed as active alerts. */
  eventWindowSeconds: number;
}

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
  /** The Bitcoin-side audit (what `reserves:check` computes). */
  audit: BitcoinAudit;
  /** The monitor's rules over this status. */
  alerts: AlertsStatus;
  lights: Lights;
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
