import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

type Builder = ReturnType<typeof task>;

/** --data-dir and --database-url: where the postgres store is. */
function withStoreFlags<T extends Builder>(builder: T) {
  return builder
    .addOption({
      name: "dataDir",
      defaultValue: "",
      description: "PGlite data folder of the store (default cache/realtime-store/chain-<id>)",
    })
    .addOption({
      name: "databaseUrl",
      defaultValue: "",
      description: "postgres://… of a Postgres server holding the store (default: $RESERVEBTC_DATABASE_URL)",
    });
}

/** --source, --subgraph-url, the store flags and --json, shared by every realtime task. */
function withSourceFlags<T extends Builder>(builder: T) {
  return builder
    .addOption({
      name: "source",
      defaultValue: "",
      description: "rpc | subgraph | postgres (default: rpc on hardhat/localhost/fork, subgraph elsewhere)",
    })
    .addOption({
      name: "subgraphUrl",
      defaultValue: "",
      description: "GraphQL endpoint of the subgraph (default: $RESERVEBTC_SUBGRAPH_URL)",
    })
    .addOption({
      name: "dataDir",
      defaultValue: "",
      description: "postgres source: PGlite data folder (default cache/realtime-store/chain-<id>)",
    })
    .addOption({
      name: "databaseUrl",
      defaultValue: "",
      description: "postgres source: postgres://… of a server (default: $RESERVEBTC_DATABASE_URL)",
    })
    .addFlag({ name: "json", description: "Print one JSON document" });
}

/** The realtime query layer: eight queries and the HTTP/SSE server. Logic lives in src/query. */
export const realtimeTasks = [
  withSourceFlags(
    task(
      "realtime:balances",
      "rBTC free/escrow, wrBTC, attested sats, fees and last sync of one user",
    ).addOption({ name: "user", defaultValue: "", description: "EVM address of the user" }),
  )
    .setAction(() => import("./balances.action.js"))
    .build(),
  withSourceFlags(
    task("realtime:sync-status", "Committee, threshold, last round, lag in blocks/seconds, paused"),
  )
    .setAction(() => import("./sync-status.action.js"))
    .build(),
  withSourceFlags(
    task("realtime:transactions", "Latest mint/burn/wrap/redeem/slash/fee events of one user, newest first")
      .addOption({ name: "user", defaultValue: "", description: "EVM address of the user" })
      .addOption({
        name: "limit",
        type: ArgumentType.INT,
        defaultValue: 10,
        description: "Newest N events (1..1000)",
      }),
  )
    .setAction(() => import("./transactions.action.js"))
    .build(),
  withSourceFlags(
    task("realtime:bitcoin-addresses", "Bound BTC addresses with their owner's attested sats").addOption({
      name: "user",
      defaultValue: "",
      description: "Only this EVM user (optional)",
    }),
  )
    .setAction(() => import("./bitcoin-addresses.action.js"))
    .build(),
  withSourceFlags(task("realtime:emergency-burns", "Emergency burns with their reason"))
    .setAction(() => import("./emergency-burns.action.js"))
    .build(),
  withSourceFlags(
    task("realtime:yield-status", "Yield rate, scales, participants, a user's accrued yield").addOption({
      name: "user",
      defaultValue: "",
      description: "Only this EVM user (optional)",
    }),
  )
    .setAction(() => import("./yield-status.action.js"))
    .build(),
  withSourceFlags(
    task("realtime:disputes", "Disputes with their state, newest first")
      .addOption({
        name: "status",
        defaultValue: "",
        description: "open | upheld | rejected | expired | all",
      })
      .addOption({ name: "user", defaultValue: "", description: "Only disputes of this EVM user (optional)" })
      .addOption({
        name: "limit",
        type: ArgumentType.INT,
        defaultValue: 100,
        description: "Newest N disputes (1..1000)",
      }),
  )
    .setAction(() => import("./disputes.action.js"))
    .build(),
  withSourceFlags(
    task("realtime:proof-of-reserves", "Attested BTC vs rBTC/wrBTC supply, uncovered deficit, backing ratio"),
  )
    .setAction(() => import("./proof-of-reserves.action.js"))
    .build(),
  withStoreFlags(task("realtime:migrate", "Create or upgrade the store's tables (versioned migrations)"))
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./migrate.action.js"))
    .build(),
  withStoreFlags(
    task(
      "realtime:index",
      "Index the chain into the store with the subgraph's mappings: backfill, then follow the head (reorg-safe)",
    ),
  )
    .addOption({
      name: "confirmations",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "Blocks to stay behind the head (default 0 on local networks, 12 elsewhere)",
    })
    .addOption({
      name: "pageBlocks",
      type: ArgumentType.INT,
      defaultValue: 2000,
      description: "Blocks per eth_getLogs page",
    })
    .addOption({
      name: "reorgWindow",
      type: ArgumentType.INT,
      defaultValue: 256,
      description: "Blocks below the head whose changes can be rolled back",
    })
    .addFlag({ name: "once", description: "Stop once the store is at the head (else follow it)" })
    .addFlag({
      name: "reset",
      description: "Empty the store first (rebuild from the deployment's start block)",
    })
    .addFlag({ name: "json", description: "Print the result as JSON" })
    .setAction(() => import("./index.action.js"))
    .build(),
  withStoreFlags(
    task(
      "realtime:serve",
      "Serve the operator dashboard at /, the eight queries at GET /api/realtime/<name>, an SSE stream and /healthz",
    ),
  )
    .addOption({
      name: "port",
      type: ArgumentType.INT,
      defaultValue: 8787,
      description: "TCP port (0 = any free)",
    })
    .addOption({ name: "host", defaultValue: "127.0.0.1", description: "Interface to listen on" })
    .addOption({
      name: "source",
      defaultValue: "",
      description: "rpc | subgraph | postgres (default: rpc on local networks)",
    })
    .addOption({
      name: "subgraphUrl",
      defaultValue: "",
      description: "Subgraph endpoint (default: $RESERVEBTC_SUBGRAPH_URL)",
    })
    .addOption({
      name: "maxInFlight",
      type: ArgumentType.INT,
      defaultValue: 512,
      description: "Requests at once before 503",
    })
    .addOption({ name: "corsOrigin", defaultValue: "*", description: "Allowed CORS origin" })
    .addOption({
      name: "bitcoin",
      defaultValue: "http://127.0.0.1:18443",
      description:
        "Esplora API root(s) the dashboard probes and audits reserves against, comma-separated ('' for none)",
    })
    .addOption({
      name: "rateLimit",
      type: ArgumentType.INT,
      defaultValue: 600,
      description: "Requests per client per --rate-window before 429 (0 = off)",
    })
    .addOption({
      name: "rateWindow",
      type: ArgumentType.INT,
      defaultValue: 60,
      description: "Rate-limit window in seconds",
    })
    .addOption({
      name: "maxConnections",
      type: ArgumentType.INT,
      defaultValue: 1024,
      description: "Open connections at once (SSE included)",
    })
    .addFlag({
      name: "externalWriter",
      description: "postgres source: the store is written by Goldsky Mirror; do not run the local indexer",
    })
    .addOption({
      name: "confirmations",
      type: ArgumentType.INT,
      defaultValue: -1,
      description:
        "postgres source: blocks the indexer stays behind the head (default 0 locally, 12 elsewhere)",
    })
    .addOption({
      name: "alertsConfig",
      defaultValue: "",
      description: "Monitor config JSON whose thresholds colour the dashboard's lights (see monitor:run)",
    })
    .addOption({
      name: "monitorState",
      defaultValue: "",
      description:
        "Monitor state file(s), comma-separated, for round-failed/operators-low (default the monitors' default files)",
    })
    .addOption({
      name: "auditInterval",
      type: ArgumentType.INT,
      defaultValue: 30,
      description: "Seconds between Bitcoin-side reserve audits when no Bitcoin block arrives (0 = no audit)",
    })
    .addFlag({ name: "json", description: "Print the startup line as JSON" })
    .setAction(() => import("./serve.action.js"))
    .build(),
];
