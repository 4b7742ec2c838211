/**
 * A local Hardhat plugin that shapes the solc jobs of a build.
 *
 * - **Concurrency**: Hardhat runs `os.cpus().length - 1` compilation jobs at once (one on a 2-core machine). Our
 *   compiler is the WebAssembly solc from npm, which Hardhat runs in a child process per job: one job per core halves
 *   the wall time of a cold build on two cores. `SOLC_JOBS` overrides the number (e.g. `SOLC_JOBS=1` on a
 *   memory-starved machine).
 * - **Solidity tests in groups**: a build that is not `isolated` merges the root files sharing a compiler entry (the
 *   same object) into one solc job. One WebAssembly job over all the Solidity tests and their handlers runs out of
 *   memory ("memory access out of bounds"), while one job per file compiles every contract again for each of the 18
 *   files. So each group of test files — a test and the handlers it imports — gets an entry of its own in the
 *   profile's overrides, a copy of the profile's compiler (same settings), shared by the group: one job per group.
 */
import { readFileSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { SolidityBuildProfileConfig } from "hardhat/types/config";
import type { HardhatPlugin } from "hardhat/types/plugins";

/** Compilation jobs to run at once. */
export function solcJobs(env: NodeJS.ProcessEnv = process.env): number {
  const requested = Number(env.SOLC_JOBS);
  if (Number.isInteger(requested) && requested > 0) return requested;
  return Math.max(os.availableParallelism(), 1);
}

/** Every Solidity file under a folder, recursively, as absolute paths. */
function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return solidityFiles(file);
    return entry.name.endsWith(".sol") ? [file] : [];
  });
}

/** The relative imports of a Solidity file, as absolute paths. */
function relativeImports(file: string, read: (file: string) => string): string[] {
  return [...read(file).matchAll(/^import\s[^"]*"(\.{1,2}\/[^"]+)"/gm)].map(([, target]) =>
    path.resolve(path.dirname(file), target ?? ""),
  );
}

/**
 * Splits files into groups: each test file (`*.t.sol`) with the files among them it imports, directly or not, that no
 * earlier group took (its handlers); a file no test imports is a group of its own.
 */
export function importGroups(
  files: readonly string[],
  read = (file: string) => readFileSync(file, "utf8"),
): string[][] {
  const members = new Set(files);
  const taken = new Set<string>();
  const closure = (file: string): string[] => {
    if (taken.has(file) || !members.has(file)) return [];
    taken.add(file);
    return [file, ...relativeImports(file, read).flatMap(closure)];
  };
  const tests = files.filter((file) => file.endsWith(".t.sol"));
  return [...tests, ...files].map(closure).filter((group) => group.length > 0);
}

/** Gives each group of Solidity tests its own compiler entry (one solc job), unless the file has an override. */
export function groupSolidityTests(
  profile: SolidityBuildProfileConfig,
  groups: string[][],
  root: string,
): void {
  const [compiler] = profile.compilers;
  if (profile.isolated || compiler === undefined || profile.compilers.length !== 1) return;
  for (const group of groups) {
    const shared = { ...compiler };
    for (const file of group) {
      const sourceName = path.relative(root, file).split(path.sep).join("/");
      profile.overrides[sourceName] ??= shared;
    }
  }
}

const solcConcurrencyPlugin: HardhatPlugin = {
  id: "reservebtc-solc-concurrency",
  hookHandlers: {
    config: () =>
      Promise.resolve({
        default: () =>
          Promise.resolve({
            resolveUserConfig: async (userConfig, resolveConfigurationVariable, next) => {
              const config = await next(userConfig, resolveConfigurationVariable);
              const groups = importGroups(solidityFiles(config.paths.tests.solidity));
              for (const profile of Object.values(config.solidity.profiles)) {
                groupSolidityTests(profile, groups, config.paths.root);
              }
              return config;
            },
          }),
      }),
    solidity: () =>
      Promise.resolve({
        default: () =>
          Promise.resolve({
            build: (context, rootFilePaths, options, next) =>
              next(context, rootFilePaths, { ...options, concurrency: options?.concurrency ?? solcJobs() }),
          }),
      }),
  },
};

export default solcConcurrencyPlugin;
