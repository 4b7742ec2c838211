/**
 * What the monitor has done, persisted as one JSON file so a restart neither resends nor forgets: the block cursor,
 * the conditions currently firing, the event keys already alerted and the deliveries still owed to a sink. Written
 * atomically (temp file in the same folder, then rename), so a crash leaves the old or the new file, never half.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

import { UserInputError } from "../errors.js";
import type { Alert, ConditionKind } from "./alerts.js";
import { CONDITION_KINDS } from "./alerts.js";

export const STATE_VERSION = 1;
/** Alerted event keys kept at or below the cursor (events above it are always kept). */
const EVENT_KEYS_KEPT = 1_000;

/** A firing condition. */
export interface ActiveCondition {
  /** Id of the firing alert. */
  alertId: string;
  block: number;
  since: string;
  summary: string;
}

/** An alert a sink has not accepted yet; retried on each pass. */
export interface PendingDelivery {
  sink: string;
  alert: Alert;
  /** Passes that tried and failed. */
  passes: number;
  lastError: string;
}

export interface MonitorState {
  version: typeof STATE_VERSION;
  chainId: string;
  oracle: string;
  /** Last block whose events were processed; null before the first pass. */
  cursor: number | null;
  conditions: Partial<Record<ConditionKind, ActiveCondition>>;
  /** Alerted event keys (`kind:txHash:logIndex`) → block. */
  events: Record<string, number>;
  pending: PendingDelivery[];
}

export function emptyState(chainId: bigint, oracle: string): MonitorState {
  return {
    version: STATE_VERSION,
    chainId: chainId.toString(),
    oracle,
    cursor: null,
    conditions: {},
    events: {},
    pending: [],
  };
}

/**
 * Loads the state file, or an empty state when it does not exist. A file of another chain or Oracle, or of an
 * unknown shape, is refused (a monitor pointed at the wrong deployment must not silently resend or skip).
 */
export async function loadState(file: string, chainId: bigint, oracle: string): Promise<MonitorState> {
  let raw: string;
  try {
    raw = await readFile(file, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return emptyState(chainId, oracle);
    throw error;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new UserInputError(
      `monitor state ${file} is not JSON; move it away to start afresh`,
      "MONITOR_STATE",
    );
  }
  const state = doc as Partial<MonitorState>;
  if (
    typeof doc !== "object" ||
    doc === null ||
    state.version !== STATE_VERSION ||
    typeof state.events !== "object" ||
    typeof state.conditions !== "object" ||
    !Array.isArray(state.pending) ||
    (state.cursor !== null && typeof state.cursor !== "number")
  ) {
    throw new UserInputError(
      `monitor state ${file} has an unknown shape (version ${String(state.version)}); move it away to start afresh`,
      "MONITOR_STATE",
    );
  }
  if (state.chainId !== chainId.toString() || state.oracle?.toLowerCase() !== oracle.toLowerCase()) {
    throw new UserInputError(
      `monitor state ${file} belongs to chain ${String(state.chainId)} / Oracle ${String(state.oracle)}, not ` +
        `chain ${chainId} / Oracle ${oracle}: use another --state file`,
      "MONITOR_STATE",
    );
  }
  for (const kind of Object.keys(state.conditions ?? {})) {
    if (!(CONDITION_KINDS as readonly string[]).includes(kind)) {
      throw new UserInputError(`monitor state ${file}: unknown condition "${kind}"`, "MONITOR_STATE");
    }
  }
  return state as MonitorState;
}

/** Drops alerted event keys the cursor has passed, beyond the newest EVENT_KEYS_KEPT. */
export function pruneEvents(state: MonitorState): void {
  const cursor = state.cursor ?? -1;
  const old = Object.entries(state.events)
    .filter(([, block]) => block <= cursor)
    .sort((a, b) => b[1] - a[1]);
  for (const [key] of old.slice(EVENT_KEYS_KEPT)) delete state.events[key];
}

/** Writes the state atomically: a temp file next to the target, then rename over it. */
export async function saveState(file: string, state: MonitorState): Promise<void> {
  await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`, "utf8");
  await rename(temp, file);
}
