/**
 * The monitor's rules applied to the dashboard: the conditions evaluated by src/monitor/conditions.ts (the same
 * functions and thresholds as `monitor:run`), the event alerts (open disputes, recent emergency burns) with the
 * monitor's summaries, the conditions only a runner's monitor knows (round-failed, operators-low) taken from its
 * state file, and the lights each component shows.
 */
import { existsSync } from "node:fs";

import type { AlertKind, ConditionKind, ConditionReading } from "../monitor/alerts.js";
import { SEVERITY } from "../monitor/alerts.js";
import { disputeOpenedSummary, emergencyBurnSummary } from "../monitor/checks.js";
import type { MonitorThresholds } from "../monitor/config.js";
import type { MonitorState } from "../monitor/state.js";
import { loadState } from "../monitor/state.js";
import type { DisputesResult, EmergencyBurnsResult } from "../query/types.js";
import type {
  ActiveAlert,
  AlertsStatus,
  BitcoinAudit,
  BitcoinStatus,
  ChainStatus,
  CommitteeStatus,
  ConditionView,
  Light,
  Lights,
  OracleStatus,
  SubgraphStatus,
  Unavailable,
} from "./types.js";

/** Emergency burns newer than this (chain time) are listed as active alerts. */
export const DEFAULT_EVENT_WINDOW_SECONDS = 86_400;
/** Subgraph blocks behind the chain head before its light turns amber. */
export const SUBGRAPH_LAG_WARN_BLOCKS = 10;

/** Since when each condition has been active, as this server saw it (a condition that clears is forgotten). */
export class SinceTracker {
  readonly #since = new Map<ConditionKind, { at: number; source: ActiveAlert["sinceSource"] }>();

  /** Records the active kinds; `hint` gives a chain-derived onset when one exists. */
  update(
    readings: readonly ConditionReading[],
    now: number,
    hint: (r: ConditionReading) => number | undefined,
  ): void {
    for (const r of readings) {
      if (r.state === "ok") this.#since.delete(r.kind);
      if (r.state !== "active") continue;
      const derived = hint(r);
      const known = this.#since.get(r.kind);
      if (derived !== undefined) this.#since.set(r.kind, { at: derived, source: "chain" });
      else if (known === undefined) this.#since.set(r.kind, { at: now, source: "server" });
    }
  }

  get(kind: ConditionKind): { at: number; source: ActiveAlert["sinceSource"] } | undefined {
    return this.#since.get(kind);
  }
}

/** The onset the chain tells: a stall began `stallSeconds` after the last reserve round. */
export function chainOnset(r: ConditionReading): number | undefined {
  if (r.kind !== "oracle-stalled") return undefined;
  const at = r.details.lastRoundAt;
  const stall = r.details.stallSeconds;
  return typeof at === "number" && typeof stall === "number" ? (at + stall) * 1000 : undefined;
}

/** Active conditions of the monitors' state files that exist (`oracle:run --monitor`, `monitor:run`). */
export async function monitorConditions(
  files: readonly string[],
  chainId: bigint,
  oracle: string,
): Promise<Array<{ file: string; kind: ConditionKind; since: number; summary: string }>> {
  const found: Array<{ file: string; kind: ConditionKind; since: number; summary: string }> = [];
  for (const file of files) {
    if (!existsSync(file)) continue;
    let state: MonitorState;
    try {
      state = await loadState(file, chainId, oracle);
    } catch {
      continue; // another deployment's file, or being rewritten: it says nothing about this one
    }
    for (const [kind, c] of Object.entries(state.conditions) as Array<
      [ConditionKind, NonNullable<MonitorState["conditions"][ConditionKind]>]
    >) {
      found.push({ file, kind, since: Date.parse(c.since), summary: c.summary });
    }
  }
  return found;
}

export interface AlertInputs {
  readings: readonly ConditionReading[];
  tracker: SinceTracker;
  fromMonitors: Awaited<ReturnType<typeof monitorConditions>>;
  disputes: DisputesResult;
  burns: EmergencyBurnsResult;
  /** Chain head time (unix seconds): the event window is measured in chain time. */
  headTime: number | null;
  thresholds: MonitorThresholds;
  eventWindowSeconds: number;
}

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

/**
 * The conditions as the page shows them and the alerts firing now: the dashboard's own readings; for a condition it
 * reads `unknown` (runner outcomes), a monitor state file's active condition; open disputes; emergency burns inside
 * the event window.
 */
export function alertsStatus(inputs: AlertInputs): AlertsStatus {
  const active: ActiveAlert[] = [];
  const conditions: ConditionView[] = inputs.readings.map((r) => {
    const view: ConditionView = {
      kind: r.kind,
      state: r.state,
      severity: SEVERITY[r.kind],
      value: r.value,
      threshold: r.threshold,
      summary: r.summary,
      source: "dashboard",
    };
    if (r.state === "active") {
      const since = inputs.tracker.get(r.kind);
      active.push(alert(r.kind, r.summary, since?.at ?? Date.now(), since?.source ?? "server", "dashboard"));
      return view;
    }
    const reported = r.state === "unknown" ? inputs.fromMonitors.find((m) => m.kind === r.kind) : undefined;
    if (reported === undefined) return view;
    active.push(alert(r.kind, reported.summary, reported.since, "monitor", `monitor:${reported.file}`));
    return { ...view, state: "active", summary: reported.summary, source: `monitor:${reported.file}` };
  });
  if (inputs.disputes.available) {
    for (const d of inputs.disputes.disputes.filter((x) => x.status === "open")) {
      active.push(
        alert(
          "dispute-opened",
          disputeOpenedSummary(d.id, d.user, d.claimedSats, d.attestedSats),
          d.opened.timestamp * 1000,
          "chain",
          "dashboard",
        ),
      );
    }
  }
  if (inputs.burns.available && inputs.headTime !== null) {
    const after = inputs.headTime - inputs.eventWindowSeconds;
    for (const b of inputs.burns.burns.filter((x) => x.timestamp >= after)) {
      active.push(
        alert(
          "emergency-burn",
          emergencyBurnSummary(b.user, b.amountSats, b.reason),
          b.timestamp * 1000,
          "chain",
          "dashboard",
        ),
      );
    }
  }
  active.sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.since - a.since);
  return {
    active,
    conditions,
    thresholds: { ...inputs.thresholds },
    eventWindowSeconds: inputs.eventWindowSeconds,
  };
}

function alert(
  kind: AlertKind,
  summary: string,
  since: number,
  sinceSource: ActiveAlert["sinceSource"],
  source: string,
): ActiveAlert {
  return { kind, severity: SEVERITY[kind], summary, since, sinceSource, source };
}

export interface LightInputs {
  alerts: AlertsStatus;
  chain: ChainStatus;
  bitcoin: BitcoinStatus;
  oracle: OracleStatus | Unavailable;
  committee: CommitteeStatus | Unavailable;
  subgraph: SubgraphStatus;
  audit: BitcoinAudit;
  reservesAvailable: boolean;
}

/**
 * The lights. Backing: red on backing-deficit (chain or Bitcoin audit), amber while the Bitcoin audit cannot
 * confirm it. Oracle: red when stalled or rounds fail, amber when lagging, paused or before any round. Committee:
 * red when fewer than `threshold` operators signed the recent batches (a batch carries exactly `threshold`
 * signatures, so that many is healthy), amber when a runner's monitor reports operators-low.
 */
export function lights(i: LightInputs): Lights {
  const state = (kind: ConditionKind) => i.alerts.conditions.find((c) => c.kind === kind)?.state;
  let backing: Light;
  if (state("backing-deficit") === "active") backing = "down";
  else if (!i.reservesAvailable) backing = "unknown";
  else if (i.audit.configured && i.audit.state !== "ok") backing = "warn";
  else backing = "ok";

  let oracle: Light;
  if (!i.oracle.available) oracle = "down";
  else if (state("oracle-stalled") === "active" || state("round-failed") === "active") oracle = "down";
  else if (state("oracle-lag") === "active" || i.oracle.paused.oracle || i.oracle.lastRound === null)
    oracle = "warn";
  else oracle = "ok";

  let committee: Light;
  if (!i.committee.available) committee = "down";
  else if (i.committee.batchesExamined === 0) committee = "unknown";
  else if (i.committee.signersSeen < i.committee.threshold) committee = "down";
  else if (state("operators-low") === "active") committee = "warn";
  else committee = "ok";

  const b = i.bitcoin;
  const up = b.backends.filter((x) => x.reachable).length;
  const bitcoin: Light =
    b.backends.length === 0 ? "off" : up === b.backends.length && b.agree ? "ok" : up > 0 ? "warn" : "down";
  const g = i.subgraph;
  const subgraph: Light = !g.configured
    ? "off"
    : !g.reachable
      ? "down"
      : (g.lagBlocks ?? 0) > SUBGRAPH_LAG_WARN_BLOCKS
        ? "warn"
        : "ok";
  return { backing, oracle, committee, bitcoin, chain: i.chain.reachable ? "ok" : "down", subgraph };
}
