/** A problem the user can fix: the CLI prints the message alone (no stack) and exits 1. */
export class SetupError extends Error {
  override name = "SetupError";
}

/** Bad flags: the CLI prints the message with the usage and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
