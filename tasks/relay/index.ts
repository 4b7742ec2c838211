import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

const DEFAULT_BITCOIN = "http://127.0.0.1:18443";

/** Bitcoin light relay tasks. Logic lives in src/relay; these only parse flags and print. */
export const relayTasks = [
  task(
    "relay:sync",
    "Keep the LightRelay current from an Esplora backend: prove due retargets, check the tip",
  )
    .addOption({ name: "bitcoin", defaultValue: DEFAULT_BITCOIN, description: "Esplora API root" })
    .addOption({
      name: "relay",
      defaultValue: "",
      description: "LightRelay address (default: the LightRelay of this chain's Ignition deployment)",
    })
    .addFlag({ name: "dryRun", description: "Plan only: send no transaction" })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./sync.action.js"))
    .build(),
  task("relay:genesis", "Write the LightRelay module's Ignition parameters with a real genesis header")
    .addOption({ name: "bitcoin", defaultValue: DEFAULT_BITCOIN, description: "Esplora API root" })
    .addOption({ name: "btcNetwork", defaultValue: "regtest", description: "mainnet | testnet4 | regtest" })
    .addOption({
      name: "height",
      type: ArgumentType.INT,
      defaultValue: -1,
      description: "Genesis height (default: the tip's epoch start; 0 on regtest)",
    })
    .addOption({ name: "out", defaultValue: "", description: "Write the parameters file here" })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./genesis.action.js"))
    .build(),
];
