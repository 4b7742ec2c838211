import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

const DEFAULT_BITCOIN = "http://127.0.0.1:18443";

/** Oracle runner tasks. Logic lives in src/oracle; these only parse flags and print. */
export const oracleTasks = [
  task(
    "oracle:bind",
    "Bind a BTC address to an EVM user with an ownership proof signed over the binding message",
  )
    .addOption({ name: "user", defaultValue: "", description: "EVM address the BTC address is bound to" })
    .addOption({ name: "btcAddress", defaultValue: "", description: "Bitcoin address" })
    .addOption({
      name: "signature",
      defaultValue: "",
      description: "Base64 BIP-322 (simple/full) or BIP-137 signature over the binding message",
    })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "mainnet | testnet | signet | regtest",
    })
    .addFlag({ name: "printMessage", description: "Print the message to sign and exit (sends nothing)" })
    .addOption({
      name: "file",
      defaultValue: "",
      description:
        'Bind every entry of this JSON file [{"user","btcAddress","signature"}] (all checked before any is sent)',
    })
    .addOption({
      name: "devnetWallet",
      defaultValue: "",
      description: "Sign with this devnet HD wallet (chain 31337 + regtest only; public test keys)",
    })
    .addOption({
      name: "addressType",
      defaultValue: "p2wpkh",
      description: "Devnet wallet address type: p2wpkh | p2tr | p2sh-p2wpkh | p2pkh",
    })
    .addOption({
      name: "addressIndex",
      type: ArgumentType.INT,
      defaultValue: 0,
      description: "Devnet wallet address index",
    })
    .addOption({
      name: "operators",
      defaultValue: "",
      description:
        "Operator node URLs, comma-separated (or ORACLE_OPERATORS): aggregate their signatures, hold no operator key",
    })
    .addOption({
      name: "operatorTimeout",
      type: ArgumentType.FLOAT,
      defaultValue: 30,
      description: "Seconds each operator node may take to answer (with --operators)",
    })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./bind.action.js"))
    .build(),
  task("oracle:sync", "One sync round: read bindings and Bitcoin balances, sign with the committee, submit")
    .addOption({
      name: "bitcoin",
      defaultValue: DEFAULT_BITCOIN,
      description: "Esplora API root; several comma-separated must all agree",
    })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "mainnet | testnet | signet | regtest",
    })
    .addFlag({ name: "dryRun", description: "Print the reports without signing or sending" })
    .addOption({
      name: "batchSize",
      type: ArgumentType.INT,
      defaultValue: 0,
      description: "Most reports per transaction (0: as many as the gas budget holds)",
    })
    .addOption({
      name: "concurrency",
      type: ArgumentType.INT,
      defaultValue: 16,
      description: "Bitcoin lookups in flight",
    })
    .addOption({
      name: "operators",
      defaultValue: "",
      description:
        "Operator node URLs, comma-separated (or ORACLE_OPERATORS): aggregate their signatures, hold no operator key",
    })
    .addOption({
      name: "operatorTimeout",
      type: ArgumentType.FLOAT,
      defaultValue: 30,
      description: "Seconds each operator node may take to answer (with --operators)",
    })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./sync.action.js"))
    .build(),
  task(
    "oracle:run",
    "Run sync rounds every --interval seconds until SIGINT/SIGTERM (logs, Prometheus metrics)",
  )
    .addOption({
      name: "interval",
      type: ArgumentType.FLOAT,
      defaultValue: 30,
      description: "Seconds between rounds",
    })
    .addOption({
      name: "bitcoin",
      defaultValue: DEFAULT_BITCOIN,
      description: "Esplora API root; several comma-separated must all agree",
    })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "mainnet | testnet | signet | regtest",
    })
    .addOption({
      name: "batchSize",
      type: ArgumentType.INT,
      defaultValue: 0,
      description: "Most reports per transaction (0: as many as the gas budget holds)",
    })
    .addOption({
      name: "concurrency",
      type: ArgumentType.INT,
      defaultValue: 16,
      description: "Bitcoin lookups in flight",
    })
    .addOption({
      name: "metricsPort",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "Serve Prometheus metrics on 127.0.0.1:PORT/metrics (0 = any free port; off by default)",
    })
    .addOption({
      name: "maxRounds",
      type: ArgumentType.INT,
      defaultValue: 0,
      description: "Stop after this many rounds (0 = until stopped)",
    })
    .addOption({ name: "logLevel", defaultValue: "info", description: "debug | info | warn | error" })
    .addOption({
      name: "operators",
      defaultValue: "",
      description:
        "Operator node URLs, comma-separated (or ORACLE_OPERATORS): aggregate their signatures, hold no operator key",
    })
    .addOption({
      name: "operatorTimeout",
      type: ArgumentType.FLOAT,
      defaultValue: 30,
      description: "Seconds each operator node may take to answer (with --operators)",
    })
    .addFlag({ name: "monitor", description: "Run the alert monitor after every round (see monitor:run)" })
    .addOption({
      name: "alertsWebhook",
      defaultValue: "",
      description: "Alert monitor: POST alerts to this URL (implies --monitor)",
    })
    .addOption({
      name: "alertsConfig",
      defaultValue: "",
      description: "Alert monitor: JSON config file (implies --monitor)",
    })
    .addOption({
      name: "alertsState",
      defaultValue: "",
      description: "Alert monitor: state file (default .monitor/runner-state-<chainId>.json)",
    })
    .addFlag({
      name: "json",
      description: "Log one JSON object per line (pino) instead of human-readable lines",
    })
    .setAction(() => import("./run.action.js"))
    .build(),

  task(
    "oracle:operator",
    "Run one operator node: one key, its own RPC and Bitcoin backends, an HTTP signing API with slashing protection",
  )
    .addOption({
      name: "port",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "Port of the signing API (0 = any free port; required)",
    })
    .addOption({
      name: "host",
      defaultValue: "127.0.0.1",
      description: "Interface to listen on (TLS: a reverse proxy)",
    })
    .addOption({
      name: "bitcoin",
      defaultValue: DEFAULT_BITCOIN,
      description: "This node's own Esplora API root(s); several comma-separated must agree",
    })
    .addOption({
      name: "bitcoinQuorum",
      type: ArgumentType.INT,
      defaultValue: 0,
      description: "Backends that must agree (0 = all of them)",
    })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "mainnet | testnet | signet | regtest",
    })
    .addOption({
      name: "concurrency",
      type: ArgumentType.INT,
      defaultValue: 16,
      description: "Bitcoin lookups in flight",
    })
    .addOption({
      name: "dataDir",
      defaultValue: "",
      description: "Folder of the slashing-protection record (default .operator/chain-<id>/<signer>)",
    })
    .addOption({
      name: "keyVariable",
      defaultValue: "ORACLE_OPERATOR_KEY",
      description: "Configuration variable (env or keystore) holding this node's one operator key",
    })
    .addOption({
      name: "devAccount",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "Use Hardhat account N as the key (chain 31337 only; public keys)",
    })
    .addOption({
      name: "tokensVariable",
      defaultValue: "OPERATOR_API_TOKENS",
      description:
        "Configuration variable with the aggregators' bearer tokens (name:token,…); unset = no auth",
    })
    .addOption({
      name: "allowRevocation",
      defaultValue: "",
      description: "Revocations this node signs: <user>:<btcAddress>, comma-separated",
    })
    .addOption({
      name: "revocationsFile",
      defaultValue: "",
      description: 'JSON list [{"user","btcAddress"}] of revocations to sign, re-read at each request',
    })
    .addOption({
      name: "rateLimit",
      type: ArgumentType.INT,
      defaultValue: 1200,
      description: "Requests per minute per aggregator (token name, else IP); 0 = off",
    })
    .addFlag({
      name: "noPrefetch",
      description: "Do not scan every bound address when a new Bitcoin tip is seen",
    })
    .addFlag({
      name: "noCompile",
      description:
        "Do not check the build at start (production: `npx hardhat build` once; saves ~180 MB of RSS)",
    })
    .addOption({ name: "logLevel", defaultValue: "info", description: "debug | info | warn | error" })
    .addFlag({
      name: "json",
      description: "Log one JSON object per line (pino) instead of human-readable lines",
    })
    .setAction(() => import("./operator.action.js"))
    .build(),
  task(
    "oracle:protection",
    "Export or import an operator node's slashing-protection record (JSON interchange)",
  )
    .addOption({
      name: "export",
      defaultValue: "",
      description: "Write the record as JSON to this file (- = stdout)",
    })
    .addOption({
      name: "import",
      defaultValue: "",
      description: "Merge this JSON interchange file into the record",
    })
    .addOption({
      name: "db",
      defaultValue: "",
      description: "The record file (default .operator/chain-<id>/<signer>/protection.sqlite)",
    })
    .addOption({
      name: "signer",
      defaultValue: "",
      description: "Operator address whose default record to export (import: taken from the file)",
    })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./protection.action.js"))
    .build(),

  task("oracle:deposit-fee", "Prepay oracle fees for a user into FeeVault (from the network's first account)")
    .addOption({ name: "user", defaultValue: "", description: "EVM user whose fees are prepaid" })
    .addOption({ name: "eth", defaultValue: "0.05", description: "Amount in ETH (per user with --file)" })
    .addOption({
      name: "file",
      defaultValue: "",
      description: "Prepay for every user of this bindings file (oracle:bind --file) instead of --user",
    })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./deposit-fee.action.js"))
    .build(),
  task(
    "oracle:status",
    "One user's bound addresses, attested sats, rBTC, deferred/queued mints and fee balance",
  )
    .addOption({ name: "user", defaultValue: "", description: "EVM user" })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./status.action.js"))
    .build(),
];
