/**
 * The monitor as a long-running process: `MonitorLoop` runs a pass every interval (`monitor:run`); `RoundMonitor`
 * runs one after every runner round (`oracle:run --monitor`), fed with the round's outcome. A failing pass (RPC
 * down) is logged and the next one tries again; stopping lets the current pass finish.
 */
import type { Logger } from "pino";

import type { RoundOutcome } from "../oracle/service.js";
import { sleep } from "../oracle/service.js";
import type { Monitor, PassResult } from "./monitor.js";
import { errorMessage } from "./monitor.js";

function logPass(logger: Logger, pass: number, result: PassResult): void {
  logger.info(
    {
      event: "monitor-pass",
      pass,
      head: result.head,
      range: result.range,
      alerts: result.alerts.map((a) => a.id),
      active: result.active,
      pending: result.pending,
    },
    "monitor pass complete",
  );
}

function logFailedPass(logger: Logger, pass: number, error: unknown): void {
  logger.error(
    { event: "monitor-pass-failed", pass, error: errorMessage(error) },
    "monitor pass failed; retried on the next pass",
  );
}

/**
 * Inside `oracle:run`: `onRound` records the outcome and starts a pass without blocking the runner; passes never
 * overlap (outcomes that arrive during a pass are covered by one more pass right after it). `drain` waits for the
 * last pass.
 */
export class RoundMonitor {
  #running: Promise<void> | undefined;
  #again = false;
  passes = 0;
  failedPasses = 0;
  last: PassResult | undefined;

  constructor(
    readonly monitor: Monitor,
    private readonly logger: Logger,
  ) {}

  onRound = (outcome: RoundOutcome): void => {
    this.monitor.observeRound(outcome);
    if (this.#running !== undefined) {
      this.#again = true;
      return;
    }
    this.#running = this.#passes().finally(() => (this.#running = undefined));
  };

  async #passes(): Promise<void> {
    do {
      this.#again = false;
      this.passes += 1;
      try {
        this.last = await this.monitor.runOnce();
        logPass(this.logger, this.passes, this.last);
      } catch (error) {
        this.failedPasses += 1;
        logFailedPass(this.logger, this.passes, error);
      }
    } while (this.#again);
  }

  /** Resolves once no pass is running. */
  async drain(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }
}

export interface MonitorLoopOptions {
  intervalMs: number;
  logger: Logger;
  signal: AbortSignal;
  /** Stop after this many passes (tests). */
  maxPasses?: number;
}

export interface MonitorLoopResult {
  passes: number;
  failedPasses: number;
  last?: PassResult;
}

/** `monitor:run`: a pass every `intervalMs` (start to start) until the signal aborts. */
export class MonitorLoop {
  constructor(
    readonly monitor: Monitor,
    private readonly options: MonitorLoopOptions,
  ) {}

  async run(): Promise<MonitorLoopResult> {
    const { logger, signal, maxPasses } = this.options;
    let passes = 0;
    let failedPasses = 0;
    let last: PassResult | undefined;
    logger.info({ event: "monitor-start", intervalMs: this.options.intervalMs }, "monitor started");
    while (!signal.aborted && (maxPasses === undefined || passes < maxPasses)) {
      const started = Date.now();
      passes += 1;
      try {
        last = await this.monitor.runOnce();
        logPass(logger, passes, last);
      } catch (error) {
        failedPasses += 1;
        logFailedPass(logger, passes, error);
      }
      if (signal.aborted || (maxPasses !== undefined && passes >= maxPasses)) break;
      await sleep(Math.max(0, this.options.intervalMs - (Date.now() - started)), signal);
    }
    logger.info({ event: "monitor-stop", passes, failedPasses }, "monitor stopped");
    return { passes, failedPasses, ...(last !== undefined ? { last } : {}) };
  }
}
