import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

/** Alert monitor tasks. Logic lives in src/monitor; this only parses flags and prints. */
export const monitorTasks = [
  task(
    "monitor:run",
    "Alert on backing deficits, oracle lag and stalls, disputes and emergency burns (webhook + log), until stopped",
  )
    .addOption({
      name: "interval",
      type: ArgumentType.FLOAT,
      defaultValue: 0,
      description: "Seconds between passes (default: the config file's, else 30)",
    })
    .addFlag({
      name: "once",
      description: "Run one pass, print what it found and exit (3 if a condition fires)",
    })
    .addOption({
      name: "state",
      defaultValue: "",
      description: "State file (cursor, alerts sent; default .monitor/state-<chainId>.json)",
    })
    .addOption({ name: "webhook", defaultValue: "", description: "POST each alert as JSON to this URL" })
    .addOption({
      name: "monitorConfig",
      defaultValue: "",
      description: "JSON config file (thresholds, webhook, …)",
    })
    .addOption({
      name: "bitcoin",
      defaultValue: "",
      description: "Esplora API root(s) for the tip (default http://127.0.0.1:18443)",
    })
    .addOption({ name: "btcNetwork", defaultValue: "", description: "mainnet | testnet | signet | regtest" })
    .addOption({
      name: "maxLagBlocks",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "oracle-lag threshold in Bitcoin blocks (default 6)",
    })
    .addOption({
      name: "stallSeconds",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "oracle-stalled threshold: seconds without a round (default 300)",
    })
    .addOption({ name: "logLevel", defaultValue: "info", description: "debug | info | warn | error" })
    .addFlag({
      name: "json",
      description:
        "With --once: print one JSON document; log one JSON object per line (pino), not human lines",
    })
    .setAction(() => import("./run.action.js"))
    .build(),
];
