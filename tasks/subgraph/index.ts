import { task } from "hardhat/config";
import { ArgumentType } from "hardhat/types/arguments";

// The network is Hardhat's global `--network` option; `--version` is a Hardhat global flag too, so the Goldsky
// subgraph version is `--subgraph-version` (or `--name reservebtc/0.0.1`).
export const subgraphTasks = [
  task(
    "subgraph:prepare",
    "Render subgraph/subgraph.yaml, ABIs and networks.json from the deployment of --network",
  )
    .addOption({
      name: "chainId",
      description: "Chain id of the deployment to index (default: asked from --network)",
      type: ArgumentType.STRING,
      defaultValue: "",
    })
    .addOption({
      name: "graphNetwork",
      description:
        "Graph network name (default: from the chain id, e.g. 31337 → hardhat, 11155111 → sepolia)",
      type: ArgumentType.STRING,
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./prepare.action.js"))
    .build(),
  task(
    "subgraph:pipeline",
    "Render the Goldsky Mirror pipeline (subgraph/pipelines/reservebtc-postgres.yaml) from schema.graphql",
  )
    .addFlag({ name: "check", description: "Fail (exit 1) when the file differs instead of writing it" })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./pipeline.action.js"))
    .build(),
  task("subgraph:build", "Run graph codegen and graph build on the prepared subgraph")
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./build.action.js"))
    .build(),
  task("subgraph:deploy", "Deploy subgraph/build to Goldsky as <name>/<version>")
    .addOption({ name: "name", description: "Goldsky subgraph name (or name/version)", defaultValue: "" })
    .addOption({
      name: "subgraphVersion",
      description: "Goldsky subgraph version, e.g. 0.0.1",
      defaultValue: "",
    })
    .addFlag({ name: "json", description: "Print one JSON document" })
    .setAction(() => import("./deploy.action.js"))
    .build(),
];
