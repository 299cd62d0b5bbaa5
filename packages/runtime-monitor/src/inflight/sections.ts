/*
 * Reported sections: code that is no blocking built-in but can block the loop in native code, where the
 * inspector's pause cannot land (an MCP transport's send: JSON-encoding a response, then writing megabytes
 * to a pipe). Marked in the in-flight record while it runs, with plain stores; after a stall the watchdog saw
 * during it, it hands over its context and its caller's stack, as a wrapped sync call does. Without it such a
 * block, over before a pause could land, had no stack and no context (`not-caught`).
 */

export interface ReportedSections {
  /** Marks a section running; its sequence, or 0 when one already runs (the outer one reports). */
  enter(): number;
  /** Ends the section of `sequence`; after a stall seen during it, reports the context and the stack above `caller`. */
  leave(sequence: number, caller: (...args: never[]) => unknown): void;
}

/** Set by installSyncWrappers while its in-flight record is in use; null without the monitor (a section is then a plain call). */
let sections: ReportedSections | null = null;

export function setReportedSections(value: ReportedSections | null): void {
  sections = value;
}

/** `fn.call(self, a, b)` as a reported section; its report's stack starts at the caller of `caller`. */
export function runReportedSection<This, A, B, T>(caller: (...args: never[]) => unknown, fn: (this: This, a: A, b: B) => T, self: This, a: A, b: B): T {
  const active = sections;
  if (active === null) return fn.call(self, a, b);
  const sequence = active.enter();
  try {
    return fn.call(self, a, b);
  } finally {
    active.leave(sequence, caller);
  }
}
