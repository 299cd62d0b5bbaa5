import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createInFlightBuffer, installSyncWrappers } from '../src/inflight/index.js';
import type { BlockEvent } from '../src/types.js';
import { run } from '../../../test/helpers/spawn.js';
import { blocksOf, fixture, runFixture, tempDir } from './monitor-helpers.js';

const temp = tempDir();
afterAll(() => temp.remove());

const source = readFileSync(fixture('json-builtins.mjs'), 'utf8').split('\n');
const lineOf = (marker: string): number => source.findIndex((line) => line.includes(marker)) + 1;
const fixtureUrl = pathToFileURL(fixture('json-builtins.mjs')).href;
const mb = (length: number): number => length / 2 ** 20;

/** The user frame on top of a block's stack (the wrapper's own frames are this package's and are left out). */
const topFrame = (block: BlockEvent) => block.stack[0];

describe('size-gated wrappers of V8 built-ins', () => {
  it('name a JSON.parse and a JSON.stringify of tens of MB while they run, with the exact size and the caller line', async () => {
    const result = await runFixture('json-builtins.mjs', { options: { thresholdMs: 100, startupGraceMs: 300, syncWrappers: true, socket: false } }, temp.dir, { timeoutMs: 90_000 });
    expect(result.code, result.stderr).toBe(0);
    const output = result.output as unknown as { parseLength: number; stringifyLength: number };
    const blocks = blocksOf(result.events);

    const parse = blocks.find((block) => block.inFlight?.api === 'JSON.parse');
    expect(parse, JSON.stringify(blocks)).toBeDefined();
    expect(parse!.inFlight!.hint).toBe(`${Math.round(mb(output.parseLength))} MB`);
    expect(topFrame(parse!)).toMatchObject({ url: fixtureUrl, line: lineOf('PARSE_LINE'), functionName: 'parseToolResult' });
    expect(parse!.late).toBe(false);

    const stringify = blocks.find((block) => block.inFlight?.api === 'JSON.stringify');
    expect(stringify, JSON.stringify(blocks)).toBeDefined();
    // Named while it ran (no size yet); the exact size of its output comes from the wrapper's report.
    expect(stringify!.inFlight).toEqual({ api: 'JSON.stringify', hint: `${Math.round(mb(output.stringifyLength))} MB` });
    expect(topFrame(stringify!)).toMatchObject({ url: fixtureUrl, line: lineOf('STRINGIFY_LINE'), functionName: 'serialiseToolResult' });
    expect(stringify!.late).toBe(false);
  });

  it('below the gate return what the built-ins return, throw what they throw, keep name and length, and uninstall', () => {
    const original = { parse: JSON.parse, stringify: JSON.stringify, structuredClone: globalThis.structuredClone };
    const wrappers = installSyncWrappers({ buffer: createInFlightBuffer(), slowCallMs: 10, isAfterStartup: () => true });
    try {
      expect(wrappers.apis).toEqual(expect.arrayContaining(['JSON.parse', 'JSON.stringify', 'structuredClone']));
      expect(JSON.parse).not.toBe(original.parse);
      expect([JSON.parse.name, JSON.parse.length, JSON.stringify.name, JSON.stringify.length]).toEqual(['parse', 2, 'stringify', 3]);
      expect(structuredClone.name).toBe(original.structuredClone.name);

      const text = '{"a":1,"b":[1,2,{"c":"x"}],"d":"2020-01-01T00:00:00.000Z"}';
      const reviver = function (this: unknown, key: string, value: unknown) {
        return typeof value === 'number' ? value * 10 : value;
      };
      expect(JSON.parse(text, reviver)).toEqual(original.parse(text, reviver));
      expect(JSON.parse(text)).toEqual(original.parse(text));
      // A non-string is converted by the built-in, the same way.
      expect(JSON.parse({ toString: () => '[1]' } as unknown as string)).toEqual([1]);

      const value = { a: 1, when: new Date(0), nested: { toJSON: () => 'custom' }, list: [1, 'two', null, undefined], skip: undefined };
      const replacer = (key: string, v: unknown) => (key === 'a' ? 'A' : v);
      for (const args of [[value], [value, replacer], [value, ['a', 'list'], 2], [value, null, '\t'], ['a string'], [undefined], [() => 1]] as const) {
        expect(JSON.stringify(...(args as [unknown]))).toBe(original.stringify(...(args as [unknown])));
      }

      const errorOf = (fn: () => unknown): { type: string; message: string } => {
        try {
          fn();
        } catch (error) {
          return { type: (error as Error).constructor.name, message: (error as Error).message };
        }
        return { type: 'none', message: '' };
      };
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      const wrappedErrors = [errorOf(() => JSON.parse('{bad')), errorOf(() => JSON.stringify(cyclic)), errorOf(() => JSON.stringify({ n: 1n })), errorOf(() => structuredClone(() => 1))];
      wrappers.uninstall();
      const originalErrors = [errorOf(() => JSON.parse('{bad')), errorOf(() => JSON.stringify(cyclic)), errorOf(() => JSON.stringify({ n: 1n })), errorOf(() => structuredClone(() => 1))];
      expect(wrappedErrors).toEqual(originalErrors);
      expect(wrappedErrors.map((e) => e.type)).toEqual(['SyntaxError', 'TypeError', 'TypeError', 'DOMException']);
    } finally {
      wrappers.uninstall();
    }
    expect(JSON.parse).toBe(original.parse);
    expect(JSON.stringify).toBe(original.stringify);
    expect(globalThis.structuredClone).toBe(original.structuredClone);
  });

  it('leave a --frozen-intrinsics host alone: it runs and exits as without the monitor', async () => {
    const report = join(temp.dir, 'frozen.ndjson');
    const result = await run(['--frozen-intrinsics', '--import', '@agent-lag/runtime-monitor/register', fixture('frozen-app.mjs')], {
      env: { ...process.env, AGENT_LAG_REPORT: report, AGENT_LAG_THRESHOLD_MS: '100', AGENT_LAG_STARTUP_GRACE_MS: '0', AGENT_LAG_SOCKET: 'off', XDG_RUNTIME_DIR: temp.dir },
      cwd: fixture(''),
      timeoutMs: 60_000,
    });
    // frozen-app.mjs sets exit code 3 once it has run to its end.
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toContain('"done":true');
    expect(result.stderr).not.toMatch(/TypeError|Cannot assign to read only/);
  });
});
