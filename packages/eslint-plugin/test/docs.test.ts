import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

// Every rule's page is checked against the rule: its docs URL, every option its schema accepts, its row in
// the README, and, so that a page cannot lie, every example it shows, linted with ESLint's real `Linter`, the
// plugin registered as `@agent-lag` and only that page's rule on, at 'error'. The conventions a page follows:
//
// - Linted blocks: ```js, ```ts, ```jsx, ```tsx (and mjs/cjs/mts/cts) under "## Incorrect" and "## Correct",
//   and under any other heading when the block carries a marker. Other blocks ("## Options") are config.
// - Markers: a line whose comment starts `// reported` gets exactly one report of the rule, on that line
//   (`// reported (2)`: two); every other line gets none (`// not reported` says so for the reader). Text
//   after the marker is for the reader; in double quotes (`// reported: "blocks the event loop"`) the
//   report's message must contain it. Every "## Incorrect" block has a marker, no "## Correct" block has one.
// - Options: an HTML comment on the line above the fence, `<!-- options: [{ "reachability": true }] -->`,
//   gives the rule's options as JSON (hidden on the rendered page, so say it in the block too).
// - Files: a line that is only `// <path>.ts` (or .js, ...) starts a file of its own; a block without one is
//   one file, `example-<n>.<lang>`. A page's files are written into one temp project under
//   test/fixtures/docs/ (a later block may import what an earlier one declares; node_modules resolves), so a
//   page names each file once.
// - Types: when the rule requires type information or the options set `typeAware`, the block is linted
//   with typescript-eslint's parser and a program over that project (NodeNext, @types/node); otherwise
//   .ts/.tsx blocks use that parser without types and .js blocks ESLint's own.
// A failure names the page line (`no-sync-fs.md:31`) of every line whose reports differ, and what it got.

const docsDir = new URL('../docs/rules/', import.meta.url);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const RULES = Object.entries(plugin.rules);

describe('rule docs', () => {
  it.each(RULES)('%s has a page at its docs URL that covers every option', (name, rule) => {
    expect(rule.meta.docs?.url).toBe(`https://github.com/agent-lag/agent-lag/blob/main/packages/eslint-plugin/docs/rules/${name}.md`);
    const page = new URL(`${name}.md`, docsDir);
    expect(existsSync(page)).toBe(true);
    const text = readFileSync(page, 'utf8');
    expect(text).toContain('## Incorrect');
    expect(text).toContain('## Correct');
    const schema = (rule.meta.schema as unknown as { properties?: Record<string, unknown> }[])[0];
    for (const option of Object.keys(schema?.properties ?? {})) expect(text).toContain(`\`${option}\``);
  });

  it('lists every rule in the README rules table', () => {
    for (const name of Object.keys(plugin.rules)) expect(readme).toContain(`[\`${name}\`](docs/rules/${name}.md)`);
  });
});

interface SourceLine {
  text: string;
  pageLine: number;
}

interface ExampleFile {
  path: string;
  lines: SourceLine[];
}

interface Example {
  section: string;
  /** The page line of the opening fence. */
  fenceLine: number;
  lang: string;
  options: unknown[];
  files: ExampleFile[];
}

const CODE_LANGS = new Set(['js', 'mjs', 'cjs', 'jsx', 'ts', 'mts', 'cts', 'tsx']);
const MARKER = /\/\/\s*reported\b(?:\s*\((\d+)\))?(?::\s*"([^"]+)")?/;
const FILE_HEADER = /^\/\/ ([\w.@/-]+\.[cm]?[jt]sx?)$/;
const OPTIONS_COMMENT = /^<!-- options: (.*) -->$/;

/** The code blocks of a page to lint, with their section, options and files. */
function examplesOf(page: string, text: string): Example[] {
  const lines = text.split('\n');
  const examples: Example[] = [];
  let section = '';
  let options: unknown[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^## (.+)$/.exec(line);
    const optionsComment = OPTIONS_COMMENT.exec(line);
    const fence = /^```(\w*)\s*$/.exec(line);
    if (heading) section = heading[1]!;
    if (optionsComment) {
      try {
        options = JSON.parse(optionsComment[1]!) as unknown[];
      } catch (error) {
        throw new Error(`${page}:${i + 1}: the options comment is not a JSON array: ${(error as Error).message}`, { cause: error });
      }
      continue;
    }
    if (!fence) {
      options = [];
      continue;
    }
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    const body = lines.slice(i + 1, end).map((code, k) => ({ text: code, pageLine: i + 2 + k }));
    const lang = fence[1]!;
    const marked = body.some((l) => MARKER.test(l.text));
    if (CODE_LANGS.has(lang) && (section === 'Incorrect' || section === 'Correct' || marked)) {
      examples.push({ section, fenceLine: i + 1, lang, options, files: splitFiles(body, `example-${examples.length + 1}.${lang}`) });
    }
    options = [];
    i = end;
  }
  return examples;
}

/** A block's files: `// path.ts` header lines start one; the lines before any header are `fallback`. */
function splitFiles(body: SourceLine[], fallback: string): ExampleFile[] {
  const files: ExampleFile[] = [];
  for (const line of body) {
    const header = FILE_HEADER.exec(line.text);
    if (header) files.push({ path: header[1]!, lines: [] });
    else if (files.length === 0 && line.text.trim() === '') continue;
    else {
      if (files.length === 0) files.push({ path: fallback, lines: [] });
      files.at(-1)!.lines.push(line);
    }
  }
  return files;
}

const sourceOf = (file: ExampleFile) => file.lines.map((l) => l.text).join('\n') + '\n';

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    types: ['node'],
    esModuleInterop: true,
    skipLibCheck: true,
    allowJs: true,
    jsx: 'preserve',
    noEmit: true,
  },
  include: ['**/*'],
};

// Inside the repository, so that the examples' imports resolve through its node_modules (@types/node,
// better-sqlite3's types) the way they would in a user's project.
const fixturesDir = fileURLToPath(new URL('fixtures/docs/', import.meta.url));
mkdirSync(fixturesDir, { recursive: true });
const runDir = mkdtempSync(join(fixturesDir, 'run-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

/** Writes a page's files into a project of their own; returns its directory. */
function writeProject(page: string, examples: Example[]): string {
  const dir = join(runDir, page);
  const written = new Set<string>();
  for (const file of examples.flatMap((e) => e.files)) {
    if (written.has(file.path)) throw new Error(`${page}.md names ${file.path} twice: give each example file its own path`);
    written.add(file.path);
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), sourceOf(file));
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
  // A package.json of its own makes the project ESM, as the examples' `import` statements are.
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  return dir;
}

function configFor(rule: string, example: Example, dir: string, filePath: string): Linter.Config[] {
  const { requiresTypeChecking } = (plugin.rules[rule as keyof typeof plugin.rules].meta.docs ?? {}) as { requiresTypeChecking?: boolean };
  const typed = requiresTypeChecking === true || example.options.some((o) => (o as { typeAware?: boolean } | null)?.typeAware === true);
  const isTs = /\.[cm]?tsx?$/.test(filePath);
  const jsx = /x$/.test(filePath);
  const languageOptions: Linter.LanguageOptions = {
    ecmaVersion: 'latest',
    sourceType: /\.cjs$/.test(filePath) ? 'commonjs' : 'module',
    ...(typed || isTs ? { parser: tseslint.parser } : {}),
    parserOptions: {
      ...(jsx ? { ecmaFeatures: { jsx: true } } : {}),
      ...(typed ? { project: './tsconfig.json', tsconfigRootDir: dir } : {}),
    },
  };
  return [
    {
      files: ['**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}'],
      plugins: { '@agent-lag': plugin as unknown as NonNullable<Linter.Config['plugins']>[string] },
      languageOptions,
      rules: { [`@agent-lag/${rule}`]: ['error', ...example.options] as Linter.RuleEntry },
    },
  ];
}

/** What differs between the markers of an example and the rule's reports, one line per page line. */
function problemsOf(page: string, rule: string, example: Example, dir: string): string[] {
  const problems: string[] = [];
  const ruleId = `@agent-lag/${rule}`;
  const linter = new Linter({ cwd: dir });
  const markers = example.files.flatMap((f) => f.lines).filter((l) => MARKER.test(l.text));
  if (example.section === 'Incorrect' && markers.length === 0) problems.push(`${page}:${example.fenceLine}: an Incorrect block with no \`// reported\` line`);
  if (example.section === 'Correct') {
    for (const line of markers) problems.push(`${page}:${line.pageLine}: a \`// reported\` marker in a Correct block`);
  }
  for (const file of example.files) {
    const filePath = join(dir, file.path);
    const messages = linter.verify(sourceOf(file), configFor(rule, example, dir, filePath), { filename: filePath });
    for (const message of messages.filter((m) => m.ruleId !== ruleId)) {
      const at = file.lines[message.line - 1]?.pageLine ?? example.fenceLine;
      problems.push(`${page}:${at}: ${message.fatal ? 'does not parse' : message.ruleId ?? 'ESLint'}: ${message.message}`);
    }
    const reports = messages.filter((m) => m.ruleId === ruleId);
    file.lines.forEach((line, index) => {
      const marker = MARKER.exec(line.text);
      const expected = marker ? Number(marker[1] ?? 1) : 0;
      const onLine = reports.filter((m) => m.line === index + 1);
      const where = `${page}:${line.pageLine}`;
      if (onLine.length !== expected) {
        const got = onLine.length === 0 ? 'none' : onLine.map((m) => `col ${m.column}: ${m.message}`).join(' | ');
        problems.push(`${where}: expected ${expected} report(s), got ${onLine.length} (${got}): ${line.text.trim()}`);
      }
      const quoted = marker?.[2];
      if (quoted && onLine.length > 0 && !onLine.some((m) => m.message.includes(quoted))) {
        problems.push(`${where}: no report says "${quoted}"; got: ${onLine.map((m) => m.message).join(' | ')}`);
      }
    });
  }
  return problems;
}

describe('rule doc examples', () => {
  for (const rule of Object.keys(plugin.rules)) {
    const page = `${rule}.md`;
    const examples = examplesOf(page, readFileSync(new URL(page, docsDir), 'utf8'));
    const dir = writeProject(rule, examples);

    it(`${page} shows at least one Incorrect and one Correct example`, () => {
      expect(examples.filter((e) => e.section === 'Incorrect').length).toBeGreaterThan(0);
      expect(examples.filter((e) => e.section === 'Correct').length).toBeGreaterThan(0);
    });

    it.each(examples.map((example) => [`${page}:${example.fenceLine} (${example.section})`, example] as const))(
      '%s: reported exactly where its markers say',
      (_name, example) => {
        expect(problemsOf(page, rule, example, dir)).toEqual([]);
      },
      // A typed example builds a TypeScript program with @types/node: seconds on a busy machine.
      60_000,
    );
  }
});

// The check itself, on a page that lies in every way it can: so a green run above means the pages are true.
describe('the doc example check', () => {
  const lyingPage = [
    '## Incorrect',
    '',
    '```js',
    "import fs from 'node:fs';",
    'export async function f(p) {',
    '  fs.readFileSync(p); // reported (2)',
    '  fs.statSync(p);',
    '  fs.existsSync(p); // reported: "fs.readSync"',
    '}',
    '```',
    '',
    '```js',
    'export async function g() {}',
    '```',
    '',
    '## Correct',
    '',
    '```js',
    "import { readFileSync } from 'node:fs';",
    'export async function h(p) {',
    '  return readFileSync(p); // reported',
    '}',
    '```',
    '',
    '```ts',
    'const answer: number = ;',
    '```',
    '',
  ].join('\n');
  const examples = examplesOf('lying.md', lyingPage);
  const dir = writeProject('lying', examples);
  const problems = (index: number) => problemsOf('lying.md', 'no-sync-fs', examples[index]!, dir);
  const fsMessage = (api: string) => `\`fs.${api}\` (fs) blocks the event loop in async function f: waits for the file system on the main thread.`;

  it('finds the four blocks, with their sections and fence lines', () => {
    expect(examples.map((e) => [e.section, e.fenceLine, e.files.map((f) => f.path)])).toEqual([
      ['Incorrect', 3, ['example-1.js']],
      ['Incorrect', 12, ['example-2.js']],
      ['Correct', 18, ['example-3.js']],
      ['Correct', 25, ['example-4.ts']],
    ]);
  });

  it('names the page line of a wrong count, an unmarked report and a message the quote does not match', () => {
    expect(problems(0)).toEqual([
      `lying.md:6: expected 2 report(s), got 1 (col 3: ${fsMessage('readFileSync')}): fs.readFileSync(p); // reported (2)`,
      `lying.md:7: expected 0 report(s), got 1 (col 3: ${fsMessage('statSync')}): fs.statSync(p);`,
      `lying.md:8: no report says "fs.readSync"; got: ${fsMessage('existsSync')}`,
    ]);
  });

  it('flags an Incorrect block without a marker, a marker under Correct, and a block that does not parse', () => {
    expect(problems(1)).toEqual(['lying.md:12: an Incorrect block with no `// reported` line']);
    expect(problems(2)).toEqual(['lying.md:21: a `// reported` marker in a Correct block']);
    expect(problems(3)).toEqual(['lying.md:26: does not parse: Parsing error: Expression expected.']);
  });
});
