/**
 * Builds a monitor for a deployment: read-only contracts on a provider, the Bitcoin backend, the sinks the config
 * asks for (the log sink always; the webhook when configured) and the state file.
 */
import type { Provider } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import type { Logger } from "pino";

import type { Deployment } from "../deployments.js";
import { attachSystem, earliestStartBlock } from "../deployments.js";
import { bitcoinSourceFor } from "../oracle/bitcoin-source.js";
import { loadLiveDeployment } from "../oracle/context.js";
import type { BitcoinSource } from "../oracle/reports.js";
import type { MonitorConfig, MonitorOverrides } from "./config.js";
import { loadMonitorConfig } from "./config.js";
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
  const startBlock = earliestStartBlock(deployment);
  return Monitor.open({
    contracts: attachSystem(deployment, options.provider),
    chainId: deployment.chainId,
    config,
    logger,
    sinks: options.sinks ?? sinksFor(config, logger),
    bitcoin: options.bitcoin ?? bitcoinSourceFor(config.bitcoin, config.btcNetwork, { retries: 1 }),
    ...(startBlock !== undefined ? { startBlock } : {}),
    ...(options.clock !== undefined ? { clock: options.clock } : {}),
  });
}

/**
 * `monitor:run`: the deployment of the connected chain (its Ignition address book), the configuration (defaults ←
 * `configFile` ← `overrides`, validated) and the monitor with its state file.
 */
export async function monitorForConnection(
  connection: Pick<NetworkConnection, "ethers">,
  configFile: string | undefined,
  overrides: MonitorOverrides,
  logger: Logger,
  options: { deploymentsRoot?: string } = {},
): Promise<{ monitor: Monitor; config: MonitorConfig; deployment: Deployment }> {
  const provider = connection.ethers.provider;
  const { chainId } = await provider.getNetwork();
  const config = await loadMonitorConfig(configFile, overrides, chainId);
  const deployment = await loadLiveDeployment(provider, chainId, options.deploymentsRoot);
  const monitor = await openMonitor({ provider, deployment, config, logger });
  return { monitor, config, deployment };
}
