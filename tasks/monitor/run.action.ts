import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { pino } from "pino";

import type { PassResult } from "../../src/monitor/monitor.js";
import { runTask, table } from "../bitcoin/output.js";
import { reportFatal, stopOnSignals } from "../oracle/process.js";
import { monitorOverrides } from "./args.js";

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

function render(r: PassResult): string {
  const pad = (s: string, n: number) => s.padEnd(n);
  const lines = [
    table([
      ["chain / Oracle", `${r.chainId} / ${r.oracle}`],
      ["head", String(r.head)],
      ["blocks scanned", r.range === null ? "none new" : `${r.range.fromBlock}..${r.range.toBlock}`],
      ["undelivered alerts", String(r.pending)],
    ]),
    "",
    `${pad("condition", 16)}${pad("state", 9)}${pad("value", 44)}threshold`,
    ...r.conditions.map((c) => `${pad(c.kind, 16)}${pad(c.state, 9)}${pad(c.value, 44)}${c.threshold}`),
    "",
    r.events.length === 0 ? "no events in the scanned blocks" : "events:",
    ...r.events.map((e) => `  ${e.kind} block ${e.block}: ${e.summary}`),
    "",
    r.alerts.length === 0 ? "no new alerts" : "alerts raised:",
    ...r.alerts.map((a) => `  [${a.severity}] ${a.status} ${a.kind}: ${a.summary}`),
  ];
  return lines.join("\n");
}

/**
 * `--once`: one pass, printed (table or --json), logs on stderr; exit 3 when a condition is firing. Otherwise
 * long-running with JSON log lines on stdout: SIGINT/SIGTERM → the current pass finishes, exit 0; a second signal
 * exits at once (1).
 */
export default async function monitorRunAction(args: Args, hre: HardhatRuntimeEnvironment): Promise<void> {
  const overrides = monitorOverrides(args);
  if (args.once) {
    const logger = pino(
      { level: args.logLevel, base: { service: "reservebtc-monitor" } },
      pino.destination(2),
    );
    const result = await runTask(
      args.json,
      async () => {
        const { monitorForConnection } = await import("../../src/monitor/context.js");
        const connection = await hre.network.getOrCreate();
        const { monitor } = await monitorForConnection(connection, args.monitorConfig, overrides, logger);
        return monitor.runOnce();
      },
      render,
    );
    if (result !== undefined) process.exitCode = result.active.length > 0 ? 3 : 0;
    return;
  }

  const logger = pino({ level: args.logLevel, base: { service: "reservebtc-monitor" } });
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
