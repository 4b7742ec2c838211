import type { Server } from "node:http";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pino } from "pino";

import { exitCodeFor } from "../../src/errors.js";

interface Args {
  interval: number;
  bitcoin: string;
  btcNetwork: string;
  batchSize: number;
  concurrency: number;
  metricsPort: number;
  maxRounds: number;
  logLevel: string;
}

/**
 * Long-running: JSON log lines on stdout (pino). SIGINT/SIGTERM → the current round finishes, then exit 0; a second
 * signal exits at once (1).
 */
export default async function runAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const logger = pino({ level: args.logLevel, base: { service: "reservebtc-oracle" } });
  const stop = new AbortController();
  const onSignal = (signal: string) => {
    if (stop.signal.aborted) {
      logger.warn({ event: "signal", signal }, "second signal: exiting now");
      process.exit(1);
    }
    logger.info({ event: "signal", signal }, "stopping after the current round");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let metricsServer: Server | undefined;
  try {
    if (!(args.interval > 0)) {
      const { UserInputError } = await import("../../src/errors.js");
      throw new UserInputError(`--interval must be a positive number of seconds, got ${args.interval}`);
    }
    await hre.tasks.getTask("build").run({ quiet: true });
    const { loadOracleContext } = await import("../../src/oracle/context.js");
    const { parseBtcNetwork } = await import("../../src/oracle/commands.js");
    const { bitcoinSourceFor } = await import("../../src/oracle/bitcoin-source.js");
    const { OracleMetrics, runOracleService, serveMetrics } = await import("../../src/oracle/service.js");
    const bitcoin = bitcoinSourceFor(args.bitcoin, parseBtcNetwork(args.btcNetwork));
    const connection = await hre.network.getOrCreate();
    const ctx = await loadOracleContext(connection, { hooks: hre.hooks });
    const metrics = new OracleMetrics();
    if (args.metricsPort >= 0) {
      const served = await serveMetrics(metrics, args.metricsPort);
      metricsServer = served.server;
      logger.info({ event: "metrics", url: `http://127.0.0.1:${served.port}/metrics` }, "metrics listening");
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
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logger.fatal({ event: "fatal", error: message.split("\n")[0] }, "oracle runner cannot start");
    console.error(`error: ${message.split("\n")[0]}`);
    process.exitCode = exitCodeFor(error);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    metricsServer?.close();
  }
}
