import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import plugin from '@agent-lag/eslint-plugin';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

// Acceptance: the real ESLint with the `recommended` preset on the example agent service reports
// every call marked `// planted: <api>` exactly once, and nothing else (start-up code included).
const serviceDir = join(repoRoot, 'examples/agent-service');

interface Planted {
  readonly file: string;
  readonly line: number;
  readonly api: string;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.[cm]?js$/.test(entry.name) && !entry.parentPath.includes('node_modules'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

async function plantedCalls(files: readonly string[]): Promise<Planted[]> {
  const planted: Planted[] = [];
  for (const file of files) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((text, index) => {
      const api = /\/\/ planted: (\S+)/.exec(text)?.[1];
      if (api) planted.push({ file: relative(serviceDir, file), line: index + 1, api });
    });
  }
  return planted;
}

describe('recommended preset on examples/agent-service', () => {
  let planted: Planted[];
  let reports: { file: string; line: number; ruleId: string | null; message: string; fatal: boolean }[];

  beforeAll(async () => {
    const files = await sourceFiles(serviceDir);
    planted = await plantedCalls(files);
    const eslint = new ESLint({
      cwd: serviceDir,
      overrideConfigFile: true,
      overrideConfig: [plugin.configs.recommended],
    });
    const results = await eslint.lintFiles(files);
    reports = results.flatMap((result) =>
      result.messages.map((message) => ({
        file: relative(serviceDir, result.filePath),
        line: message.line,
        ruleId: message.ruleId,
        message: message.message,
        fatal: message.fatal ?? false,
      })),
    );
  });

  it('has planted blocking calls to find', () => {
    expect(planted.length).toBeGreaterThanOrEqual(2);
  });

  it('reports each planted call exactly once, naming its API', () => {
    for (const call of planted) {
      const here = reports.filter((report) => report.file === call.file && report.line === call.line);
      expect(here, `${call.file}:${call.line} ${call.api}`).toHaveLength(1);
      expect(here[0]?.message).toContain(`\`${call.api}\``);
      expect(here[0]?.ruleId).toMatch(/^@agent-lag\//);
    }
  });

  it('reports nothing else: no start-up code, no parse errors', () => {
    const plantedLines = new Set(planted.map((call) => `${call.file}:${call.line}`));
    expect(reports.filter((report) => !plantedLines.has(`${report.file}:${report.line}`))).toEqual([]);
  });
});
