/**
 * The monitor's conditions, one check class per condition behind one interface (tBTC's monitor pattern): each check
 * has a name (its kind), evaluates against the inputs of one evaluation (the context) with the configured thresholds
 * and returns its reading (`active` / `ok` / `unknown`). Every check is registered in {@link CONDITION_CHECKS}. The
 * monitor (`runOnce`) and the operator dashboard (src/dashboard) both evaluate through `evaluateConditions`, so a
 * light on the page and an alert from the monitor can never disagree about the same inputs.
 */
import { getAddress } from "ethers";

import type { CommitteeReachability } from "../oracle/service.js";
import { backingRatio } from "../query/query.js";
import type { ConditionKind, ConditionReading } from "./alerts.js";
import type { ChainHealth } from "./checks.js";
import type { MonitorThresholds } from "./config.js";

/** The runner's recent outcomes (known inside `oracle:run` only): failures in a row, last failure, reachability. */
export interface RoundRecord {
  seen: number;
  failuresInRow: number;
  lastFailure?: { kind: string; error: string; at: number };
  reachability?: CommitteeReachability & { at: number };
}

/** The Bitcoin-side audit (`reserves:check`, src/reserves/check.ts) in the terms the backing condition needs. */
export interface BitcoinAuditInput {
  /** Confirmed BTC at every bound address, recomputed from the Bitcoin backends (sats). */
  bitcoinSats: bigint;
  /** rBTC supply + uncovered wrBTC (sats). */
  liabilitiesSats: bigint;
  /** max(0, liabilities − bitcoin). */
  deficitSats: bigint;
  fullyBacked: boolean;
  /** Users whose rBTC exceeds their BTC (or whose wrBTC is uncovered). */
  deficitUsers: string[];
  /** The Bitcoin tip the audit read. */
  tipHeight: number;
}

/** Everything one evaluation reads. */
export interface ConditionInputs {
  health: ChainHealth;
  /** The Bitcoin tip, or why it is unknown. */
  tip: { height: number } | { error: string };
  /** Unix seconds: max(wall clock, head block time). */
  now: number;
  rounds: RoundRecord;
  /** The Bitcoin-side reserve audit, when the caller runs one (the dashboard does; the monitor does not). */
  audit?: BitcoinAuditInput;
}

/** One condition: its kind, and its reading of one evaluation's inputs under the configured thresholds. */
export interface ConditionCheck {
  readonly kind: ConditionKind;
  evaluate(inputs: ConditionInputs, thresholds: MonitorThresholds): ConditionReading;
}

/**
 * backing-deficit: attested BTC below rBTC supply + uncovered wrBTC, or any uncovered wrBTC at all — and, when a
 * Bitcoin-side audit is given, BTC at the bound addresses below what the chain claims (the case the chain alone
 * cannot see while the oracle is stalled).
 */
export class BackingDeficitCheck implements ConditionCheck {
  readonly kind = "backing-deficit";

  evaluate({ health: h, audit }: ConditionInputs): ConditionReading {
    return backingReading(h, audit);
  }
}

function backingReading(h: ChainHealth, audit: BitcoinAuditInput | undefined): ConditionReading {
  const liabilities = h.rbtcSupply + h.uncoveredSats;
  const ratio = backingRatio(h.attestedSats, liabilities);
  const chainDeficit = h.uncoveredSats > 0n || h.attestedSats < liabilities;
  const bitcoinDeficit = audit !== undefined && !audit.fullyBacked;
  const deficit = chainDeficit || bitcoinDeficit;
  const parts: string[] = [];
  if (chainDeficit) {
    parts.push(
      `backing below 100%: ${h.attestedSats} sats attested for ${liabilities} sats of rBTC + uncovered wrBTC ` +
        `(${h.uncoveredSats} sats of wrBTC uncovered)`,
    );
  }
  if (bitcoinDeficit) {
    parts.push(
      `Bitcoin audit: ${audit.bitcoinSats} sats at the bound addresses for ${audit.liabilitiesSats} sats of ` +
        `liabilities, deficit ${audit.deficitSats} sats; ${audit.deficitUsers.length} user(s) not covered by ` +
        `their BTC: ${audit.deficitUsers.slice(0, 5).join(", ")}${audit.deficitUsers.length > 5 ? ", …" : ""}`,
    );
  }
  return {
    kind: "backing-deficit",
    state: deficit ? "active" : "ok",
    value:
      `ratio ${ratio ?? "n/a"}, uncovered ${h.uncoveredSats} sats` +
      (audit === undefined ? "" : `, Bitcoin deficit ${audit.deficitSats} sats`),
    threshold: "ratio ≥ 1, uncovered 0" + (audit === undefined ? "" : ", Bitcoin covers every user's rBTC"),
    summary: deficit
      ? parts.join("; ")
      : `fully backed: ${h.attestedSats} sats attested for ${liabilities} sats of liabilities`,
    details: {
      backingRatio: ratio,
      attestedSats: h.attestedSats.toString(),
      rbtcSupply: h.rbtcSupply.toString(),
      wrbtcSupply: h.wrbtcSupply.toString(),
      uncoveredSats: h.uncoveredSats.toString(),
      liabilitiesSats: liabilities.toString(),
      deficitSats: (liabilities > h.attestedSats ? liabilities - h.attestedSats : 0n).toString(),
      porRound: h.porRound.toString(),
      porAttestedSats: h.porAttestedSats.toString(),
      porBackingRatio: h.porBackingRatio.toString(),
      porFullyBacked: h.porFullyBacked,
      ...(audit === undefined
        ? {}
        : {
            bitcoinSats: audit.bitcoinSats.toString(),
            bitcoinDeficitSats: audit.deficitSats.toString(),
            bitcoinTipHeight: audit.tipHeight,
            deficitUsers: audit.deficitUsers.join(","),
          }),
    },
  };
}

/** oracle-lag: Bitcoin tip vs the height the last round attested (reports or the reserve round, whichever is newer). */
export class OracleLagCheck implements ConditionCheck {
  readonly kind = "oracle-lag";

  evaluate({ health: h, tip }: ConditionInputs, t: MonitorThresholds): ConditionReading {
    const attestedHeight = Math.max(h.highestBtcHeight, h.porBtcHeight);
    const height = "height" in tip ? tip.height : undefined;
    const lag = height === undefined ? undefined : height - attestedHeight;
    return {
      kind: "oracle-lag",
      state: lag === undefined ? "unknown" : lag > t.maxLagBlocks ? "active" : "ok",
      value: lag === undefined ? `unknown (${"error" in tip ? tip.error : ""})` : `${lag} blocks`,
      threshold: `≤ ${t.maxLagBlocks} blocks`,
      summary:
        lag === undefined
          ? "oracle lag unknown"
          : `oracle lags Bitcoin by ${lag} blocks (tip ${height}, attested ${attestedHeight}; threshold ${t.maxLagBlocks})`,
      details: {
        bitcoinTip: height ?? null,
        attestedHeight,
        lagBlocks: lag ?? null,
        maxLagBlocks: t.maxLagBlocks,
      },
    };
  }
}

/** oracle-stalled: no reserve round (every successful runner round commits one) for stallSeconds. */
export class OracleStalledCheck implements ConditionCheck {
  readonly kind = "oracle-stalled";

  evaluate({ health: h, now }: ConditionInputs, t: MonitorThresholds): ConditionReading {
    const since = h.porCommittedAt === undefined ? undefined : now - h.porCommittedAt;
    return {
      kind: "oracle-stalled",
      state: since === undefined ? "unknown" : since > t.stallSeconds ? "active" : "ok",
      value: since === undefined ? "no round yet" : `${since} s since the last round`,
      threshold: `≤ ${t.stallSeconds} s`,
      summary:
        since === undefined
          ? "no reserve round committed yet"
          : since > t.stallSeconds
            ? `no oracle round for ${since} s (threshold ${t.stallSeconds} s; last round ${h.porRound})`
            : `last oracle round ${since} s ago`,
      details: {
        lastRound: h.porRound.toString(),
        lastRoundAt: h.porCommittedAt ?? null,
        secondsSinceLastRound: since ?? null,
        stallSeconds: t.stallSeconds,
      },
    };
  }
}

/** round-failed: consecutive failed runner rounds (only known inside oracle:run). */
export class RoundFailedCheck implements ConditionCheck {
  readonly kind = "round-failed";

  evaluate({ rounds: r }: ConditionInputs, t: MonitorThresholds): ConditionReading {
    const failing = r.failuresInRow >= t.failedRounds;
    return {
      kind: "round-failed",
      state: r.seen === 0 ? "unknown" : failing ? "active" : "ok",
      value: r.seen === 0 ? "no runner outcome (standalone)" : `${r.failuresInRow} failed in a row`,
      threshold: `< ${t.failedRounds} in a row`,
      summary: failing
        ? `${r.failuresInRow} oracle rounds failed in a row (${r.lastFailure?.kind}: ${r.lastFailure?.error})`
        : `oracle rounds succeed`,
      details: {
        failuresInRow: r.failuresInRow,
        failedRounds: t.failedRounds,
        lastFailureKind: r.lastFailure?.kind ?? null,
        lastFailureError: r.lastFailure?.error ?? null,
      },
    };
  }
}

/** operators-low: on-chain operators that signed the runner's last signing request vs threshold + margin. */
export class OperatorsLowCheck implements ConditionCheck {
  readonly kind = "operators-low";

  evaluate({ health: h, rounds: r }: ConditionInputs, t: MonitorThresholds): ConditionReading {
    const reach = r.reachability;
    const needed = h.threshold + t.operatorMargin;
    const operators = new Set(h.operators.map((a) => a.toLowerCase()));
    const live = reach === undefined ? [] : reach.signed.filter((a) => operators.has(a.toLowerCase()));
    return {
      kind: "operators-low",
      state: reach === undefined ? "unknown" : live.length < needed ? "active" : "ok",
      value:
        reach === undefined
          ? "no committee reachability (standalone)"
          : `${live.length} of ${h.operators.length} live`,
      threshold: `≥ ${needed} (threshold ${h.threshold} + ${t.operatorMargin})`,
      summary:
        reach === undefined
          ? "operator liveness unknown"
          : `${live.length} of ${h.operators.length} operators live; threshold ${h.threshold}, alert below ${needed}`,
      details: {
        live: live.length,
        operators: h.operators.length,
        threshold: h.threshold,
        needed,
        liveOperators: live.map((a) => getAddress(a)).join(","),
        unreachable:
          reach === undefined ? null : reach.unreachable.map((u) => `${u.address}: ${u.reason}`).join("; "),
      },
    };
  }
}

/** Every condition check, in CONDITION_KINDS order. */
export const CONDITION_CHECKS: readonly ConditionCheck[] = [
  new BackingDeficitCheck(),
  new OracleLagCheck(),
  new OracleStalledCheck(),
  new RoundFailedCheck(),
  new OperatorsLowCheck(),
];

/** Every condition's reading, in CONDITION_KINDS order. */
export function evaluateConditions(inputs: ConditionInputs, t: MonitorThresholds): ConditionReading[] {
  return CONDITION_CHECKS.map((check) => check.evaluate(inputs, t));
}
