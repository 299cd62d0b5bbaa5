// bench/lint: how much time do agent-lag's rules add to an ESLint run? Lints a deterministic sample of
// node_modules with the parser only, with eslint-plugin-n's `n/no-sync`, and with each preset, using
// the real ESLint CLI with TIMING=all (per-rule times) and the process's wall time; interleaved
// repeats, medians. Prints a markdown table. `npm run bench -- lint` or `node bench/lint/run.js`.
// Then the same for `strict` and the typed presets on a real multi-file TypeScript project (the
// repository's own packages as committed, each with its own tsconfig), with the cross-file helpers
// `no-blocking-helper` finds there.
//
// Options: --files N (syntactic sample, default 1500) --typed-files N (default 120) --repeats N (3)
//          --projects a,b (default packages/runtime-monitor,packages/cli) --only sample|project
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sampleCorpus } from './corpus.js';
import { agentLagReportCount, extractProjects, helperReports, projectConfigSource } from './project.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const eslintBin = join(repoRoot, 'node_modules/eslint/bin/eslint.js');
const pluginEntry = join(repoRoot, 'packages/eslint-plugin/dist/index.js');
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '1500' },
    'typed-files': { type: 'string', default: '120' },
    repeats: { type: 'string', default: '3' },
    projects: { type: 'string', default: 'packages/runtime-monitor,packages/cli' },
    only: { type: 'string' },
  },
});
const runSample = values.only !== 'project';
const runProject = values.only !== 'sample';
const repeats = Number(values.repeats);
const workDir = join(repoRoot, '.cache/bench-lint');
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

const nodeModules = join(repoRoot, 'node_modules');
const syntacticFiles = runSample ? sampleCorpus({ root: nodeModules, limit: Number(values.files) }) : [];
const typedFiles = runSample
  ? sampleCorpus({ root: nodeModules, limit: Number(values['typed-files']), typescriptOnly: true, includeDeclarations: false })
  : [];

// The typed modes get a throwaway tsconfig whose program is exactly the typed sample.
const tsconfig = join(workDir, 'tsconfig.json');
writeFileSync(
  tsconfig,
  JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', skipLibCheck: true, noEmit: true,
      types: ['node'], typeRoots: [join(nodeModules, '@types')],
    },
    files: typedFiles.map((file) => relative(workDir, file)),
  }),
);

/** One benchmark mode: a generated eslint.config.mjs over one of the two samples. */
const sampleModes = [
  { name: 'parser only', sample: 'syntactic', rules: '[]' },
  // eslint-plugin-n's n/no-sync throws on TypeScript files without type information: JS files only.
  { name: 'n/no-sync', sample: 'syntactic', rules: "[{ files: ['**/*.js', '**/*.cjs', '**/*.mjs'], plugins: { n }, rules: { 'n/no-sync': 'error' } }]" },
  { name: 'recommended', sample: 'syntactic', rules: '[plugin.configs.recommended]' },
  { name: 'strict', sample: 'syntactic', rules: '[plugin.configs.strict]' },
  { name: 'parser only (typed)', sample: 'typed', rules: '[]' },
  { name: 'recommended-type-checked', sample: 'typed', rules: "[plugin.configs['recommended-type-checked']]" },
  { name: 'strict-type-checked', sample: 'typed', rules: "[plugin.configs['strict-type-checked']]" },
];
const modes = runSample ? [...sampleModes] : [];

const corpusUrl = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'corpus.js')).href;
for (const [index, mode] of modes.entries()) {
  const files = mode.sample === 'typed' ? typedFiles : syntacticFiles;
  const filesJson = join(workDir, `files-${mode.sample}.json`);
  writeFileSync(filesJson, JSON.stringify(files));
  const typedOptions = mode.sample === 'typed' ? `{ project: ${JSON.stringify(tsconfig)}, tsconfigRootDir: ${JSON.stringify(workDir)} }` : '{}';
  mode.config = join(workDir, `eslint.config.${index}.mjs`);
  mode.files = files;
  writeFileSync(
    mode.config,
    [
      `import { readFileSync } from 'node:fs';`,
      `import n from 'eslint-plugin-n';`,
      `import plugin from ${JSON.stringify(pathToFileURL(pluginEntry).href)};`,
      `import { corpusLanguageConfigs } from ${JSON.stringify(corpusUrl)};`,
      `const files = JSON.parse(readFileSync(${JSON.stringify(filesJson)}, 'utf8'));`,
      `void n; void plugin;`,
      `export default [...corpusLanguageConfigs({ cwd: ${JSON.stringify(repoRoot)}, files, typedParserOptions: ${typedOptions} }), ...${mode.rules}];`,
    ].join('\n'),
  );
}

// The real project: the typed presets against `strict` on the same files (typescript-eslint's parser in
// every mode, so the difference is the program and the type-aware rules).
const projects = values.projects.split(',').filter(Boolean);
const projectRoot = join(workDir, 'project');
const extracted = runProject ? extractProjects({ repoRoot, into: projectRoot, projects }) : { commit: '', files: [] };
const projectModes = [
  { name: 'strict', typed: false, rules: '[plugin.configs.strict]' },
  { name: 'parser only (typed)', typed: true, rules: '[]' },
  { name: 'recommended-type-checked', typed: true, rules: "[plugin.configs['recommended-type-checked']]" },
  { name: 'strict-type-checked', typed: true, rules: "[plugin.configs['strict-type-checked']]" },
];
if (runProject) {
  for (const [index, projectMode] of projectModes.entries()) {
    const config = join(workDir, `eslint.project.${index}.mjs`);
    writeFileSync(
      config,
      projectConfigSource({
        cwd: repoRoot,
        root: projectRoot,
        projects,
        typed: projectMode.typed,
        rules: projectMode.rules,
        pluginUrl: pathToFileURL(pluginEntry).href,
        tseslintUrl: pathToFileURL(join(repoRoot, 'node_modules/typescript-eslint/dist/index.js')).href,
      }),
    );
    // What the rules find, not what the authors silenced: inline `eslint-disable` comments are ignored.
    modes.push({ name: `project: ${projectMode.name}`, project: true, config, files: extracted.files, extraArgs: ['--no-inline-config'] });
  }
}

/** Runs ESLint once; returns wall ms, the per-rule ms from the TIMING table and ESLint's JSON results. */
function runOnce(mode) {
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [
      eslintBin, '--config', mode.config, '--no-warn-ignored', ...(mode.extraArgs ?? []),
      '--stats', '--format', 'json', '--output-file', join(workDir, 'out.json'), ...mode.files,
    ],
    { cwd: repoRoot, env: { ...process.env, TIMING: 'all' }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0 && child.status !== 1) {
    throw new Error(`eslint failed for ${mode.name} (exit ${child.status}):\n${child.stderr.slice(0, 4000)}`);
  }
  const rules = {};
  for (const line of child.stdout.split('\n')) {
    const match = /^(\S+)\s*\|\s*([\d.]+)\s*\|/.exec(line);
    if (match && match[1] !== 'Rule') rules[match[1]] = Number(match[2]);
  }
  // --stats: ESLint's own time per file (parse + rules + fixes), without process start-up and loading.
  const results = JSON.parse(readFileSync(join(workDir, 'out.json'), 'utf8'));
  let lintMs = 0;
  let parseMs = 0;
  for (const result of results) {
    for (const pass of result.stats?.times?.passes ?? []) {
      lintMs += pass.total ?? 0;
      parseMs += pass.parse?.total ?? 0;
    }
  }
  return { wallMs, lintMs, parseMs, rules, results };
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

const samples = new Map(modes.map((mode) => [mode.name, []]));
for (let round = 0; round < repeats; round++) {
  // Interleaved: a slow moment on a shared machine hits every mode, not one.
  for (const mode of modes) {
    const run = runOnce(mode);
    samples.get(mode.name).push(run);
    console.error(`round ${round + 1}/${repeats} ${mode.name}: ${run.wallMs.toFixed(0)} ms`);
  }
}

const ms = (value) => value.toFixed(0);
const seconds = (value) => (value / 1000).toFixed(1);
const pct = (value) => `${(value * 100).toFixed(1)}%`;
const agentLagMs = (run) => Object.entries(run.rules).filter(([rule]) => rule.startsWith('@agent-lag/')).reduce((sum, [, value]) => sum + value, 0);

if (runSample) {
  console.log(`Corpus: ${syntacticFiles.length} files (syntactic modes), ${typedFiles.length} TypeScript files (typed modes), from node_modules.`);
  console.log(`Node ${process.version}, ${repeats} interleaved repeats, medians.\n`);
  console.log('| mode | files | wall ms | ESLint lint ms (--stats) | parse ms | all rules ms (TIMING) | agent-lag rules ms | agent-lag share of lint time | agent-lag share of wall |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const mode of modes.filter((entry) => !entry.project)) {
    const runs = samples.get(mode.name);
    const wall = median(runs.map((run) => run.wallMs));
    const lint = median(runs.map((run) => run.lintMs));
    const parse = median(runs.map((run) => run.parseMs));
    const allRules = median(runs.map((run) => Object.values(run.rules).reduce((sum, value) => sum + value, 0)));
    const ours = median(runs.map(agentLagMs));
    console.log(`| ${mode.name} | ${mode.files.length} | ${ms(wall)} | ${ms(lint)} | ${ms(parse)} | ${ms(allRules)} | ${ms(ours)} | ${pct(ours / lint)} | ${pct(ours / wall)} |`);
  }
  console.log('\nSlowest agent-lag rules (median ms, strict):');
  const strictRuns = samples.get('strict');
  const ruleNames = [...new Set(strictRuns.flatMap((run) => Object.keys(run.rules)))].filter((rule) => rule.startsWith('@agent-lag/'));
  for (const rule of ruleNames.sort()) console.log(`- ${rule}: ${median(strictRuns.map((run) => run.rules[rule] ?? 0)).toFixed(1)}`);
}

if (runProject) {
  console.log(`\nProject: ${projects.join(', ')} at ${extracted.commit} (${extracted.files.length} TypeScript files under src, each package with its own tsconfig.json).`);
  console.log(`Node ${process.version}, ${repeats} interleaved repeats, medians; inline eslint-disable comments ignored.\n`);
  console.log('| mode | wall s | ESLint lint s (--stats) | parse s | agent-lag rules s (TIMING) | no-blocking-helper s | agent-lag reports | no-blocking-helper reports |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const mode of modes.filter((entry) => entry.project)) {
    const runs = samples.get(mode.name);
    const last = runs.at(-1);
    console.log(
      `| ${mode.name.replace('project: ', '')} | ${seconds(median(runs.map((run) => run.wallMs)))} | ${seconds(median(runs.map((run) => run.lintMs)))} | ` +
        `${seconds(median(runs.map((run) => run.parseMs)))} | ${seconds(median(runs.map(agentLagMs)))} | ` +
        `${seconds(median(runs.map((run) => run.rules['@agent-lag/no-blocking-helper'] ?? 0)))} | ${agentLagReportCount(last.results)} | ${helperReports(last.results, projectRoot).length} |`,
    );
  }
  const typedRuns = samples.get('project: strict-type-checked');
  console.log('\nno-blocking-helper reports (strict-type-checked):');
  for (const line of helperReports(typedRuns.at(-1).results, projectRoot)) console.log(`- ${line}`);
}
