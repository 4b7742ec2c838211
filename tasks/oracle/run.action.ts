import type { Server } from "node:http";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskLogger } from "../../src/logging.js";
import type { RoundMonitor } from "../../src/monitor/service.js";
import { buildContracts } from "../build-contracts.js";
import { reportFatal, stopOnSignals } from "../shared/process.js";

interface Args {
  interval: number;
  bitcoin: string;
  btcNetwork: string;
  batchSize: number;
  concurrency: number;
  metricsPort: number;
  maxRounds: number;
  logLevel: string;
  monitor: boolean;
  alertsWebhook: string;
  alertsConfig: string;
  alertsState: string;
  operators: string;
  operatorTimeout: number;
  json: boolean;
}

/**
 * Long-running: log lines on stdout — one pino JSON object per line with --json, human-readable lines otherwise. SIGINT/SIGTERM → the current round finishes, then exit 0; a second
 * signal exits at once (1). With --monitor (or an --alerts-* option) the alert monitor runs a pass after every round,
 * fed with the round's outcome and the committee's reachability.
 */
export default async function runAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const logger = taskLogger({ json: args.json, level: args.logLevel, service: "reservebtc-oracle" });
  const stop = stopOnSignals(logger, "stopping after the current round");
  let metricsServer: Server | undefined;
  try {
    if (!(args.interval > 0)) {
      const { UserInputError } = await import("../../src/errors.js");
      throw new UserInputError(`--interval must be a positive number of seconds, got ${args.interval}`);
    }
    await buildContracts(hre);
    const { loadOracleContext, resolveRemoteOperators } = await import("../../src/oracle/context.js");
    const { parseBtcNetwork } = await import("../../src/oracle/commands.js");
    const { bitcoinSourceFor } = await import("../../src/oracle/bitcoin-source.js");
    const { OracleMetrics, runOracleService, serveMetrics } = await import("../../src/oracle/service.js");
    const bitcoin = bitcoinSourceFor(args.bitcoin, parseBtcNetwork(args.btcNetwork));
    const connection = await hre.network.getOrCreate();
    const operators = await resolveRemoteOperators(hre.hooks, args.operators);
    const metrics = new OracleMetrics();
    const ctx = await loadOracleContext(connection, {
      hooks: hre.hooks,
      ...(operators === undefined
        ? {}
        : {
            operators,
            signTimeoutMs: args.operatorTimeout * 1000,
            // Every refusal of every node is logged and counted (the aggregator drops what too few agreed to).
            remote: {
              onRefusal: (refusal) => {
                metrics.operatorRefusals.inc({ operator: refusal.operator, reason: refusal.reason });
                logger.warn(
                  { event: "operator-refused", ...refusal },
                  `operator ${refusal.operator} refused ${refusal.kind}: ${refusal.field} (${refusal.reason})`,
                );
              },
            },
          }),
    });
    if (args.metricsPort >= 0) {
      const served = await serveMetrics(metrics, args.metricsPort);
      metricsServer = served.server;
      logger.info({ event: "metrics", url: `http://127.0.0.1:${served.port}/metrics` }, "metrics listening");
    }
    let roundMonitor: RoundMonitor | undefined;
    if (args.monitor || args.alertsWebhook !== "" || args.alertsConfig !== "" || args.alertsState !== "") {
      const { loadMonitorConfig } = await import("../../src/monitor/config.js");
      const { openMonitor } = await import("../../src/monitor/context.js");
      const { RoundMonitor } = await import("../../src/monitor/service.js");
      const config = await loadMonitorConfig(
        args.alertsConfig,
        {
          intervalSeconds: args.interval,
          bitcoin: args.bitcoin,
          btcNetwork: args.btcNetwork,
          ...(args.alertsState !== "" ? { stateFile: args.alertsState } : {}),
          ...(args.alertsWebhook !== "" ? { webhook: args.alertsWebhook } : {}),
        },
        ctx.chainId,
        true,
      );
      const monitorLogger = logger.child({ component: "monitor" });
      const monitor = await openMonitor({
        provider: connection.ethers.provider,
        deployment: ctx.deployment,
        config,
        logger: monitorLogger,
        bitcoin,
      });
      roundMonitor = new RoundMonitor(monitor, monitorLogger);
      logger.info(
        { event: "monitor", stateFile: config.stateFile, webhook: config.webhook !== undefined },
        "alerts on",
      );
    }
    await runOracleService(ctx, bitcoin, {
      intervalMs: args.interval * 1000,
      logger,
      metrics,
      signal: stop.signal,
      round: {
        ...(args.batchSize > 0 ? { batchSize: args.batchSize } : {}),
        bitcoinConcurrency: args.concurrency,
      },
      ...(args.maxRounds > 0 ? { maxRounds: args.maxRounds } : {}),
      ...(roundMonitor !== undefined ? { onRound: roundMonitor.onRound } : {}),
    });
    await roundMonitor?.drain();
  } catch (error) {
    reportFatal(logger, error, "oracle runner cannot start");
  } finally {
    stop.dispose();
    metricsServer?.close();
  }
}
