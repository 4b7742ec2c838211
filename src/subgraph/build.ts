// `subgraph:build`: graph codegen + graph build of the prepared manifest (subgraph/subgraph.yaml).

import { existsSync } from "node:fs";
import path from "node:path";

import { ToolError, UserInputError } from "../errors.js";
import { lastLine, runTool, subgraphBin } from "./tools.js";

export interface BuildResult {
  /** Build folder relative to the project root (what `goldsky subgraph deploy --path` takes). */
  readonly buildDir: string;
  /** Built manifest relative to the project root. */
  readonly manifest: string;
  readonly seconds: number;
}

/** Runs `graph codegen` then `graph build` in subgraph/. `echo` streams their output to stderr. */
export async function buildSubgraph(
  root: string,
  options: { readonly echo?: boolean } = {},
): Promise<BuildResult> {
  const started = Date.now();
  const subgraphDir = path.join(root, "subgraph");
  const graph = subgraphBin(root, "graph");
  if (!existsSync(path.join(subgraphDir, "subgraph.yaml"))) {
    throw new UserInputError(
      "subgraph/subgraph.yaml is missing: run npx hardhat subgraph:prepare --network <name> first",
    );
  }
  const steps: [string, string[]][] = [
    ["graph codegen", ["codegen", "subgraph.yaml", "--output-dir", "generated"]],
    ["graph build", ["build", "subgraph.yaml", "--output-dir", "build"]],
  ];
  for (const [label, args] of steps) {
    const run = await runTool(graph, args, subgraphDir, { echo: options.echo });
    if (run.code !== 0) throw new ToolError(`${label} failed (exit ${run.code}): ${lastLine(run.output)}`);
  }
  return {
    buildDir: path.join("subgraph", "build"),
    manifest: path.join("subgraph", "build", "subgraph.yaml"),
    seconds: (Date.now() - started) / 1000,
  };
}
