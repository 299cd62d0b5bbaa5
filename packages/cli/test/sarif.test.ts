import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lint } from '../src/lint/run-lint.js';
import { toSarif, type SarifLog } from '../src/lint/sarif.js';

/*
 * toSarif on what the real ESLint reports with agent-lag's rules, for a scratch project: the exact
 * SARIF for one finding, and the SARIF 2.1.0 shape code-scanning services require (OASIS SARIF 2.1.0:
 * §3.13 sarifLog, §3.14 run, §3.19 tool.driver, §3.27 result, §3.28 location, §3.30 region).
 */

const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-sarif-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function project(name: string, files: Record<string, string>): string {
  const dir = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function lintProject(dir: string, paths: string[]) {
  const outcome = await lint({ paths, preset: 'recommended', typeAware: false, configLookup: false, cwd: dir });
  return { outcome, rulesMeta: outcome.eslint.getRulesMetaForResults(outcome.results) };
}

/** What SARIF 2.1.0 requires of the parts we write, as a list of what is wrong (empty when valid). */
function sarifShapeErrors(log: SarifLog): string[] {
  const errors: string[] = [];
  const check = (ok: boolean, what: string) => ok || errors.push(what);
  check(log.version === '2.1.0', 'version is "2.1.0"');
  check(/^https:\/\/.*sarif.*2\.1\.0.*\.json$/.test(log.$schema), '$schema names the 2.1.0 schema');
  check(Array.isArray(log.runs) && log.runs.length === 1, 'one run');
  for (const run of log.runs) {
    const { driver } = run.tool;
    check(typeof driver.name === 'string' && driver.name.length > 0, 'tool.driver.name');
    check(Array.isArray(driver.rules), 'tool.driver.rules is an array');
    check(new Set(driver.rules.map((r) => r.id)).size === driver.rules.length, 'rule ids are unique');
    for (const [id, base] of Object.entries(run.originalUriBaseIds)) {
      check(/^file:\/\/\/.*\/$/.test(base.uri), `originalUriBaseIds.${id}.uri is an absolute file URI ending in /`);
    }
    for (const result of run.results) {
      check(typeof result.message.text === 'string' && result.message.text.length > 0, 'result.message.text');
      check(['none', 'note', 'warning', 'error'].includes(result.level), 'result.level');
      if (result.ruleIndex !== undefined) check(driver.rules[result.ruleIndex]?.id === result.ruleId, 'ruleIndex points at the rule of ruleId');
      check(result.locations.length >= 1, 'a result has a location');
      for (const { physicalLocation } of result.locations) {
        const { artifactLocation, region } = physicalLocation;
        check(!artifactLocation.uri.startsWith('/') && !/^[a-z]+:/.test(artifactLocation.uri), 'the artifact uri is relative');
        check(artifactLocation.uri === encodeURI(decodeURI(artifactLocation.uri)), 'the artifact uri is percent-encoded');
        check(artifactLocation.uriBaseId in run.originalUriBaseIds, 'uriBaseId is defined in originalUriBaseIds');
        check(Number.isInteger(region.startLine) && region.startLine >= 1, 'region.startLine ≥ 1');
        check(Number.isInteger(region.startColumn) && region.startColumn >= 1, 'region.startColumn ≥ 1');
        if (region.endLine !== undefined) check(region.endLine >= region.startLine, 'region.endLine ≥ startLine');
        // endColumn is the column after the region's last character (§3.30.8), as ESLint's endColumn is.
        if (region.endColumn !== undefined && (region.endLine ?? region.startLine) === region.startLine) {
          check(region.endColumn > region.startColumn, 'region.endColumn > startColumn on one line');
        }
      }
    }
  }
  return errors;
}

describe('toSarif', () => {
  it('writes one finding exactly: the rule, the relative percent-encoded file, the region ESLint reported', async () => {
    const source = ["import { readFileSync } from 'node:fs';", '', 'export async function loadConfig() {', "  return readFileSync('config.json', 'utf8');", '}', ''].join('\n');
    const dir = project('one', { 'package.json': '{"type":"module"}\n', 'src/tool handlers/load config.js': source });
    const { outcome, rulesMeta } = await lintProject(dir, ['src']);
    const messages = outcome.results.flatMap((r) => r.messages);
    expect(messages, JSON.stringify(messages)).toHaveLength(1);
    const [message] = messages;
    expect(message?.ruleId).toMatch(/^@agent-lag\//);
    const ruleId = message!.ruleId!;
    const docs = rulesMeta[ruleId]?.docs;
    expect(docs?.description).toBeTruthy();
    expect(docs?.url).toBeTruthy();

    const log = toSarif(outcome.results, rulesMeta, { baseDir: outcome.baseDir, version: '1.2.3' });
    // The call is on line 4 from column 10 (1-based); ESLint's end column is the one after the last character.
    const callStart = source.split('\n')[3]!.indexOf('readFileSync') + 1;
    expect(callStart).toBe(10);
    expect(message).toMatchObject({ line: 4, column: callStart });
    expect(log).toEqual({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'agent-lag',
              version: '1.2.3',
              informationUri: 'https://www.npmjs.com/package/agent-lag',
              rules: [{ id: ruleId, shortDescription: { text: docs!.description }, helpUri: docs!.url }],
            },
          },
          originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(outcome.baseDir).href}/` } },
          results: [
            {
              ruleId,
              ruleIndex: 0,
              level: message!.severity === 2 ? 'error' : 'warning',
              message: { text: message!.message },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'src/tool%20handlers/load%20config.js', uriBaseId: '%SRCROOT%' },
                    region: { startLine: 4, startColumn: 10, endLine: message!.endLine, endColumn: message!.endColumn },
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    // The region covers the call the rule names: from `readFileSync` to at most the end of its arguments.
    const region = log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region;
    const line = source.split('\n')[3]!;
    expect(line.slice(region.startColumn - 1, region.endColumn! - 1)).toMatch(/^readFileSync(\('config\.json', 'utf8'\))?$/);
    expect(sarifShapeErrors(log)).toEqual([]);
    // What is written is plain JSON: the same after a round trip.
    expect(JSON.parse(JSON.stringify(log))).toEqual(log);
  });

  it('lists each rule once however many results use it, and keeps a parse error as an error without a rule', async () => {
    const dir = project('many', {
      'package.json': '{"type":"module"}\n',
      'a.js': "import fs from 'node:fs';\nexport const a = async () => fs.readFileSync('a');\nexport const b = async () => fs.readFileSync('b');\n",
      'b.js': "import { execSync } from 'node:child_process';\nexport const c = async () => execSync('ls');\n",
      'broken.js': 'export const = ;\n',
    });
    const { outcome, rulesMeta } = await lintProject(dir, ['.']);
    const log = toSarif(outcome.results, rulesMeta, { baseDir: outcome.baseDir, version: '0.0.0' });
    expect(sarifShapeErrors(log)).toEqual([]);
    const [run] = log.runs;
    const byFile = (uri: string) => run!.results.filter((r) => r.locations[0]?.physicalLocation.artifactLocation.uri === uri);
    expect(byFile('a.js').map((r) => r.locations[0]?.physicalLocation.region.startLine)).toEqual([2, 3]);
    expect(byFile('b.js')).toHaveLength(1);
    const parse = byFile('broken.js');
    expect(parse).toHaveLength(1);
    expect(parse[0]).toMatchObject({ level: 'error', locations: [{ physicalLocation: { region: { startLine: 1 } } }] });
    expect(parse[0]).not.toHaveProperty('ruleId');
    expect(parse[0]).not.toHaveProperty('ruleIndex');
    const used = new Set(run!.results.flatMap((r) => (r.ruleId ? [r.ruleId] : [])));
    expect(run!.tool.driver.rules.map((r) => r.id).sort()).toEqual([...used].sort());
  });
});
