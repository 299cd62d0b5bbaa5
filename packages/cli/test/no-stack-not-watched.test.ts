import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { describeNoStack, describeNoStackReason } from '../src/report/describe.js';
import { readLiveEvent } from '../src/report/read-log.js';
import { formatBlockLine } from '../src/shared/format.js';
import type { BlockEvent } from '../src/shared/monitor-types.js';

const plain = new Chalk({ level: 0 });

// A block the monitor knows began before its watchdog looked (a worker slow to start on a loaded machine).
const unwatched: BlockEvent = { type: 'block', startedAt: 1_796_000_000_000, durationMs: 420, stack: [], inFlight: null, context: null, late: false, noStack: 'not-watched' };

describe("a block the watchdog never watched ('not-watched')", () => {
  it('is worded as such, not as repeated, rate-limited or lag-only', () => {
    expect(describeNoStackReason('not-watched')).toBe('no stack: not watched, the watchdog had not started yet');
    // No parentheses inside: the terminal wraps each reason in its own.
    expect(describeNoStackReason('not-watched')).not.toMatch(/[()]/);
  });

  it("says so in run's and watch's live line", () => {
    expect(formatBlockLine(unwatched, plain)).toBe('block 420 ms  (no stack: not watched, the watchdog had not started yet)');
  });

  it("says so in report's tables, from the event's own reason", () => {
    const event = readLiveEvent({ ...unwatched });
    expect(event?.type === 'block' ? describeNoStack(event.record, 'full') : null).toBe('no stack: not watched, the watchdog had not started yet');
  });
});
