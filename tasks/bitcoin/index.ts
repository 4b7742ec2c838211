import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

const DEFAULT_URL = "http://127.0.0.1:18443";

/** Bitcoin layer tasks: the local devnet and address/proof tools. Logic lives in src/bitcoin. */
export const bitcoinTasks = [
  task("btc:devnet", "Run the local Bitcoin devnet (Esplora API on 127.0.0.1) until interrupted")
    .addOption({
      name: "port",
      type: ArgumentType.INT,
      defaultValue: 18443,
      description: "TCP port (0 = any free port)",
    })
    .addOption({
      name: "state",
      defaultValue: "",
      description: "JSON state file: resume from it and save every change",
    })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "Address network accepted by the devnet",
    })
    .addFlag({ name: "json", description: "Print the startup line as JSON" })
    .setAction(() => import("./devnet.action.js"))
    .build(),
  task("btc:fund", "Pay sats to an address on a running devnet (a coinbase-like tx into the mempool)")
    .addOption({ name: "address", defaultValue: "", description: "Address to fund" })
    .addOption({
      name: "sats",
      type: ArgumentType.BIGINT,
      defaultValue: 0n,
      description: "Amount in sats (per address with --file)",
    })
    .addOption({
      name: "file",
      defaultValue: "",
      description: "Fund every btcAddress of this bindings file (oracle:bind --file) instead of --address",
    })
    .addOption({ name: "url", defaultValue: DEFAULT_URL, description: "Devnet URL" })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./fund.action.js"))
    .build(),
  task("btc:spend", "Spend sats from an address on a running devnet (change back to the sender)")
    .addOption({ name: "from", defaultValue: "", description: "Sending address" })
    .addOption({ name: "to", defaultValue: "", description: "Receiving address" })
    .addOption({ name: "sats", type: ArgumentType.BIGINT, defaultValue: 0n, description: "Amount in sats" })
    .addOption({ name: "feeSats", type: ArgumentType.BIGINT, defaultValue: 0n, description: "Fee in sats" })
    .addOption({ name: "url", defaultValue: DEFAULT_URL, description: "Devnet URL" })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./spend.action.js"))
    .build(),
  task("btc:mine", "Mine blocks on a running devnet (the first one confirms the mempool)")
    .addOption({ name: "blocks", type: ArgumentType.INT, defaultValue: 1, description: "Number of blocks" })
    .addOption({ name: "url", defaultValue: DEFAULT_URL, description: "Devnet URL" })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./mine.action.js"))
    .build(),
  task(
    "btc:reorg",
    "Replace the last N blocks of a running devnet by N+1 empty blocks (their txs are dropped)",
  )
    .addOption({ name: "depth", type: ArgumentType.INT, defaultValue: 1, description: "Blocks to replace" })
    .addOption({ name: "url", defaultValue: DEFAULT_URL, description: "Devnet URL" })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./reorg.action.js"))
    .build(),
  task("btc:balance", "Confirmed balance of an address from an Esplora server (devnet or real)")
    .addOption({ name: "address", defaultValue: "", description: "Bitcoin address" })
    .addOption({
      name: "minConf",
      type: ArgumentType.INT,
      defaultValue: 1,
      description: "Minimum confirmations",
    })
    .addOption({ name: "url", defaultValue: DEFAULT_URL, description: "Esplora API root" })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "mainnet | testnet | signet | regtest",
    })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./balance.action.js"))
    .build(),
  task("btc:prove", "Sign a ReserveBTC binding message with a devnet wallet key (real BIP-322 / BIP-137)")
    .addOption({ name: "user", defaultValue: "", description: "Devnet wallet name (e.g. alice)" })
    .addOption({ name: "type", defaultValue: "p2wpkh", description: "p2wpkh | p2tr | p2sh-p2wpkh | p2pkh" })
    .addOption({ name: "index", type: ArgumentType.INT, defaultValue: 0, description: "Address index" })
    .addOption({
      name: "chainId",
      type: ArgumentType.BIGINT,
      defaultValue: 31337n,
      description: "EVM chain id",
    })
    .addOption({ name: "oracle", defaultValue: "", description: "Oracle contract address" })
    .addOption({ name: "evmUser", defaultValue: "", description: "EVM account to bind to" })
    .addOption({ name: "nonce", type: ArgumentType.BIGINT, defaultValue: 0n, description: "Binding nonce" })
    .addOption({
      name: "kind",
      defaultValue: "",
      description: "bip322-simple | bip322-full | bip137 (default by type)",
    })
    .addOption({ name: "btcNetwork", defaultValue: "regtest", description: "Network of the derived address" })
    .addOption({
      name: "count",
      type: ArgumentType.INT,
      defaultValue: 0,
      description: "Write proofs for N simulated users (addresses 0..N-1 of --user, nonce 0) to --out",
    })
    .addOption({
      name: "out",
      defaultValue: "",
      description: "With --count: the bindings file to write (read by oracle:bind --file)",
    })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./prove.action.js"))
    .build(),
  task("btc:verify", "Verify a BIP-322 (simple/full) or BIP-137 ownership proof")
    .addOption({ name: "address", defaultValue: "", description: "Bitcoin address" })
    .addOption({
      name: "message",
      defaultValue: "",
      description: "Signed message (\\n is read as a newline)",
    })
    .addOption({
      name: "messageFile",
      defaultValue: "",
      description: "Read the message from this file instead",
    })
    .addOption({ name: "signature", defaultValue: "", description: "Base64 signature" })
    .addOption({
      name: "btcNetwork",
      defaultValue: "regtest",
      description: "mainnet | testnet | signet | regtest",
    })
    .addFlag({ name: "json", description: "Print JSON" })
    .setAction(() => import("./verify.action.js"))
    .build(),
];
