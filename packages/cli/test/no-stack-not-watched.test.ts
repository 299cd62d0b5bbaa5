import { describe, expect, it } from 'vitest';
import { describeNoStackReason } from '../src/report/describe.js';

describe("describeNoStackReason('not-watched')", () => {
  it('says the watchdog had not started, not that the block was repeated, rate-limited or lag-only', () => {
    // A block the monitor knows began before its watchdog looked (a worker slow to start on a loaded machine).
    expect(describeNoStackReason('not-watched')).toBe('no stack: not watched, the watchdog had not started yet');
    // No parentheses inside: the terminal wraps each reason in its own.
    expect(describeNoStackReason('not-watched')).not.toMatch(/[()]/);
  });
});
