/**
 * The ops monitor (the tBTC monitoring pattern): each pass processes the blocks since its persisted cursor in bounded
 * ranges (`check(fromBlock, toBlock)` → dispute and emergency-burn events, one check class per event kind in
 * checks.ts), then evaluates the conditions at the head (one check class per condition in conditions.ts: backing,
 * oracle lag, stall, failed rounds, live operators), raises what changed, delivers it to every sink
 * and persists what it did — so a restart resends nothing and misses nothing.
 */
import { getAddress } from "ethers";
import type { Logger } from "pino";

import type { BitcoinSource } from "../oracle/reports.js";
import type { RoundOutcome } from "../oracle/service.js";
import type { Alert, ConditionKind, ConditionReading, EventFinding } from "./alerts.js";
import { CONDITION_KINDS, SEVERITY } from "./alerts.js";
import type { ChainHealth, MonitorContracts } from "./checks.js";
import { readChainHealth, scanEvents } from "./checks.js";
import type { ConditionInputs, RoundRecord } from "./conditions.js";
import { evaluateConditions } from "./conditions.js";
import type { MonitorConfig } from "./config.js";
import { DEFAULT_WEBHOOK } from "./config.js";
import type { AlertSink } from "./sinks.js";
import type { MonitorState } from "./state.js";
import { loadState, pruneEvents, saveState } from "./state.js";

/** Undelivered alerts kept in the state file at most (the oldest are dropped first, with an error log). */
export const MAX_PENDING = 100;

export interface MonitorOptions {
  contracts: MonitorContracts;
  chainId: bigint;
  config: MonitorConfig;
  sinks: readonly AlertSink[];
  logger: Logger;
  /** Bitcoin backend for the tip (oracle-lag); without it the lag is unknown. */
  bitcoin?: Pick<BitcoinSource, "tip">;
  /** First block to scan without a cursor when the config gives none (the deployment's start block). */
  startBlock?: number;
  /** Unix seconds (tests); the monitor uses max(clock, head block time). */
  clock?: () => number;
}

/** What one pass found and did (`monitor:run --once` prints it). */
export interface PassResult {
  chainId: string;
  oracle: string;
  head: number;
  /** Blocks whose events this pass processed; null when there were none new. */
  range: { fromBlock: number; toBlock: number } | null;
  conditions: ConditionReading[];
  events: EventFinding[];
  /** Alerts raised by this pass (new ones only; a condition that stays true raises nothing). */
  alerts: Alert[];
  /** Conditions firing after this pass. */
  active: ConditionKind[];
  /** Deliveries that failed this pass (kept for the next passes). */
  failedDeliveries: number;
  /** Undelivered alerts in the state file after this pass. */
  pending: number;
}

/** The first line of an error's message (for one-line logs and alert details). */
export function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

export class Monitor {
  readonly #options: MonitorOptions;
  readonly #oracle: string;
  #state: MonitorState;
  /** Runner outcomes (inside `oracle:run`): failures in a row, the last failure and the last reachability. */
  #rounds: RoundRecord = { seen: 0, failuresInRow: 0 };

  private constructor(options: MonitorOptions, oracle: string, state: MonitorState) {
    this.#options = options;
    this.#oracle = oracle;
    this.#state = state;
  }

  /** Loads (or starts) the state file of the configured path; refuses one of another chain or Oracle. */
  static async open(options: MonitorOptions): Promise<Monitor> {
    const oracle = getAddress(await options.contracts.oracle.getAddress());
    const state = await loadState(options.config.stateFile, options.chainId, oracle);
    return new Monitor(options, oracle, state);
  }

  /** A copy of the persisted state (tests, `--once` output). */
  get state(): MonitorState {
    return structuredClone(this.#state);
  }

  /** Records a runner round's outcome; the next pass evaluates `round-failed` and `operators-low` from it. */
  observeRound(outcome: RoundOutcome): void {
    const r = this.#rounds;
    r.seen += 1;
    if (outcome.ok) r.failuresInRow = 0;
    else {
      r.failuresInRow += 1;
      r.lastFailure = { kind: outcome.kind, error: outcome.error, at: outcome.at };
    }
    if (outcome.committee !== undefined) r.reachability = { ...outcome.committee, at: outcome.at };
  }

  /** The alerting events of blocks `fromBlock..toBlock` (no alert is sent; see `runOnce`). */
  check(fromBlock: number, toBlock: number): Promise<EventFinding[]> {
    return scanEvents(this.#options.contracts, fromBlock, toBlock);
  }

  /** One pass: retry undelivered alerts, process new blocks in bounded ranges, evaluate the conditions. */
  async runOnce(): Promise<PassResult> {
    const pass = { alerts: [] as Alert[], failedDeliveries: 0 };
    const raise = async (alert: Alert) => {
      pass.alerts.push(alert);
      pass.failedDeliveries += await this.#dispatch(alert);
    };
    pass.failedDeliveries += await this.#flushPending();
    const { head, range, events } = await this.#processNewBlocks(raise);
    const conditions = await this.#processConditions(raise);
    pruneEvents(this.#state);
    await this.#save();
    return {
      chainId: this.#options.chainId.toString(),
      oracle: this.#oracle,
      head,
      range,
      conditions,
      events,
      alerts: pass.alerts,
      active: CONDITION_KINDS.filter((k) => this.#state.conditions[k] !== undefined),
      failedDeliveries: pass.failedDeliveries,
      pending: this.#state.pending.length,
    };
  }

  /**
   * Events: every block from the cursor to the head (less the confirmations), in bounded ranges; one alert per new
   * finding, the cursor persisted after each range.
   */
  async #processNewBlocks(raise: (alert: Alert) => Promise<void>): Promise<{
    head: number;
    range: PassResult["range"];
    events: EventFinding[];
  }> {
    const { config, contracts } = this.#options;
    const provider = contracts.oracle.runner?.provider;
    if (provider == null) throw new Error("oracle contract has no provider");
    const head = await provider.getBlockNumber();
    const target = head - config.confirmations;
    const first =
      this.#state.cursor === null
        ? (config.fromBlock ?? this.#options.startBlock ?? 0)
        : this.#state.cursor + 1;
    const events: EventFinding[] = [];
    for (let from = first; from <= target; from += config.logRangeBlocks) {
      const to = Math.min(target, from + config.logRangeBlocks - 1);
      for (const finding of await this.check(from, to)) {
        events.push(finding);
        const key = `${finding.kind}:${finding.key}`;
        if (key in this.#state.events) continue;
        this.#state.events[key] = finding.block;
        await raise(this.#eventAlert(finding));
        await this.#save();
      }
      this.#state.cursor = to;
      await this.#save();
    }
    return { head, range: first <= target ? { fromBlock: first, toBlock: target } : null, events };
  }

  /** Conditions at the head: a firing alert when one becomes active, a resolved one when it stops. */
  async #processConditions(raise: (alert: Alert) => Promise<void>): Promise<ConditionReading[]> {
    const health = await readChainHealth(this.#options.contracts);
    const conditions = await this.#evaluate(health);
    for (const reading of conditions) {
      const active = this.#state.conditions[reading.kind];
      if (reading.state === "active" && active === undefined) {
        const alert = this.#conditionAlert(reading, "firing", health.block);
        this.#state.conditions[reading.kind] = {
          alertId: alert.id,
          block: health.block,
          since: alert.time,
          summary: reading.summary,
        };
        await raise(alert);
        await this.#save();
      } else if (reading.state === "ok" && active !== undefined) {
        const alert = this.#conditionAlert(reading, "resolved", health.block);
        alert.details = { ...alert.details, firingAlertId: active.alertId, firingSince: active.since };
        delete this.#state.conditions[reading.kind];
        await raise(alert);
        await this.#save();
      }
    }
    return conditions;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // conditions
  // ---------------------------------------------------------------------------------------------------------------

  /** Reads the Bitcoin tip (the one input the chain does not give) and evaluates every condition on the inputs. */
  async #evaluate(h: ChainHealth): Promise<ConditionReading[]> {
    const now = Math.max(this.#options.clock?.() ?? Math.floor(Date.now() / 1000), h.timestamp);
    let tip: ConditionInputs["tip"] = { error: "no Bitcoin backend" };
    if (this.#options.bitcoin !== undefined) {
      try {
        tip = { height: (await this.#options.bitcoin.tip()).height };
      } catch (error) {
        tip = { error: errorMessage(error) };
        this.#options.logger.warn(
          { event: "monitor-bitcoin-error", error: tip.error },
          "Bitcoin tip unavailable",
        );
      }
    }
    return evaluateConditions({ health: h, tip, now, rounds: this.#rounds }, this.#options.config.thresholds);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // alerts and delivery
  // ---------------------------------------------------------------------------------------------------------------

  #conditionAlert(reading: ConditionReading, status: "firing" | "resolved", block: number): Alert {
    return {
      id: `${reading.kind}:${status}:${block}`,
      kind: reading.kind,
      status,
      severity: SEVERITY[reading.kind],
      summary: status === "resolved" ? `resolved: ${reading.summary}` : reading.summary,
      chainId: this.#options.chainId.toString(),
      oracle: this.#oracle,
      block,
      time: new Date().toISOString(),
      details: { ...reading.details },
    };
  }

  #eventAlert(finding: EventFinding): Alert {
    return {
      id: `${finding.kind}:${finding.key}`,
      kind: finding.kind,
      status: "firing",
      severity: SEVERITY[finding.kind],
      summary: finding.summary,
      chainId: this.#options.chainId.toString(),
      oracle: this.#oracle,
      block: finding.block,
      time: new Date().toISOString(),
      details: { ...finding.details },
    };
  }

  /** Offers the alert to every sink; what a sink refuses is kept as pending. Returns the failed deliveries. */
  async #dispatch(alert: Alert): Promise<number> {
    let failed = 0;
    for (const sink of this.#options.sinks) {
      try {
        await sink.deliver(alert);
      } catch (error) {
        failed += 1;
        const message = errorMessage(error);
        this.#options.logger.error(
          { event: "alert-delivery-failed", sink: sink.name, alertId: alert.id, error: message },
          "alert not delivered; retried on the next passes",
        );
        this.#state.pending.push({ sink: sink.name, alert, passes: 1, lastError: message });
      }
    }
    while (this.#state.pending.length > MAX_PENDING) {
      const dropped = this.#state.pending.shift();
      this.#options.logger.error(
        {
          event: "alert-dropped",
          sink: dropped?.sink,
          alertId: dropped?.alert.id,
          reason: "too many pending",
        },
        "undelivered alert dropped",
      );
    }
    return failed;
  }

  /** Retries every pending delivery once; drops those that failed on `maxPendingPasses` passes. */
  async #flushPending(): Promise<number> {
    if (this.#state.pending.length === 0) return 0;
    const maxPasses = this.#options.config.webhook?.maxPendingPasses ?? DEFAULT_WEBHOOK.maxPendingPasses;
    const kept: MonitorState["pending"] = [];
    let failed = 0;
    for (const entry of this.#state.pending) {
      const sink = this.#options.sinks.find((s) => s.name === entry.sink);
      if (sink === undefined) {
        this.#options.logger.error(
          {
            event: "alert-dropped",
            sink: entry.sink,
            alertId: entry.alert.id,
            reason: "sink not configured",
          },
          "undelivered alert dropped",
        );
        continue;
      }
      try {
        await sink.deliver(entry.alert);
        this.#options.logger.info(
          { event: "alert-delivered-late", sink: entry.sink, alertId: entry.alert.id, passes: entry.passes },
          "pending alert delivered",
        );
      } catch (error) {
        failed += 1;
        const next = { ...entry, passes: entry.passes + 1, lastError: errorMessage(error) };
        if (next.passes >= maxPasses) {
          this.#options.logger.error(
            { event: "alert-dropped", sink: entry.sink, alertId: entry.alert.id, reason: next.lastError },
            `undelivered alert dropped after ${next.passes} passes`,
          );
        } else kept.push(next);
      }
    }
    this.#state.pending = kept;
    await this.#save();
    return failed;
  }

  #save(): Promise<void> {
    return saveState(this.#options.config.stateFile, this.#state);
  }
}
