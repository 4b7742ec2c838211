// Test setup: the subgraph package (subgraph/node_modules: graph-cli, graph-ts, the Goldsky CLI) installed with
// `npm ci --prefix subgraph` when it is missing. The scenario tests run the subgraph's compiled mappings (built with
// graph-cli on first use, src/subgraph/mappings.ts) and the subgraph checks build the subgraph.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (existsSync("subgraph/node_modules/.bin/graph")) {
  console.log("subgraph: subgraph/node_modules present");
} else {
  console.log("subgraph/node_modules is missing: npm ci --prefix subgraph");
  const r = spawnSync("npm", ["ci", "--prefix", "subgraph", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (r.error !== undefined || r.status !== 0) {
    console.error("error: npm ci --prefix subgraph failed");
    process.exit(r.status ?? 1);
  }
}
