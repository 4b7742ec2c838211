import type { Logger } from "pino";

import { reportTaskError } from "../../src/errors.js";

/**
 * For long-running tasks: SIGINT/SIGTERM aborts the returned signal (the current round or pass finishes, then the
 * loop returns); a second signal exits at once (1). `dispose` removes the handlers.
 */
export function stopOnSignals(logger: Logger, stopping: string): { signal: AbortSignal; dispose(): void } {
  const stop = new AbortController();
  const onSignal = (signal: string) => {
    if (stop.signal.aborted) {
      logger.warn({ event: "signal", signal }, "second signal: exiting now");
      process.exit(1);
    }
    logger.info({ event: "signal", signal }, stopping);
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    signal: stop.signal,
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}

/** A long-running task that could not start: one fatal log line, `error: <message>` on stderr, the exit code. */
export function reportFatal(logger: Logger, error: unknown, what: string): void {
  const message = reportTaskError(error);
  logger.fatal({ event: "fatal", error: message }, what);
}
