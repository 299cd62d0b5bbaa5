import { REDACTED, RULES } from './rules.js';

/*
 * Secrets out of text before it leaves the process: hints of sync calls (command lines), stacks, contexts,
 * metric labels. Dependency-free on purpose: the libraries that exist redact object keys (pino's
 * `redact`, deep-redact) or PII in prose, not credentials on a command line.
 */

/** Extra patterns as plain data (RegExp objects do not survive every hand-over between threads). */
export interface PatternSource {
  source: string;
  flags: string;
}

export type Redactor = (text: string) => string;

/** Longest text redacted as a whole; the rest is cut off (hints keep 200 bytes, a stack line far less). */
export const MAX_REDACTED_CHARS = 64 * 1024;

function applyRules(text: string): string {
  const lower = text.toLowerCase();
  let out = text;
  for (const rule of RULES) {
    if (rule.needles.some((needle) => lower.includes(needle))) out = rule.apply(out);
  }
  return out;
}

/**
 * `text` with credentials replaced by `[redacted]`: `Authorization`/`Bearer`/`Basic` values, credential
 * flags (`--password=x`, `--api-key x`), credential `KEY=value` pairs, URL userinfo and well-known key
 * formats (`sk-…`, `ghp_…`, `xox…-`, `AKIA…`, `AIza…`, JWTs). Everything else stays as it was.
 */
export function redactSecrets(text: string): string {
  if (typeof text !== 'string' || text.length === 0) return text;
  return applyRules(text.length > MAX_REDACTED_CHARS ? text.slice(0, MAX_REDACTED_CHARS) : text);
}

/** Only the URL-userinfo rule: for file-system paths, where nothing else can hold a secret. Nil cost without an `@`. */
export function redactUrlCredentials(text: string): string {
  if (!text.includes('@') || !text.includes('://')) return text;
  return text.replace(/(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#@'"]+@/g, `$1${REDACTED}@`);
}

/** Compiles `patterns` (RegExp or source strings) as global patterns; throws a TypeError naming the bad one. */
export function compilePatterns(patterns: readonly (RegExp | string | PatternSource)[]): RegExp[] {
  return patterns.map((pattern, index) => {
    let compiled: RegExp;
    try {
      if (typeof pattern === 'string') compiled = new RegExp(pattern, 'g');
      // Global (every match), never sticky (a match anywhere).
      else compiled = new RegExp(pattern.source, `${pattern.flags.replace(/[gy]/g, '')}g`);
    } catch (error) {
      throw new TypeError(`agent-lag: redact pattern ${index} is not a valid regular expression (${(error as Error).message})`, { cause: error });
    }
    // A pattern that matches nothing at all would put `[redacted]` between every two characters.
    compiled.lastIndex = 0;
    if (compiled.test('')) throw new TypeError(`agent-lag: redact pattern ${index} (${String(compiled)}) matches the empty string`);
    compiled.lastIndex = 0;
    return compiled;
  });
}

/** The built-in rules, then `extra` (already compiled, global), each match of which becomes `[redacted]`. */
export function createRedactor(extra: readonly RegExp[] = []): Redactor {
  if (extra.length === 0) return redactSecrets;
  return (text) => {
    let out = redactSecrets(text);
    if (typeof out !== 'string' || out.length === 0) return out;
    for (const pattern of extra) {
      pattern.lastIndex = 0;
      out = out.replace(pattern, REDACTED);
    }
    return out;
  };
}
