/** Bad input from the user (a bad option, an unknown pid, a missing file): one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Findings failed a gate (lint reported something, a block exceeded --fail-on-block-ms). */
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
