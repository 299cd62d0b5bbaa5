/*
 * Secrets out of everything that leaves the process. The main thread redacts sync-call hints as it writes
 * them; the watchdog redacts every event and snapshot right before it is written, sent or served; the CLI
 * reuses redactSecrets for logs written by older monitors.
 */
export { redactSecrets, redactUrlCredentials, createRedactor, compilePatterns, MAX_REDACTED_CHARS, type Redactor, type PatternSource } from './redactor.js';
export { redactDeep, redactEvent, DEFAULT_REDACT_POLICY, type RedactPolicy } from './deep.js';
export { REDACTED, isCredentialName } from './rules.js';
