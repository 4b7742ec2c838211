/**
 * A local Hardhat plugin: runs one solc job per available CPU.
 *
 * Hardhat's build system runs `os.cpus().length - 1` compilation jobs at once (one on a 2-core machine). Our compiler
 * is the WebAssembly solc from npm, which Hardhat runs in a child process per job, and the build is `isolated` (a job
 * per file), so a cold build is dozens of single-threaded jobs: one job per core halves its wall time on two cores.
 * `SOLC_JOBS` overrides the number (e.g. `SOLC_JOBS=1` on a memory-starved machine).
 */
import os from "node:os";

import type { HardhatPlugin } from "hardhat/types/plugins";

/** Compilation jobs to run at once. */
export function solcJobs(env: NodeJS.ProcessEnv = process.env): number {
  const requested = Number(env.SOLC_JOBS);
  if (Number.isInteger(requested) && requested > 0) return requested;
  return Math.max(os.availableParallelism(), 1);
}

const solcConcurrencyPlugin: HardhatPlugin = {
  id: "reservebtc-solc-concurrency",
  hookHandlers: {
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
