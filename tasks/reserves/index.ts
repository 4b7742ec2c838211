import { task } from "hardhat/config";

import { DEFAULT_BITCOIN_URL } from "../../src/reserves/check.js";

/** Reserve audit tasks. Logic lives in src/reserves. */
export const reservesTasks = [
  task(
    "reserves:check",
    "Independent reserve audit from Bitcoin: exit 0 fully backed, 3 on any deficit, 2 on a backend error",
  )
    .addOption({ name: "bitcoin", defaultValue: DEFAULT_BITCOIN_URL, description: "Esplora API URL" })
    .addFlag({ name: "json", description: "Print the report as one JSON document" })
    .setAction(() => import("./check.action.js"))
    .build(),
  task("reserves:proof", "A user's inclusion proofs in the latest reserve round (verifiable on-chain)")
    .addOption({ name: "user", defaultValue: "", description: "EVM address of the user" })
    .addOption({ name: "bitcoin", defaultValue: DEFAULT_BITCOIN_URL, description: "Esplora API URL" })
    .addFlag({ name: "json", description: "Print the proofs as one JSON document" })
    .setAction(() => import("./proof.action.js"))
    .build(),
];
