import { task } from "hardhat/config";

/** Watchtower tasks. Logic lives in src/watch. */
export const watchTasks = [
  task(
    "watch:scan",
    "One watchtower pass: find confirmed spends of bound BTC after each user's last report and check their relay proofs",
  )
    .addOption({
      name: "bitcoin",
      defaultValue: "http://127.0.0.1:18443",
      description: "The watcher's own Esplora API roots, comma-separated",
    })
    .addOption({
      name: "relay",
      defaultValue: "",
      description: "LightRelay address (default: this chain's deployment)",
    })
    .addOption({
      name: "oracle",
      defaultValue: "",
      description: "Oracle address (default: this chain's deployment)",
    })
    .addFlag({ name: "json", description: "Print one JSON document (proofs included)" })
    .setAction(() => import("./scan.action.js"))
    .build(),
];
