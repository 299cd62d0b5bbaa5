import { redactDeep, redactSecrets } from '@agent-lag/runtime-monitor/redact';

/*
 * Logs written by monitors older than the redactor (issue 15) hold commands verbatim: every hint, stack
 * and context the CLI shows (report's terminal and HTML output, run's live lines and summary) passes the
 * monitor's own redactor first. A no-op for a log a current monitor wrote.
 */

/** `text` with secrets replaced by `[redacted]`. */
export const redactText: (text: string) => string = redactSecrets;

/** `value` (an event, a record read from a log) with every string in it redacted; unchanged objects are returned as they were. */
export function redactRecord<T>(value: T): T {
  return redactDeep(value, redactSecrets);
}
