import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { taskLogger } from "../../src/logging.js";
import { runTask } from "../shared/output.js";
import { reportFatal, stopOnSignals } from "../shared/process.js";
import { monitorOverrides } from "./args.js";
import { renderPass } from "./render.js";

interface Args {
  interval: number;
  once: boolean;
  state: string;
  webhook: string;
  monitorConfig: string;
  bitcoin: string;
  btcNetwork: string;
  maxLagBlocks: number;
  stallSeconds: number;
  logLevel: string;
  json: boolean;
}

/**
 * `--once`: one pass, printed (table or --json), logs on stderr; exit 3 when a condition is firing. Otherwise
 * long-running with log lines on stdout: SIGINT/SIGTERM → the current pass finishes, exit 0; a second signal exits at
 * once (1). Log lines are pino JSON objects with --json, human-readable otherwise.
 */
export default async function monitorRunAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const overrides = monitorOverrides(args);
  if (args.once) {
    const logger = taskLogger({
      json: args.json,
      level: args.logLevel,
      service: "reservebtc-monitor",
      fd: 2,
    });
    const result = await runTask(
      args.json,
      async () => {
        const { monitorForConnection } = await import("../../src/monitor/context.js");
        const connection = await hre.network.getOrCreate();
        const { monitor } = await monitorForConnection(connection, args.monitorConfig, overrides, logger);
        return monitor.runOnce();
      },
      renderPass,
    );
    if (result !== undefined) process.exitCode = result.active.length > 0 ? 3 : 0;
    return;
  }

  const logger = taskLogger({ json: args.json, level: args.logLevel, service: "reservebtc-monitor" });
  const stop = stopOnSignals(logger, "stopping after the current pass");
  try {
    const { monitorForConnection } = await import("../../src/monitor/context.js");
    const { MonitorLoop } = await import("../../src/monitor/service.js");
    const connection = await hre.network.getOrCreate();
    const { monitor, config } = await monitorForConnection(connection, args.monitorConfig, overrides, logger);
    await new MonitorLoop(monitor, {
      intervalMs: config.intervalSeconds * 1000,
      logger,
      signal: stop.signal,
    }).run();
  } catch (error) {
    reportFatal(logger, error, "monitor cannot start");
  } finally {
    stop.dispose();
  }
}
