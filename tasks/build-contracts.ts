import { mkdir, open, readFile, rm } from "node:fs/promises";
import path from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

/** How often a task waiting for another process's build looks at the lock. */
const LOCK_POLL_MS = 100;
/** A lock file still without a holder's pid after this long was left by a process that died while taking it. */
const EMPTY_LOCK_TIMEOUT_MS = 10_000;

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
 * holder died (killed mid-build) is taken over, and so is one left empty for `emptyLockTimeoutMs` (its holder died
 * between creating it and writing its pid).
 */
export async function withBuildLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  emptyLockTimeoutMs = EMPTY_LOCK_TIMEOUT_MS,
): Promise<T> {
  // A fresh clone has no cache folder yet.
  await mkdir(path.dirname(lockPath), { recursive: true });
  let emptySince: number | undefined;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(await readFile(lockPath, "utf8").catch(() => ""), 10);
      // An empty file is a holder between `open` and `writeFile`: wait for it like for a live one, for a while.
      const known = Number.isInteger(holder) && holder > 0;
      emptySince = known ? undefined : (emptySince ?? Date.now());
      const abandoned = emptySince !== undefined && Date.now() - emptySince > emptyLockTimeoutMs;
      if ((known && !alive(holder)) || abandoned) {
        await rm(lockPath, { force: true });
        emptySince = undefined;
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
 * Runs `fn` with `console.log` kept off stdout: a line goes to stderr, an empty line is dropped. Hardhat's build
 * prints one empty line on stdout per compilation job even when quiet (its warnings go to stderr), which put some
 * twenty blank lines before the demo's report on a first run; nothing a build prints is a task's result, and stdout
 * carries only the result (one JSON document with --json).
 */
export async function withStdoutKeptForResult<T>(fn: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (args.length > 0) console.error(...args);
  };
  try {
    return await fn();
  } finally {
    console.log = log;
  }
}

/**
 * Compiles the contracts a task needs (quietly; not the Solidity tests) so the generated typechain bindings exist
 * before the task imports the src/ modules that use them. Tasks started at the same time build one after another.
 * Nothing the build prints reaches stdout (see {@link withStdoutKeptForResult}).
 */
export async function buildContracts(hre: HardhatRuntimeEnvironment): Promise<void> {
  await withBuildLock(path.join(hre.config.paths.cache, "reservebtc-build.lock"), () =>
    withStdoutKeptForResult(() => hre.tasks.getTask("build").run({ quiet: true, noTests: true })),
  );
}
