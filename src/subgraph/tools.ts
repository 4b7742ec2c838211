// Runs the subgraph package's own CLIs (graph-cli, the Goldsky CLI) from subgraph/node_modules/.bin.

import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

import { UserInputError } from "../errors.js";

/** Output of a finished tool run. */
export interface ToolRun {
  readonly code: number;
  readonly output: string;
}

/** Path of a binary of the subgraph package; a clear error when its dependencies are not installed. */
export function subgraphBin(root: string, name: "graph" | "goldsky"): string {
  const bin = path.join(root, "subgraph", "node_modules", ".bin", name);
  if (!existsSync(bin)) {
    throw new UserInputError(
      `subgraph dependencies are not installed (${name} missing): run npm ci --prefix subgraph`,
    );
  }
  return bin;
}

/** Runs `bin args` in `cwd`, collecting stdout+stderr; `echo` also streams it to stderr. */
export function runTool(
  bin: string,
  args: readonly string[],
  cwd: string,
  options: { readonly echo?: boolean; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1", ...options.env },
    });
    let output = "";
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (options.echo === true) process.stderr.write(chunk);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Last meaningful line of a tool's output (for one-line error messages). */
export function lastLine(output: string): string {
  const lines = output
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("at "));
  return lines.at(-1) ?? "(no output)";
}
