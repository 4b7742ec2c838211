/** Bad input from the operator (option values, missing files or deployments): fix the input and run again. */
export class UserInputError extends Error {
  override readonly name = "UserInputError";
}

/** An external tool or service failed (graph-cli, the Goldsky CLI, the Goldsky API). */
export class BackendError extends Error {
  override readonly name = "BackendError";
}
