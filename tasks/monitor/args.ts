import type { MonitorOverrides } from "../../src/monitor/config.js";

/** Task flags that override the monitor's config; "" and negative sentinels keep the file's value or the default. */
export function monitorOverrides(args: {
  interval?: number;
  state?: string;
  webhook?: string;
  bitcoin?: string;
  btcNetwork?: string;
  maxLagBlocks?: number;
  stallSeconds?: number;
}): MonitorOverrides {
  const thresholds: MonitorOverrides["thresholds"] = {};
  if (args.maxLagBlocks !== undefined && args.maxLagBlocks >= 0) thresholds.maxLagBlocks = args.maxLagBlocks;
  if (args.stallSeconds !== undefined && args.stallSeconds >= 0) thresholds.stallSeconds = args.stallSeconds;
  return {
    ...(args.interval !== undefined && args.interval !== 0 ? { intervalSeconds: args.interval } : {}),
    ...(args.state ? { stateFile: args.state } : {}),
    ...(args.webhook ? { webhook: args.webhook } : {}),
    ...(args.bitcoin ? { bitcoin: args.bitcoin } : {}),
    ...(args.btcNetwork ? { btcNetwork: args.btcNetwork } : {}),
    ...(Object.keys(thresholds).length > 0 ? { thresholds } : {}),
  };
}
