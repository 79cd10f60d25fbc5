/** A bad command line or input: one line to the user, exit code 2. */
export class UsageError extends Error {}
