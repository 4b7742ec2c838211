// `subgraph:deploy`: `goldsky subgraph deploy <name>/<version> --path subgraph/build` with the Goldsky CLI of the
// subgraph package. Login is checked first (GOLDSKY_TOKEN, else the token `goldsky login` stores in
// ~/.goldsky/auth_token) so a missing login fails in one clear line instead of after packaging.

import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { BackendError, ToolError, UserInputError } from "../errors.js";
import { lastLine, runTool, subgraphBin } from "./tools.js";

export const NOT_LOGGED_IN = "not logged in to Goldsky: run npx goldsky login";

/** Subgraph names and versions Goldsky accepts: letters, digits, `.`, `_`, `-`; no `/`. */
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export interface DeployOptions {
  readonly root: string;
  readonly name: string;
  readonly version: string;
  /** Environment (for GOLDSKY_TOKEN and HOME); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  readonly echo?: boolean;
  /** The Goldsky CLI to run; default subgraph/node_modules/.bin/goldsky (tests substitute a stand-in). */
  readonly goldskyBin?: string;
}

export interface DeployResult {
  readonly subgraph: string;
  readonly buildDir: string;
  readonly output: string;
}

/** The Goldsky API token: GOLDSKY_TOKEN, else `~/.goldsky/auth_token`; undefined when not logged in. */
export function goldskyToken(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.GOLDSKY_TOKEN?.trim();
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  const home = env.HOME ?? os.homedir();
  const file = path.join(home, ".goldsky", "auth_token");
  if (!existsSync(file)) return undefined;
  const token = readFileSync(file, "utf8").trim();
  return token === "" ? undefined : token;
}

/** True when the output says the Goldsky API could not be reached. */
export function isOffline(output: string): boolean {
  return /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo/i.test(output);
}

export async function deploySubgraph(options: DeployOptions): Promise<DeployResult> {
  for (const [label, value] of [
    ["--name", options.name],
    ["--subgraph-version", options.version],
  ] as const) {
    if (!NAME_PATTERN.test(value)) {
      throw new UserInputError(
        `invalid ${label} "${value}": use letters, digits, ".", "_" or "-" (e.g. reservebtc, 0.0.1)`,
      );
    }
  }
  const goldsky = options.goldskyBin ?? subgraphBin(options.root, "goldsky");
  const buildDir = path.join("subgraph", "build");
  if (!existsSync(path.join(options.root, buildDir, "subgraph.yaml"))) {
    throw new UserInputError("subgraph/build is missing: run npx hardhat subgraph:build first");
  }
  const env = options.env ?? process.env;
  const token = goldskyToken(env);
  if (token === undefined) throw new UserInputError(NOT_LOGGED_IN);

  const subgraph = `${options.name}/${options.version}`;
  const args = ["subgraph", "deploy", subgraph, "--path", buildDir];
  // A token from the environment is passed explicitly; a stored login is read by the CLI itself.
  if (env.GOLDSKY_TOKEN !== undefined && env.GOLDSKY_TOKEN.trim() !== "") args.push("--token", token);
  const run = await runTool(goldsky, args, options.root, {
    echo: options.echo,
    env: { GOLDSKY_CLI_TELEMETRY_DISABLED: "1" },
  });
  if (run.code !== 0) {
    if (isOffline(run.output)) {
      throw new BackendError(
        `cannot reach the Goldsky API (${lastLine(run.output)}): check the network connection`,
      );
    }
    if (/unauthori[sz]ed|401|not logged in|invalid token/i.test(run.output))
      throw new UserInputError(NOT_LOGGED_IN);
    throw new ToolError(
      `goldsky subgraph deploy ${subgraph} failed (exit ${run.code}): ${lastLine(run.output)}`,
    );
  }
  return { subgraph, buildDir, output: run.output };
}
