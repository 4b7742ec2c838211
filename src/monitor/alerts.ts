/**
 * The alerts the monitor raises. Two families:
 *
 * - **conditions** (backing deficit, oracle lag, oracle stalled, failed rounds, operators low): a state that is true
 *   or not at the head block. A condition alerts once when it becomes true (`status: "firing"`) and once when it
 *   stops being true (`status: "resolved"`), never while it stays true.
 * - **events** (dispute opened, emergency burn): one alert per on-chain log, keyed by `txHash:logIndex`.
 */

/** Conditions, evaluated at the head block on every pass. */
export const CONDITION_KINDS = [
  "backing-deficit",
  "oracle-lag",
  "oracle-stalled",
  "round-failed",
  "operators-low",
] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];

/** Events, one alert per log in the scanned block ranges. */
export const EVENT_KINDS = ["dispute-opened", "emergency-burn"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type AlertKind = ConditionKind | EventKind;
export type Severity = "critical" | "warning";

/** Severity of each kind (a firing alert and its resolution carry the same one). */
export const SEVERITY: Readonly<Record<AlertKind, Severity>> = {
  "backing-deficit": "critical",
  "oracle-lag": "warning",
  "oracle-stalled": "critical",
  "round-failed": "critical",
  "operators-low": "warning",
  "dispute-opened": "warning",
  "emergency-burn": "critical",
};

/** Scalar values of an alert's details (amounts in sats or wei as decimal strings). */
export type DetailValue = string | number | boolean | null;

/** One alert, exactly as a webhook receives it (JSON) and the log sink prints it. */
export interface Alert {
  /** Unique per alert: `<kind>:<status>:<since block>` for conditions, `<kind>:<txHash>:<logIndex>` for events. */
  id: string;
  kind: AlertKind;
  /** Conditions: firing, then resolved. Events are always firing. */
  status: "firing" | "resolved";
  severity: Severity;
  /** One line for humans. */
  summary: string;
  chainId: string;
  oracle: string;
  /** Block the condition was evaluated at, or the event's block. */
  block: number;
  /** ISO 8601 time the monitor raised the alert. */
  time: string;
  details: Record<string, DetailValue>;
}

/** What a check found for one condition at the head block. */
export interface ConditionReading {
  kind: ConditionKind;
  /** unknown: the input was not available this pass (backend down, no round outcome yet); the state is kept. */
  state: "active" | "ok" | "unknown";
  /** The measured value and the threshold it is compared with, for humans (`--once` table). */
  value: string;
  threshold: string;
  summary: string;
  details: Record<string, DetailValue>;
}

/** An event found in a scanned block range. */
export interface EventFinding {
  kind: EventKind;
  /** `txHash:logIndex`: the deduplication key. */
  key: string;
  block: number;
  txHash: string;
  logIndex: number;
  summary: string;
  details: Record<string, DetailValue>;
}
