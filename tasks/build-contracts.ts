import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** How often a task waiting for another process's build looks at the lock. */
const LOCK_POLL_MS = 100;

/** True when process `pid` exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Runs `fn` holding a lock file that other processes of this checkout respect: Hardhat's build rewrites
 * `cache/compile-cache.json` through one fixed temporary name, so two tasks started at once (an `oracle:run` and an
 * `oracle:status` in another terminal) made one of them fail with "compile-cache.json.tmp not found". A lock whose
 * holder died (killed mid-build) is taken over.
 */
export async function withBuildLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  // A fresh clone has no cache folder yet.
  await mkdir(path.dirname(lockPath), { recursive: true });
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
      // An empty file is a holder between `open` and `writeFile`: wait for it like for a live one.
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        await rm(lockPath, { force: true });
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

/**
 * Compiles the contracts a task needs (quietly; not the Solidity tests) so the generated typechain bindings exist
 * before the task imports the src/ modules that use them. Tasks started at the same time build one after another.
 */
export async function buildContracts(hre: HardhatRuntimeEnvironment): Promise<void> {
  await withBuildLock(path.join(hre.config.paths.cache, "reservebtc-build.lock"), () =>
    hre.tasks.getTask("build").run({ quiet: true, noTests: true }),
  );
}
