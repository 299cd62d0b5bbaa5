/*
 * The built-in redaction rules. Every regular expression is compiled once, here, and is linear in the
 * text: each match can only begin where a lookbehind says a token begins (so a run of `-`, `a` or `e`
 * characters is not retried at every position), no quantified group is followed by another quantifier
 * over the same characters, and whether a flag or a key names a credential is decided by a plain
 * function on the matched name, not by backtracking into it.
 */

export const REDACTED = '[redacted]';

/** One built-in rule: a cheap `includes` check that must pass before the regular expression runs. */
export interface Rule {
  /** Substrings (lower case: compared with the lower-cased text), one of which every match contains. */
  readonly needles: readonly string[];
  readonly apply: (text: string) => string;
}

type Replacer = (match: string, ...groups: string[]) => string;

/** A rule that is one global regular expression and its replacement. */
function regexRule(needles: readonly string[], pattern: RegExp, replace: Replacer): Rule {
  return {
    needles,
    apply: (text) => {
      pattern.lastIndex = 0;
      return text.replace(pattern, replace as (substring: string, ...args: unknown[]) => string);
    },
  };
}

/** Single words (after splitting a name at `-`, `_`, `.` and camelCase) that name a credential. */
const CREDENTIAL_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'secret',
  'secrets',
  'token',
  'tokens',
  'auth',
  'authorization',
  'bearer',
  'credential',
  'credentials',
  'apikey',
  'accesskey',
  'privatekey',
  'cookie',
]);
/** Word pairs that name a credential (`API_KEY`, `access-key`, `privateKey`); `key` alone does not (`--key file.pem`, `sort key`). */
const CREDENTIAL_PAIRS = new Set(['api key', 'access key', 'private key', 'secret key', 'client secret', 'session id']);

/**
 * True when a flag or variable name names a credential: `--password`, `--api-key`, `GITHUB_TOKEN`,
 * `AWS_SECRET_ACCESS_KEY`, `apiKey`, `client_secret`; not `--author`, `--tokenizer`, `PWD` or `KEY`.
 */
export function isCredentialName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (CREDENTIAL_WORDS.has(word)) return true;
    if (i > 0 && CREDENTIAL_PAIRS.has(`${words[i - 1]!} ${word}`)) return true;
  }
  return false;
}

/** `--name=` or `--name ` (not followed by another flag): group 1 the flag, group 2 the separator. */
const FLAG_HEAD = /(?<![\w-])(--?[A-Za-z][\w.-]+)(=|[ \t]+(?!-))/g;
/** A value on a command line: quoted (either quote), or up to the next space or quote. */
const FLAG_VALUE = /"[^"]*"|'[^']*'|[^\s'"]+/y;
/** `KEY=`, `key: `, `"key": `: group 1 the key, group 2 the separator (with a closing quote). */
const KEY_HEAD = /(?<![\w.-])([A-Za-z_][\w.-]*)(["']?[ \t]*[=:][ \t]*)/g;
const KEY_VALUE = /"[^"]*"|'[^']*'|[^\s'"&,;]+/y;

/**
 * Replaces the value after each name+separator that `head` finds and isCredentialName accepts. A scan, not
 * one regular expression: the value of a name that is not a credential is not consumed, so a key inside it
 * (`https://x/?token=y`) is still found, and nothing is ever matched twice.
 */
function replaceNamedValues(text: string, head: RegExp, value: RegExp, keep: (separator: string, value: string) => boolean): string {
  let out = '';
  let last = 0;
  head.lastIndex = 0;
  for (let match = head.exec(text); match !== null; match = head.exec(text)) {
    const name = match[1]!;
    const separator = match[2]!;
    if (!isCredentialName(name)) continue;
    value.lastIndex = head.lastIndex;
    const found = value.exec(text);
    if (found === null || keep(separator, found[0])) continue;
    const quote = found[0][0] === '"' || found[0][0] === "'" ? found[0][0] : '';
    out += `${text.slice(last, head.lastIndex)}${quote}${REDACTED}${quote}`;
    last = head.lastIndex = value.lastIndex;
  }
  return last === 0 ? text : out + text.slice(last);
}

export const RULES: readonly Rule[] = [
  // `Authorization: Bearer x`, `authorization=Basic x`, `"Authorization": "x"`: the scheme and the value go.
  regexRule(['authorization'], /(?<![A-Za-z0-9])(authorization["']?\s*[:=]\s*["']?)(?:[A-Za-z]+[ \t]+)?[^\s'",;]+/gi, (_match, head) => `${head}${REDACTED}`),
  // A lone `Bearer x` or `Basic x` (another header name, a variable): the scheme stays. Basic wants base64
  // of some length, so that prose ("basic usage") is left alone; `--auth-type=bearer` and `x-bearer` are names, not schemes.
  regexRule(['bearer', 'basic'], /(?<![\w=-])(bearer[ \t]+|basic[ \t]+(?=[A-Za-z0-9+/]{8,}))(?!-)[A-Za-z0-9\-._~+/]+=*/gi, (_match, head) => `${head}${REDACTED}`),
  // URL userinfo: `https://user:pass@host` → `https://[redacted]@host`.
  regexRule(['://'], /(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^\s/?#@'"]+@/g, (_match, scheme) => `${scheme}${REDACTED}@`),
  // curl's `-u user:pass` / `--user user:pass`: the password goes, the user stays. Only with a colon (`-u
  // name` alone is ambiguous: `sort -u`, `ssh -u`).
  regexRule(['-u', '--user'], /(?<![\w-])(-u|--user)([ \t]+|=)(["']?)([^\s:'"]+):[^\s'"]+/g, (_match, flag, gap, quote, user) => `${flag}${gap}${quote}${user}:${REDACTED}`),
  // `--password=x`, `--api-key x`, `-token x` (Go-style long flags): any flag whose name names a credential.
  // A following argument that starts with `-` is the next flag, not the value. One-letter flags (`-p`) never
  // match: `-p` is a port as often as a password.
  {
    needles: ['-'],
    apply: (text) => replaceNamedValues(text, FLAG_HEAD, FLAG_VALUE, () => false),
  },
  // `DB_PASSWORD=x`, `GITHUB_TOKEN=x`, `?client_secret=x&…`, `"apiKey": "x"`, `password: x`: a key that
  // names a credential. The value stops at `&` (query strings) and `,` or `;` (lists), and may be quoted.
  // After a colon, a path or a URL is prose or a stack frame (`token: /srv/app.js`) and stays.
  {
    needles: ['=', ':'],
    apply: (text) => replaceNamedValues(text, KEY_HEAD, KEY_VALUE, (separator, value) => !separator.includes('=') && /^[/.]|^[a-z]+:\/\//i.test(value)),
  },
  // Well-known key formats, wherever they are.
  // OpenAI (`sk-…`, `sk-proj-…`), Anthropic (`sk-ant-…`), Stripe secret and restricted keys (`sk_live_…`, `rk_test_…`).
  regexRule(['sk-', 'sk_', 'rk_'], /(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{16,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,})/g, () => REDACTED),
  regexRule(['gh', 'github_pat_'], /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, () => REDACTED),
  regexRule(['xox'], /(?<![A-Za-z0-9_-])xox[abposr]-[A-Za-z0-9-]{10,}/g, () => REDACTED),
  regexRule(['akia', 'asia'], /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/g, () => REDACTED),
  regexRule(['aiza'], /(?<![A-Za-z0-9_-])AIza[A-Za-z0-9_-]{30,}/g, () => REDACTED),
  // JSON Web Tokens: header and payload are base64url JSON objects, so both begin with `eyJ`.
  regexRule(['eyj'], /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, () => REDACTED),
];
