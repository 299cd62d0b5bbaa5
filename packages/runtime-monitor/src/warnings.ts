/*
 * The monitor's only voice in the host process: process warnings, each code at most once, so a broken
 * environment costs one clear line on stderr and never an exception.
 */
const warned = new Set<string>();

export function warnOnce(code: string, message: string): void {
  if (warned.has(code)) return;
  warned.add(code);
  try {
    process.emitWarning(`agent-lag: ${message}`, { code });
  } catch {
    // A host that made warnings throw (--throw-deprecation does not, but a patched emitWarning might).
  }
}

/** An error as one line for a warning: its code, if it has one, and its message. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${code}: ${error.message}`;
  }
  return String(error);
}
