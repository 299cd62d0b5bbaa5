import { describe, expect, it } from 'vitest';
import { HintRedactor } from '../src/inflight/hint.js';
import { optionsFromEnv } from '../src/env.js';
import { resolveOptions } from '../src/options.js';
import { compilePatterns, createRedactor, isCredentialName, redactEvent, redactSecrets, redactUrlCredentials } from '../src/redact/index.js';

describe('redactSecrets: each rule', () => {
  it.each([
    [`curl -H 'Authorization: Bearer abcdef123456789' https://api.example.com/x`, `curl -H 'Authorization: [redacted]' https://api.example.com/x`],
    [`curl -H "authorization: Basic dXNlcjpwYXNz" https://x`, `curl -H "authorization: [redacted]" https://x`],
    [`{"Authorization":"tok123"}`, `{"Authorization":"[redacted]"}`],
    [`http --auth-type=bearer -A x-bearer Bearer abc.def`, `http --auth-type=[redacted] -A x-bearer Bearer [redacted]`],
    [`curl --oauth2-bearer tok123 x`, `curl --oauth2-bearer [redacted] x`],
    [`X-Auth: Basic dXNlcjpwYXNzd29yZA==`, `X-Auth: [redacted] [redacted]`],
    [`mysql --password=s3cr3t --user root -p 3306`, `mysql --password=[redacted] --user root -p 3306`],
    [`deploy --api-key AbC123 --token=xyz --verbose`, `deploy --api-key [redacted] --token=[redacted] --verbose`],
    [`tool --secret "a b c" --apikey k1 --auth foo -client-secret cs`, `tool --secret "[redacted]" --apikey [redacted] --auth [redacted] -client-secret [redacted]`],
    [`env DB_PASSWORD=pw1 GITHUB_TOKEN=gt AWS_SECRET_ACCESS_KEY=aws OPENAI_API_KEY=k PASSWD=p node app.js`, `env DB_PASSWORD=[redacted] GITHUB_TOKEN=[redacted] AWS_SECRET_ACCESS_KEY=[redacted] OPENAI_API_KEY=[redacted] PASSWD=[redacted] node app.js`],
    [`PRIVATE_KEY='-----BEGIN' CREDENTIALS=c APIKEY=a ACCESS_KEY=b`, `PRIVATE_KEY='[redacted]' CREDENTIALS=[redacted] APIKEY=[redacted] ACCESS_KEY=[redacted]`],
    [`curl "https://x/cb?client_secret=abc&code=1&access_token=zzz"`, `curl "https://x/cb?client_secret=[redacted]&code=1&access_token=[redacted]"`],
    [`{"apiKey": "k-1", "password":"p w"}`, `{"apiKey": "[redacted]", "password":"[redacted]"}`],
    [`psql postgres://admin:hunter2@db:5432/app`, `psql postgres://[redacted]@db:5432/app`],
    [`git clone https://x-access-token:abc@github.com/o/r.git`, `git clone https://[redacted]@github.com/o/r.git`],
    [`curl -u admin:pa55 https://x`, `curl -u admin:[redacted] https://x`],
    [`echo sk-proj-abcdefghijklmnopqrstuvwxyz012345 sk-ant-api03-abcdefghijklmnopqrst sk-abcdefghijklmnopqrstu`, `echo [redacted] [redacted] [redacted]`],
    [`ghp_abcdefghijklmnopqrstuvwxyz0123456789 gho_abcdefghijklmnopqrstuvwxyz0123 ghs_abcdefghijklmnopqrstuvwxyz0123`, `[redacted] [redacted] [redacted]`],
    [`github_pat_11ABCDEFG0123456789_abcdefghijklmnop`, `[redacted]`],
    [`slack xoxb-1234567890-abcdefghij xoxp-1234567890-abcdefghij`, `slack [redacted] [redacted]`],
    [`aws AKIAIOSFODNN7EXAMPLE ASIAIOSFODNN7EXAMPLE`, `aws [redacted] [redacted]`],
    [`key=AIzaSyA-abcdefghijklmnopqrstuvwxyz01234 maps`, `key=[redacted] maps`],
    [`jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U end`, `jwt [redacted] end`],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('redactSecrets: what stays', () => {
  it.each([
    'sleep 0.3',
    '/srv/app/data/transcript.json',
    'git status --porcelain --author bob --tokenizer bert --key server.pem -p 8080 sort -u',
    'PWD=/home/x KEY=foo NODE_ENV=production HOME=/root node app.js',
    'at handleTool (file:///srv/app/tools.js:12:5)',
    'ssh -i ~/.ssh/id_rsa user@host',
    'basic usage of the tool',
    'password: /etc/app/password.txt',
    'task-runner --sk-mode fast',
  ])('%s', (input) => {
    expect(redactSecrets(input)).toBe(input);
  });

  it('is idempotent', () => {
    const once = redactSecrets(`curl -H 'Authorization: Bearer abc' --password=x https://a:b@h sk-proj-abcdefghijklmnopqrstu TOKEN=t`);
    expect(redactSecrets(once)).toBe(once);
  });

  it('names credentials by word, not by substring', () => {
    expect(['password', 'DB_PASSWORD', 'apiKey', 'x-api-key', 'accessToken', 'client_secret', 'AUTH'].every(isCredentialName)).toBe(true);
    expect(['author', 'tokenizer', 'PWD', 'KEY', 'passport', 'secretary'].some(isCredentialName)).toBe(false);
  });
});

describe('redactSecrets: adversarial input', () => {
  // Linear in the text: 64 Ki characters (the most it redacts) of each within a generous bound on a busy machine.
  const n = 64 * 1024;
  it.each([
    ['dashes', '-'.repeat(n)],
    ['letters', 'a'.repeat(n)],
    ['flags', '--a'.repeat(n / 3)],
    ['key=', 'a='.repeat(n / 2)],
    ['key:', 'a:'.repeat(n / 2)],
    ['schemes', 'A://a'.repeat(n / 5)],
    ['https', 'https://'.repeat(n / 8)],
    ['authorization', 'authorization: '.repeat(n / 15)],
    ['bearer', 'Bearer '.repeat(n / 7)],
    ['--password', '--password '.repeat(n / 11)],
    ['quotes', '"'.repeat(n)],
    ['open quotes', 'token=" '.repeat(n / 8)],
    ['jwt-like', 'eyJaaaa.'.repeat(n / 8)],
    ['sk-', 'sk-'.repeat(n / 3)],
  ])('%s', (_name, input) => {
    const started = performance.now();
    redactSecrets(input);
    redactSecrets(`${input}x`);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('cuts text past 64 Ki characters rather than scanning it', () => {
    expect(redactSecrets('a'.repeat(200_000))).toHaveLength(64 * 1024);
  });
});

describe('extra patterns, hints and events', () => {
  it('applies extra patterns after the built-in rules, and refuses bad ones with a TypeError', () => {
    const redact = createRedactor(compilePatterns([/myco_[a-z0-9]{8,}/, 'internal-\\d+']));
    expect(redact('call myco_abcdef123 internal-42 --token=x')).toBe('call [redacted] [redacted] --token=[redacted]');
    expect(() => compilePatterns(['('])).toThrow(TypeError);
    expect(() => compilePatterns(['x*'])).toThrow(/matches the empty string/);
  });

  it('redacts command hints fully, paths only for URL userinfo, and none at all with hints off', () => {
    const hints = new HintRedactor();
    expect(hints.redact('child_process.execSync', 'curl --token=abc x')).toBe('curl --token=[redacted] x');
    expect(hints.redact('fs.readFileSync', '/srv/TOKEN=abc')).toBe('/srv/TOKEN=abc');
    expect(redactUrlCredentials('file://u:p@host/x')).toBe('file://[redacted]@host/x');
    expect(new HintRedactor({ hints: false, patterns: [] }).redact('child_process.execSync', 'ls')).toBeNull();
  });

  it('redacts every string of an event, copy on write, and drops hints when they are off', () => {
    const clean = { type: 'block', stack: [{ functionName: 'f', url: 'file:///a.js', line: 1, column: 1 }], inFlight: { api: 'fs.readFileSync', hint: '/a' }, context: null };
    expect(redactEvent(clean)).toBe(clean);
    const dirty = { ...clean, inFlight: { api: 'child_process.execSync', hint: 'x --password=p' }, context: { tool: 'Bearer abcdef' } };
    const out = redactEvent(dirty);
    expect(out.inFlight.hint).toBe('x --password=[redacted]');
    expect(out.context.tool).toBe('Bearer [redacted]');
    expect(out.stack).toBe(dirty.stack);
    expect(dirty.inFlight.hint).toBe('x --password=p');
    expect(redactEvent(dirty, { hints: false, patterns: [{ source: 'abc', flags: 'g' }] }).inFlight.hint).toBeNull();
  });

  it('validates the redact option and reads the env variables', () => {
    expect(resolveOptions({}, true).redact).toEqual({ hints: true, patterns: [] });
    expect(resolveOptions({ redact: { hints: false, patterns: [/a+b/i, 'c+'] } }, true).redact).toEqual({
      hints: false,
      patterns: [
        { source: 'a+b', flags: 'gi' },
        { source: 'c+', flags: 'g' },
      ],
    });
    expect(() => resolveOptions({ redact: true }, true)).toThrow(/option redact must be/);
    expect(() => resolveOptions({ redact: { hints: 'no' } }, true)).toThrow(/redact\.hints must be true or false/);
    expect(() => resolveOptions({ redact: { patterns: [1] } }, true)).toThrow(/redact\.patterns\[0\] must be a RegExp or a string/);
    expect(() => resolveOptions({ redact: { patterns: ['['] } }, true)).toThrow(TypeError);
    expect(() => resolveOptions({ redact: { extra: 1 } }, true)).toThrow(/unknown option redact\.extra/);

    const env = optionsFromEnv({ AGENT_LAG_HINTS: 'off', AGENT_LAG_REDACT_PATTERNS: '["myco_[a-z]+", "x\\\\d+"]' });
    expect(env.problems).toEqual([]);
    expect(env.options.redact).toEqual({ hints: false, patterns: ['myco_[a-z]+', 'x\\d+'] });
    expect(optionsFromEnv({ AGENT_LAG_REDACT_PATTERNS: 'single_[0-9]+' }).options.redact).toEqual({ patterns: ['single_[0-9]+'] });
    expect(optionsFromEnv({ AGENT_LAG_REDACT_PATTERNS: '["("]' }).problems).toEqual([expect.stringMatching(/AGENT_LAG_REDACT_PATTERNS=.* has a bad pattern/)]);
  });
});
