import * as childProcess from 'node:child_process';
import * as crypto from 'node:crypto';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { callInFlight, createInFlightBuffer, HINT_BYTES, installSyncWrappers, markStallSeen, readInFlight, readReport, WRAPPED_APIS, type SyncWrappers } from '../src/inflight/index.js';
import { runReportedSection } from '../src/inflight/sections.js';
import { InFlightWriter } from '../src/inflight/record.js';
import { installContextAccessor, installRequestsInFlightCounter, PAUSE_EXPRESSION, withContext } from '../src/context/index.js';
import { quickExpression } from '../src/capture/stack-capturer.js';

let wrappers: SyncWrappers | undefined;
afterEach(() => {
  wrappers?.uninstall();
  wrappers = undefined;
});

const install = (slowCallMs = 10_000, isAfterStartup = () => true): SyncWrappers =>
  (wrappers = installSyncWrappers({ buffer: createInFlightBuffer(), slowCallMs, isAfterStartup }));

describe('installSyncWrappers', () => {
  it('wraps every catalog built-in marked wrapAtRuntime that exists in this Node', () => {
    const { apis } = install();
    expect(apis).toEqual(expect.arrayContaining(['fs.readFileSync', 'child_process.execSync', 'crypto.pbkdf2Sync', 'zlib.gzipSync', 'Atomics.wait']));
    expect(apis.every((id) => WRAPPED_APIS.some((api) => api.id === id))).toBe(true);
  });

  it('keeps name, length and own properties callers rely on', () => {
    const realpathNative = fs.realpathSync.native;
    const originalLength = fs.readFileSync.length;
    install();
    expect(fs.readFileSync.name).toBe('readFileSync');
    expect(fs.readFileSync.length).toBe(originalLength);
    expect(fs.realpathSync.native).toBe(realpathNative);
    expect(fs.realpathSync('/')).toBe('/');
  });

  it('restores the originals exactly on uninstall, and uninstall is idempotent', () => {
    const originals = [fs.readFileSync, fs.opendirSync, crypto.pbkdf2Sync, childProcess.execSync, Atomics.wait];
    const opendirDescriptor = Object.getOwnPropertyDescriptor(fs, 'opendirSync');
    const handle = install();
    expect(fs.readFileSync).not.toBe(originals[0]);
    expect(Atomics.wait).not.toBe(originals[4]);
    handle.uninstall();
    handle.uninstall();
    expect([fs.readFileSync, fs.opendirSync, crypto.pbkdf2Sync, childProcess.execSync, Atomics.wait]).toEqual(originals);
    expect(Object.getOwnPropertyDescriptor(fs, 'opendirSync')).toEqual(opendirDescriptor);
  });

  it('leaves a patch made on top of the wrapper in place on uninstall', () => {
    const handle = install();
    const mock = (): string => 'mocked';
    const wrapped = fs.existsSync;
    fs.existsSync = mock as unknown as typeof fs.existsSync;
    try {
      handle.uninstall();
      expect(fs.existsSync).toBe(mock);
    } finally {
      fs.existsSync = wrapped;
    }
  });

  it('refuses a second install until the first is uninstalled', () => {
    install();
    expect(() => installSyncWrappers({ buffer: createInFlightBuffer(), slowCallMs: 1, isAfterStartup: () => true })).toThrow(/already installed/);
  });

  it('passes results, this and exceptions through, and clears the record after a throw', () => {
    const buffer = createInFlightBuffer();
    wrappers = installSyncWrappers({ buffer, slowCallMs: 10_000, isAfterStartup: () => true });
    expect(fs.existsSync('/')).toBe(true);
    expect(() => fs.readFileSync('/definitely/not/here')).toThrow(expect.objectContaining({ code: 'ENOENT' }) as Error);
    expect(readInFlight(buffer)).toBeNull();
    expect(() => Atomics.wait(new Int32Array(4), 0, 0, 0)).toThrow(TypeError);
    expect(readInFlight(buffer)).toBeNull();
    const rows = wrappers.syncCalls();
    expect(rows.find((row) => row.api === 'fs.readFileSync')).toMatchObject({ site: null, count: 1 });
  });

  it('counts only calls made after start-up, and nested Node calls only once', () => {
    let startedUp = false;
    const handle = install(10_000, () => startedUp);
    fs.existsSync('/');
    expect(handle.syncCalls()).toEqual([]);
    startedUp = true;
    // readFileSync calls fs.openSync, fs.readSync and fs.closeSync internally.
    fs.readFileSync(new URL(import.meta.url));
    const apis = handle.syncCalls().map((row) => row.api);
    expect(apis).toContain('fs.readFileSync');
    expect(apis).not.toContain('fs.openSync');
    expect(apis).not.toContain('fs.closeSync');
  });

  it('locates slow calls at the caller in the application, not in Node or this package', () => {
    const handle = install(0);
    fs.statSync('/');
    const row = handle.syncCalls().find((entry) => entry.api === 'fs.statSync');
    expect(row?.site).toMatch(/inflight\.test\.ts:\d+:\d+$/);
  });
});

describe('readInFlight', () => {
  it('returns null for an empty record and for one the main thread is still writing', () => {
    const buffer = createInFlightBuffer();
    expect(readInFlight(buffer)).toBeNull();
    new InFlightWriter(buffer).begin(0, 'x');
    const sequence = new Int32Array(buffer, 0, 1);
    Atomics.add(sequence, 0, 1); // a write that never finishes
    expect(readInFlight(buffer)).toBeNull();
  });

  it('bounds the hint to HINT_BYTES, cut at a UTF-8 character boundary', () => {
    const buffer = createInFlightBuffer();
    const writer = new InFlightWriter(buffer);
    const index = WRAPPED_APIS.findIndex((api) => api.id === 'fs.readFileSync');
    writer.begin(index, `/${'é'.repeat(500)}`);
    const record = readInFlight(buffer);
    expect(record?.api).toBe('fs.readFileSync');
    expect(Buffer.byteLength(record?.hint ?? '')).toBeLessThanOrEqual(HINT_BYTES);
    expect(record?.hint).toMatch(/^\/é+$/);
    writer.beginWithBytes(index, Buffer.from('/from/a/buffer'));
    expect(readInFlight(buffer)).toEqual({ api: 'fs.readFileSync', hint: '/from/a/buffer' });
    writer.clear();
    expect(readInFlight(buffer)).toBeNull();
  });

  it('rejects a buffer that is too small', () => {
    expect(() => readInFlight(new SharedArrayBuffer(8))).toThrow(RangeError);
  });
});

describe('callInFlight', () => {
  it("gives each wrapped call's sequence while it runs, a marked one's too, and none for a section or between calls", () => {
    const buffer = createInFlightBuffer();
    const writer = new InFlightWriter(buffer);
    expect(callInFlight(buffer)).toBeNull();
    const first = writer.begin(0, 'x');
    expect(callInFlight(buffer)).toBe(first);
    // Read, not marked: its wrapper will not report.
    expect(writer.stallSeen(first)).toBe(false);
    writer.clear();
    expect(callInFlight(buffer)).toBeNull();
    const second = writer.begin(0, 'y');
    expect(second).not.toBe(first);
    expect(callInFlight(buffer)).toBe(second);
    writer.clear();
    const section = writer.enterSection();
    expect(callInFlight(buffer)).toBeNull();
    const marked = writer.mark(0);
    expect(callInFlight(buffer)).toBe(marked);
    writer.unmark(marked);
    writer.leaveSection(section);
    expect(callInFlight(buffer)).toBeNull();
    // A call beginning (its sequence odd mid-write): the sequence it is getting, not the one before.
    Atomics.add(new Int32Array(buffer, 0, 1), 0, 1);
    expect(callInFlight(buffer)).toBe(second + 2);
  });
});

describe('a reported section (code that may block in native code, an MCP transport sending a response)', () => {
  interface SectionReport {
    api: string | null;
    context: Record<string, unknown> | null;
    stack: string;
  }
  const reportOf = (buffer: SharedArrayBuffer, sequence: number | null): SectionReport | null => {
    const json = sequence === null ? null : readReport(buffer, sequence);
    return json === null ? null : (JSON.parse(json) as SectionReport);
  };
  const runWork = (work: () => void): void => work();
  /** `work` as a reported section, which names the callers of this function, as the MCP adapter's send does. */
  function sendInSection(work: () => void): void {
    runReportedSection(sendInSection, runWork, null, work, undefined);
  }
  const firstFrame = (report: SectionReport | null): string | undefined => report?.stack.split('\n')[1];

  it('after a stall the watchdog saw during it, reports its context and its caller\'s stack, naming no API', () => {
    const buffer = createInFlightBuffer();
    wrappers = installSyncWrappers({ buffer, slowCallMs: 10_000, isAfterStartup: () => true });
    let seen: number | null = null;
    withContext({ 'gen_ai.tool.name': 'export_transcript' }, () => sendInSection(() => (seen = markStallSeen(buffer))));
    expect(seen).toBeLessThan(0);
    const report = reportOf(buffer, seen);
    expect(report).toMatchObject({ api: null, context: { 'gen_ai.tool.name': 'export_transcript' } });
    // From the caller of the section's named function on: this test, not the section or this package.
    expect(firstFrame(report)).toMatch(/inflight\.test\.ts:\d+:\d+\)?$/);
    expect(report?.stack).not.toMatch(/sendInSection|runReportedSection|sections\.(ts|js)/);
    // Once it returned, no section is running: nothing to mark.
    expect(markStallSeen(buffer)).toBeNull();
  });

  it('leaves the report to a wrapped call in flight inside it, which names its API', () => {
    const buffer = createInFlightBuffer();
    wrappers = installSyncWrappers({ buffer, slowCallMs: 10_000, isAfterStartup: () => true });
    let seen: number | null = null;
    sendInSection(() => JSON.stringify({ a: 1 }, (key, value: unknown) => (key === 'a' ? (seen = markStallSeen(buffer), value) : value)));
    expect(reportOf(buffer, seen)).toMatchObject({ api: 'JSON.stringify' });
  });

  it('nested in another, is part of the outer one, which reports', () => {
    const buffer = createInFlightBuffer();
    wrappers = installSyncWrappers({ buffer, slowCallMs: 10_000, isAfterStartup: () => true });
    let seen: number | null = null;
    sendInSection(() => sendInSection(() => (seen = markStallSeen(buffer))));
    expect(reportOf(buffer, seen)).toMatchObject({ api: null });
    expect(firstFrame(reportOf(buffer, seen))).toMatch(/inflight\.test\.ts:\d+:\d+\)?$/);
  });

  it('without the monitor, is a plain call', () => {
    let ran = false;
    sendInSection(() => (ran = true));
    expect(ran).toBe(true);
  });
});

describe("the watchdog's expressions on the main thread", () => {
  it('(the pause probe, the quick sample) serialise with JSON.stringify as it was before the wrappers, so an evaluation during a block is never named as its API', () => {
    const buffer = createInFlightBuffer();
    wrappers = installSyncWrappers({ buffer, slowCallMs: 10_000, isAfterStartup: () => true });
    installContextAccessor();
    const seen: unknown[] = [];
    // An element whose toJSON runs inside the expression's own stringify: what is in flight at that moment.
    const probe = { toJSON: () => (seen.push(readInFlight(buffer)), 0) };
    installRequestsInFlightCounter(() => probe as unknown as number);
    try {
      const [idle, context, requests] = JSON.parse((0, eval)(PAUSE_EXPRESSION) as string) as unknown[];
      expect([typeof idle, context, requests]).toEqual(['number', null, 0]);
      expect(seen).toEqual([null]);
      // The quick sample's expression (a stack, then the pause expression's probe) likewise.
      const [stack, pauseProbe] = JSON.parse((0, eval)(quickExpression(null)) as string) as unknown[];
      expect([typeof stack, typeof pauseProbe]).toEqual(['string', 'string']);
      expect(seen).toEqual([null, null]);
      // The same serialisation through the wrapped JSON.stringify is marked while it runs.
      JSON.stringify([probe]);
      expect(seen).toEqual([null, null, { api: 'JSON.stringify', hint: null }]);
    } finally {
      installRequestsInFlightCounter(() => 0);
    }
  });
});
