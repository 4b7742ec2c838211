/**
 * Typed errors shared by every layer. Tasks catch them, print `error: <message>` on one line and map
 * them to an exit code with {@link exitCodeFor}; anything else is a bug and keeps its stack trace.
 */

/** Bad input from a user or caller (an invalid address, a malformed signature, a bad flag). */
export class UserInputError extends Error {
  override readonly name: string = "UserInputError";
  constructor(
    message: string,
    readonly code: string = "USER_INPUT",
  ) {
    super(message);
  }
}

/** A backend (Esplora server, RPC endpoint) failed, timed out, answered garbage or disagreed. */
export class BackendError extends Error {
  override readonly name: string = "BackendError";
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
  override readonly name: string = "ChainError";
  constructor(
    message: string,
    readonly code: string = "CHAIN",
  ) {
    super(message);
  }
}

/**
 * An external tool the task runs (graph-cli, the Goldsky CLI) failed, or what it built is inconsistent: not the
 * user's input and not an unreachable service, so exit 1 like any other failure, but still one line.
 */
export class ToolError extends Error {
  override readonly name = "ToolError";
  constructor(
    message: string,
    readonly code: string = "TOOL",
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

/** Hardhat's errors for an HTTP network that does not answer: HHE703 (connection refused), HHE704 (timeout). */
const UNREACHABLE_NETWORK_ERRORS = new Set([703, 704]);

/** True for Hardhat's error of an HTTP network that refused the connection or timed out. */
export function isUnreachableNetwork(error: unknown): error is Error & { number: number } {
  const number = (error as { number?: unknown } | null)?.number;
  return error instanceof Error && typeof number === "number" && UNREACHABLE_NETWORK_ERRORS.has(number);
}

/**
 * Hardhat's "cannot connect" error as a one-line {@link BackendError} (exit 2) naming the network, the endpoint's
 * origin (from the error's cause, so no API key in a URL path is printed) and what to do; any other error as it is.
 */
export function describeUnreachableNetwork(error: unknown): unknown {
  if (!isUnreachableNetwork(error)) return error;
  const name = /network "([^"]+)"/.exec(error.message)?.[1] ?? "the network";
  const cause = error.cause instanceof Error ? error.cause.message : "";
  const origin = /\b(https?:\/\/\S+?)(?= was|$|\s)/.exec(cause)?.[1];
  const what = error.number === 704 ? "timed out" : "refused the connection";
  const hint =
    name === "localhost"
      ? "start `npx hardhat node --hostname 127.0.0.1`, or set LOCALHOST_RPC_URL to the node's URL"
      : `check the node and the url of network "${name}" in hardhat.config.ts`;
  return new BackendError(
    `the JSON-RPC endpoint of network "${name}"${origin !== undefined ? ` at ${origin}` : ""} ${what}: ${hint}`,
    "RPC_UNREACHABLE",
  );
}

/**
 * How every task reports a failure: `error: <first line>` on stderr and the exit code ({@link exitCodeFor}); an
 * unreachable network is described first ({@link describeUnreachableNetwork}). Returns the line's message.
 */
export function reportTaskError(error: unknown): string {
  const reported = describeUnreachableNetwork(error);
  const message = (reported instanceof Error ? reported.message : String(reported)).split("\n")[0] ?? "";
  console.error(`error: ${message}`);
  process.exitCode = exitCodeFor(reported);
  return message;
}

/**
 * A URL without path, query or credentials, for logs and error messages: RPC API keys and webhook tokens (Slack,
 * Discord) live there. Scheme, host and port only; `/…` marks that something was hidden.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const hidden = parsed.pathname !== "/" || parsed.search !== "" || parsed.username !== "";
    return `${parsed.protocol}//${parsed.host}${hidden ? "/…" : ""}`;
  } catch {
    return "(unparsable URL)";
  }
}
