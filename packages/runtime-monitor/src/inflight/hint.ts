import { compilePatterns, createRedactor, DEFAULT_REDACT_POLICY, redactUrlCredentials, type RedactPolicy, type Redactor } from '../redact/index.js';
import { HINT_BYTES } from './record.js';

/** Argument-array entries appended to a child-process hint; the hint is cut to HINT_BYTES anyway. */
const MAX_HINT_ARGS = 16;

/**
 * The hint as a string, or null when the argument is not something worth naming. Never calls user
 * code (no `String(x)` on arbitrary objects: a getter or `toString` could throw or block).
 * Buffers are handled by the caller, which copies their bytes without decoding.
 */
export function stringHint(argument: unknown): string | null {
  if (typeof argument === 'string') return argument;
  if (argument instanceof URL) return argument.href;
  return null;
}

/** `file arg1 arg2 …` for execFileSync/spawnSync, bounded; only string entries are used. */
export function commandHint(file: string, args: unknown): string {
  if (!Array.isArray(args)) return file;
  let hint = file;
  const count = Math.min(args.length, MAX_HINT_ARGS);
  for (let i = 0; i < count && hint.length < HINT_BYTES; i++) {
    const arg: unknown = args[i];
    if (typeof arg === 'string') hint += ` ${arg}`;
  }
  return hint;
}

/** Characters of a command redacted before it is cut to HINT_BYTES: redaction only ever shortens a secret. */
const REDACT_CHARS = 4 * HINT_BYTES;

/**
 * What the sync wrappers publish as a call's hint, secrets out: `hints: false` publishes none; a command
 * line (child_process) goes through every rule; a path only through the URL-userinfo rule, a no-op
 * without an `@`, so the wrappers of fs calls pay nothing for it.
 */
export class HintRedactor {
  readonly hints: boolean;
  readonly #redact: Redactor;

  constructor(policy: RedactPolicy = DEFAULT_REDACT_POLICY) {
    this.hints = policy.hints;
    let extra: RegExp[] = [];
    try {
      extra = compilePatterns(policy.patterns);
    } catch {
      // Validated by resolveOptions already; the built-in rules still apply.
    }
    this.#redact = createRedactor(extra);
  }

  /** The hint of a call to `apiId`, redacted; null stays null. */
  redact(apiId: string, hint: string | null): string | null {
    if (hint === null || !this.hints) return null;
    if (apiId.startsWith('child_process.')) return this.#redact(hint.length > REDACT_CHARS ? hint.slice(0, REDACT_CHARS) : hint);
    return redactUrlCredentials(hint);
  }
}
