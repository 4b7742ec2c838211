/**
 * Why an operator node refused to sign (src/oracle/operator): the reasons, the fields they name, and what the
 * aggregator makes of them. Shared by the node (which refuses), the wire format and the aggregator (which drops the
 * reports too few operators agreed to and re-proposes the rest).
 */
import type { SyncReport } from "./reports.js";

/** Machine-readable reason of a refusal (docs/operations.md lists each with what to do). */
export type RefusalReason =
  // sync reports
  | "SEQUENCE_MISMATCH"
  | "HEIGHT_AHEAD_OF_VIEW"
  | "HEIGHT_REGRESSED"
  | "BLOCK_HASH_MISMATCH"
  | "TOTAL_MISMATCH"
  | "RISE_WHILE_FROZEN"
  | "RISE_WHILE_UNBOUND"
  | "DUPLICATE_USER"
  // any request
  | "DEADLINE_OUT_OF_RANGE"
  | "CONFLICTING_SIGNATURE"
  | "NOT_ON_COMMITTEE"
  // reserve rounds
  | "ROUND_ID_MISMATCH"
  | "ROUND_HEIGHT_REGRESSED"
  | "ROOT_MISMATCH"
  | "CHAIN_BLOCK_OUT_OF_RANGE"
  // bindings and revocations
  | "NONCE_MISMATCH"
  | "ALREADY_BOUND"
  | "INVALID_ADDRESS"
  | "BAD_PROOF"
  | "PROOF_DIGEST_MISMATCH"
  | "REVOCATION_NOT_ALLOWED";

/** One thing an operator disagrees with: the field, what was proposed and what the node itself observes. */
export interface Refusal {
  /** The user of the refused report; absent when the whole request is refused (deadline, a reserve round). */
  user?: string;
  /** The sequence of the refused report (sync batches). */
  sequence?: string;
  field: string;
  reason: RefusalReason;
  proposed: string;
  observed: string;
  /** One human-readable sentence. */
  detail: string;
}

/** A refusal as the aggregator received it, with the operator that sent it. */
export interface OperatorRefusal extends Refusal {
  /** The operator's address (or its URL when it did not say which key it holds). */
  operator: string;
}

/** A report that fewer than the threshold of operators agreed to: not submitted this round, retried on the next. */
export interface DroppedReport {
  report: SyncReport;
  refusals: OperatorRefusal[];
}

/** A report's identity in refusals and protection records: user and sequence. */
export function reportKey(report: { user: string; sequence: bigint | string }): string {
  return `${report.user.toLowerCase()}:${report.sequence.toString()}`;
}

/** True when `refusal` names `report` (a refusal without a user names every report of the request). */
export function refusalNames(refusal: Refusal, report: SyncReport): boolean {
  if (refusal.user === undefined) return true;
  if (refusal.user.toLowerCase() !== report.user.toLowerCase()) return false;
  return refusal.sequence === undefined || refusal.sequence === report.sequence.toString();
}

/** "0xab…: newTotalSats proposed 150000, observed 100000 (TOTAL_MISMATCH)" — for logs and error messages. */
export function describeRefusal(refusal: OperatorRefusal): string {
  const who = refusal.user === undefined ? "" : ` for ${refusal.user}`;
  return (
    `${refusal.operator} refused${who}: ${refusal.field} proposed ${refusal.proposed}, observed ` +
    `${refusal.observed} (${refusal.reason})`
  );
}
