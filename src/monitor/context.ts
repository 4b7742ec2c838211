/**
 * Builds a monitor for a deployment: read-only contracts on a provider, the Bitcoin backend, the sinks the config
 * asks for (the log sink always; the webhook when configured) and the state file.
 */
import type { Provider } from "ethers";
import type { Logger } from "pino";

import type { Deployment } from "../deployments.js";
import { attachSystem } from "../deployments.js";
import { bitcoinSourceFor } from "../oracle/bitcoin-source.js";
import type { BitcoinSource } from "../oracle/reports.js";
import type { MonitorConfig } from "./config.js";
import { Monitor } from "./monitor.js";
import type { AlertSink } from "./sinks.js";
import { LogSink, WebhookSink } from "./sinks.js";

/** The sinks of a config: log (pino) always, then the webhook when one is configured. */
export function sinksFor(config: MonitorConfig, logger: Logger): AlertSink[] {
  const sinks: AlertSink[] = [new LogSink(logger)];
  if (config.webhook !== undefined) sinks.push(new WebhookSink(config.webhook, logger));
  return sinks;
}

export interface OpenMonitorOptions {
  provider: Provider;
  deployment: Deployment;
  config: MonitorConfig;
  logger: Logger;
  /** Default: the config's Esplora URL(s). */
  bitcoin?: Pick<BitcoinSource, "tip">;
  /** Default: sinksFor(config, logger). */
  sinks?: readonly AlertSink[];
  clock?: () => number;
}

export function openMonitor(options: OpenMonitorOptions): Promise<Monitor> {
  const { deployment, config, logger } = options;
  const starts = deployment.startBlocks === undefined ? [] : Object.values(deployment.startBlocks);
  return Monitor.open({
    contracts: attachSystem(deployment, options.provider),
    chainId: deployment.chainId,
    config,
    logger,
    sinks: options.sinks ?? sinksFor(config, logger),
    bitcoin: options.bitcoin ?? bitcoinSourceFor(config.bitcoin, config.btcNetwork, { retries: 1 }),
    ...(starts.length > 0 ? { startBlock: Math.min(...starts) } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
}
