/**
 * Where alerts go. A sink either accepts an alert or throws; the monitor keeps what a sink did not accept in its
 * state file and offers it again on the next passes.
 */
import type { Logger } from "pino";

import { BackendError, redactUrl } from "../errors.js";
import type { Alert } from "./alerts.js";
import type { WebhookConfig } from "./config.js";

export interface AlertSink {
  /** Stable name, recorded with undelivered alerts in the state file. */
  readonly name: string;
  /** Resolves once the alert is accepted; throws (BackendError) when it was not. */
  deliver(alert: Alert): Promise<void>;
}

/** One JSON log line per alert (pino): `event: "alert"` at error level for critical, warn otherwise. */
export class LogSink implements AlertSink {
  readonly name = "log";
  constructor(private readonly logger: Logger) {}

  deliver(alert: Alert): Promise<void> {
    const line = { event: "alert", alert };
    if (alert.severity === "critical" && alert.status === "firing") this.logger.error(line, alert.summary);
    else this.logger.warn(line, alert.summary);
    return Promise.resolve();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * JSON POST of the alert to a URL. Each attempt has a timeout; a network error, a timeout, a 408, a 429 or a 5xx is
 * retried (`retries` times, delay doubling from `retryDelayMs`); any other non-2xx answer fails at once.
 */
export class WebhookSink implements AlertSink {
  readonly name = "webhook";
  /** POST attempts made (tests, diagnostics). */
  attempts = 0;

  constructor(
    private readonly config: WebhookConfig,
    private readonly logger?: Logger,
  ) {}

  async deliver(alert: Alert): Promise<void> {
    const body = JSON.stringify(alert);
    let lastError = "";
    for (let attempt = 0; attempt <= this.config.retries; attempt += 1) {
      if (attempt > 0) await sleep(this.config.retryDelayMs * 2 ** (attempt - 1));
      this.attempts += 1;
      let retriable = true;
      try {
        const res = await fetch(this.config.url, {
          method: "POST",
          headers: { "content-type": "application/json", ...this.config.headers },
          body,
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        lastError = `HTTP ${res.status}`;
        retriable = res.status === 408 || res.status === 429 || res.status >= 500;
      } catch (error) {
        lastError =
          error instanceof Error && error.name === "TimeoutError"
            ? `no answer within ${this.config.timeoutMs} ms`
            : error instanceof Error
              ? error.cause instanceof Error
                ? error.cause.message
                : error.message
              : String(error);
      }
      this.logger?.warn(
        {
          event: "alert-delivery-retry",
          sink: this.name,
          alertId: alert.id,
          attempt: attempt + 1,
          error: lastError,
        },
        "webhook delivery failed",
      );
      if (!retriable) break;
    }
    throw new BackendError(`webhook ${redactUrl(this.config.url)}: ${lastError}`, "WEBHOOK");
  }
}
