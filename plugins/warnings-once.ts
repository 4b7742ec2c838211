/**
 * A local Hardhat plugin that prints each compiler warning once per process.
 *
 * A build that is not `isolated` compiles in several solc jobs (the contracts at 10,000 runs, the Oracle at 200, the
 * groups of Solidity tests: plugins/solc-concurrency.ts). A warning in a file several jobs include — OpenZeppelin's
 * `utils/TransientSlot.sol` ("Transient storage as defined by EIP-1153 …", under `ReentrancyGuardTransient`) — comes
 * back from every job that compiles it, and Hardhat prints the warnings of each job: the same paragraph twice or more
 * per build. The `getCompilationJobErrors` hook hands Hardhat each job's diagnostics; this handler drops a warning
 * whose text (file, line and message) it has already handed over, so it is printed once. Errors always pass.
 */
import type { HardhatPlugin } from "hardhat/types/plugins";
import type { CompilerOutputError } from "hardhat/types/solidity";

/** The diagnostics of one job without the warnings already in `seen` (which it adds the new ones to). */
export function dropRepeatedWarnings(
  errors: readonly CompilerOutputError[],
  seen: Set<string>,
): CompilerOutputError[] {
  return errors.filter((error) => {
    if (error.severity === "error") return true;
    const key = `${error.errorCode ?? ""}|${error.formattedMessage ?? error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Warnings handed to Hardhat by this process so far. */
const printed = new Set<string>();

const warningsOncePlugin: HardhatPlugin = {
  id: "reservebtc-warnings-once",
  hookHandlers: {
    solidity: () =>
      Promise.resolve({
        default: () =>
          Promise.resolve({
            getCompilationJobErrors: async (context, job, output, next) =>
              dropRepeatedWarnings(await next(context, job, output), printed),
          }),
      }),
  },
};

export default warningsOncePlugin;
