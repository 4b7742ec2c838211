import { UserInputError } from "../../src/subgraph/errors.js";

/** Exit codes of the subgraph tasks: bad input 2, any other failure 1. */
export const EXIT_USER_INPUT = 2;
export const EXIT_FAILURE = 1;

/**
 * Runs a task body: on success prints `render(result)` (or the result as JSON with --json) on stdout; on failure
 * prints one line `error: <message>` on stderr and sets a non-zero exit code.
 */
export async function runTask<T>(
  json: boolean,
  body: () => Promise<T>,
  render: (result: T) => string,
): Promise<void> {
  try {
    const result = await body();
    console.log(json ? JSON.stringify(result, null, 2) : render(result));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split("\n")[0] ?? message}`);
    process.exitCode = error instanceof UserInputError ? EXIT_USER_INPUT : EXIT_FAILURE;
  }
}
