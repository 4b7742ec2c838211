import { task } from "hardhat/config";

/** The main job (README's first command). Logic lives in src/demo. */
export const demoTasks = [
  task(
    "demo",
    "End-to-end demo on the in-process network and an in-process Bitcoin devnet; prints a system report",
  )
    .addFlag({
      name: "json",
      description: "Print the report as one JSON document (through npm: `npm run -s demo -- --json`)",
    })
    .setAction(() => import("./demo.action.js"))
    .build(),
];
