import { mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTail } from '../src/run/file-tail.js';
import { MAX_LINE_CHARS, NdjsonSplitter } from '../src/shared/ndjson.js';

describe('NdjsonSplitter', () => {
  it('hands on each object once its line ends, across chunks, and skips what is not an object', () => {
    const splitter = new NdjsonSplitter();
    expect(splitter.push('{"a":1}\n{"b":')).toEqual([{ a: 1 }]);
    expect(splitter.push('2}')).toEqual([]);
    expect(splitter.push('\n[1,2]\nnot json\n{"torn":\n  {"c":3}  \n')).toEqual([{ b: 2 }, { c: 3 }]);
    expect(splitter.push('{"d":4}')).toEqual([]);
    expect(splitter.flush()).toEqual([{ d: 4 }]);
    expect(splitter.flush()).toEqual([]);
    expect(splitter.oversizeLines).toBe(0);
  });

  it('drops a line over the cap as it arrives, counts it at once, and goes on after it', () => {
    const splitter = new NdjsonSplitter(100);
    expect(splitter.push('{"before":1}\n{"x":"')).toEqual([{ before: 1 }]);
    // 100 characters of one line are the most it holds; the 101st drops the line before its end is seen.
    expect(splitter.push('y'.repeat(93))).toEqual([]);
    expect(splitter.oversizeLines).toBe(0);
    expect(splitter.push('yy')).toEqual([]);
    expect(splitter.oversizeLines).toBe(1);
    expect(splitter.push(`${'y'.repeat(10_000)}"}\n{"after":2}\n`)).toEqual([{ after: 2 }]);
    expect(splitter.oversizeLines).toBe(1);
    // A line of exactly the cap is kept.
    const exact = `{"k":"${'z'.repeat(100 - 8)}"}`;
    expect(exact).toHaveLength(100);
    expect(splitter.push(`${exact}\n`)).toEqual([{ k: 'z'.repeat(92) }]);
    expect(splitter.oversizeLines).toBe(1);
  });

  it('holds at most the cap of an endless line fed in 64 KiB chunks (8 MiB by default)', () => {
    const splitter = new NdjsonSplitter();
    const chunk = 'x'.repeat(64 * 1024);
    const chunks = (MAX_LINE_CHARS / chunk.length) * 4; // 32 MiB of one line
    for (let i = 0; i < chunks; i++) splitter.push(chunk);
    expect(splitter.oversizeLines).toBe(1);
    // What it holds: nothing of the dropped line (the private buffer, read for the bound itself).
    expect((splitter as unknown as { pendingChars: number }).pendingChars).toBe(0);
    expect(splitter.push('\n{"ok":true}\n')).toEqual([{ ok: true }]);
  });
});

describe('FileTail', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-file-tail-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('follows a file as it grows, past an endless line, and hands on a last line without a newline at stop', async () => {
    const path = join(scratch, 'events.ndjson');
    const seen: Record<string, unknown>[] = [];
    const tail = new FileTail(path, (object) => seen.push(object));
    await tail.poll(); // not created yet: nothing, no error
    expect(tail.openError).toBeNull();
    writeFileSync(path, '{"type":"block","n":1}\n{"type":"bl');
    await tail.poll();
    expect(seen).toEqual([{ type: 'block', n: 1 }]);
    appendFileSync(path, 'ock","n":2}\n');
    // A writer gone wrong: 9 MiB with no newline, then the log goes on.
    appendFileSync(path, `{"junk":"${'j'.repeat(9 * 1024 * 1024)}"}\n{"type":"lag","n":3}\n{"type":"summary"}`);
    await tail.poll();
    expect(seen).toEqual([
      { type: 'block', n: 1 },
      { type: 'block', n: 2 },
      { type: 'lag', n: 3 },
    ]);
    await tail.stop();
    expect(seen.at(-1)).toEqual({ type: 'summary' });
    expect(seen).toHaveLength(4);
  });

  it('says why a path it cannot read was not read (a directory)', async () => {
    const tail = new FileTail(scratch, () => undefined);
    await tail.poll();
    expect(tail.openError).toBe('EISDIR');
  });
});
