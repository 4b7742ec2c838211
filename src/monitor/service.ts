/**
 * The monitor as a long-running loop (`monitor:run`, or beside the runner in `oracle:run --monitor`): a pass every
 * interval (start to start), or at once when woken (after each runner round). A failing pass (RPC down) is logged and
 * the loop goes on; an abort lets the current pass finish, then the loop returns.
 */
import type { Logger } from "pino";

import type { Monitor, PassResult } from "./monitor.js";

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

export class MonitorLoop {
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(
    readonly monitor: Monitor,
    private readonly options: MonitorLoopOptions,
  ) {}

  /** Starts the next pass now (or right after the current one). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  #sleep(ms: number): Promise<void> {
    const { signal } = this.options;
    return new Promise((resolve) => {
      if (signal.aborted || this.#woken) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      signal.addEventListener("abort", done, { once: true });
    });
  }

  async run(): Promise<MonitorLoopResult> {
    const { logger, signal, maxPasses } = this.options;
    let passes = 0;
    let failedPasses = 0;
    let last: PassResult | undefined;
    logger.info({ event: "monitor-start", intervalMs: this.options.intervalMs }, "monitor started");
    while (!signal.aborted && (maxPasses === undefined || passes < maxPasses)) {
      const started = Date.now();
      this.#woken = false;
      passes += 1;
      try {
        last = await this.monitor.runOnce();
        logger.info(
          {
            event: "monitor-pass",
            pass: passes,
            head: last.head,
            range: last.range,
            alerts: last.alerts.map((a) => a.id),
            active: last.active,
            pending: last.pending,
          },
          "monitor pass complete",
        );
      } catch (error) {
        failedPasses += 1;
        const message = error instanceof Error ? error.message : String(error);
        logger.error(
          { event: "monitor-pass-failed", pass: passes, error: message.split("\n")[0] },
          "monitor pass failed; retried on the next pass",
        );
      }
      if (signal.aborted || (maxPasses !== undefined && passes >= maxPasses)) break;
      await this.#sleep(Math.max(0, this.options.intervalMs - (Date.now() - started)));
    }
    logger.info({ event: "monitor-stop", passes, failedPasses }, "monitor stopped");
    return { passes, failedPasses, ...(last !== undefined ? { last } : {}) };
  }
}
