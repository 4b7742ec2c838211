import { task } from "hardhat/config";

/** Scenario simulations (docs/simulations.md). Logic lives in src/sim. */
export const simTasks = [
  task("sim:run", "Run a simulation scenario (JSON); exit 0 when every expectation holds, 1 otherwise")
    .addOption({ name: "scenario", description: "Path of the scenario JSON file", defaultValue: "" })
    .addOption({
      name: "deploymentChainId",
      description:
        "Attach to deploy/deployments/chain-<id> instead of deploying (default on a fork: the forked chain's)",
      defaultValue: "",
    })
    .addOption({
      name: "deploymentDir",
      description: "Attach to the Ignition deployment in this folder (deployed_addresses.json)",
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print the report as one JSON document" })
    .setAction(() => import("./run.action.js"))
    .build(),
];
