/**
 * Typed errors shared by every layer. Tasks catch them, print `error: <message>` on one line and map
 * them to an exit code with {@link exitCodeFor}; anything else is a bug and keeps its stack trace.
 */

/** Bad input from a user or caller (an invalid address, a malformed signature, a bad flag). */
export class UserInputError extends Error {
  override readonly name = "UserInputError";
  constructor(
    message: string,
    readonly code: string = "USER_INPUT",
  ) {
    super(message);
  }
}

/** A backend (Esplora server, RPC endpoint) failed, timed out, answered garbage or disagreed. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  constructor(
    message: string,
    readonly code: string = "BACKEND",
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The EVM chain rejected or contradicted what we expected (revert, missing contract, bad state). */
export class ChainError extends Error {
  override readonly name = "ChainError";
  constructor(
    message: string,
    readonly code: string = "CHAIN",
  ) {
    super(message);
  }
}

/** Process exit code for an error: 2 for bad input or an unusable backend, 1 for everything else. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UserInputError || error instanceof BackendError) return 2;
  return 1;
}

/** True for the errors a task reports as one line (no stack trace). */
export function isTypedError(error: unknown): error is UserInputError | BackendError | ChainError {
  return error instanceof UserInputError || error instanceof BackendError || error instanceof ChainError;
}
