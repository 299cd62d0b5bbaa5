import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BlockEvent, MonitorEvent } from '../src/types.js';
import { run } from '../../../test/helpers/spawn.js';
import { blocksDuring, blocksOf, tempDir, type BlockWindow } from './monitor-helpers.js';

// A real traced process (@opentelemetry/api, sdk-trace-base, the AsyncLocalStorage context manager)
// blocks inside spans: the block events carry those spans' ids, read by the monitor without importing
// the OpenTelemetry API. With the sync wrappers on, a native call's context comes from the wrapper's report.

const FIXTURE = fileURLToPath(new URL('./fixtures/agents-core/trace.mjs', import.meta.url));

interface TraceOutput {
  spans: Record<'spin' | 'exec', { traceId: string; spanId: string }>;
  windows: BlockWindow[];
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** The block the fixture caused in `kind`'s window, recognised by its blocking function on the stack. */
function blockOf(blocks: BlockEvent[], output: TraceOutput, kind: string, functionName: string): BlockEvent {
  const window = output.windows.find((candidate) => candidate.kind === kind);
  expect(window, kind).toBeDefined();
  const found = blocksDuring(blocks, window as BlockWindow).filter((block) => block.stack.some((frame) => frame.functionName === functionName));
  expect(found.length, `${kind}: ${JSON.stringify(blocks)}`).toBeGreaterThan(0);
  return found[0] as BlockEvent;
}

describe('trace ids: a block inside an active OpenTelemetry span names the span', () => {
  for (const syncWrappers of [false, true]) {
    it(`carries trace_id and span_id of the span it blocked in${syncWrappers ? ', with the sync wrappers on' : ''}`, async () => {
      const dir = tempDir();
      cleanups.push(() => dir.remove());
      const report = join(dir.dir, 'events.ndjson');
      const result = await run([FIXTURE], {
        env: { ...process.env, AGENT_LAG_TEST: JSON.stringify({ options: { syncWrappers } }), AGENT_LAG_TEST_REPORT: report, XDG_RUNTIME_DIR: dir.dir },
        timeoutMs: 60_000,
      });
      expect(result.code, result.stderr).toBe(0);
      const output = JSON.parse(result.stdout.trim().split('\n').pop() ?? '') as TraceOutput;
      const events = readFileSync(report, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as MonitorEvent);
      const blocks = blocksOf(events);

      // A busy loop in the span's synchronous part: the pause reads the span from the paused thread.
      expect(blockOf(blocks, output, 'spin', 'spinInSpan').context).toEqual({ trace_id: output.spans.spin.traceId, span_id: output.spans.spin.spanId });
      // execSync after an await inside the span, in a monitor context of its own: both are merged.
      const execWindow = output.windows.find((candidate) => candidate.kind === 'exec') as BlockWindow;
      const sampledInExec = blocksDuring(blocks, execWindow).some((block) => block.stack.some((frame) => frame.functionName === 'execSyncInSpan'));
      if (syncWrappers || sampledInExec) {
        expect(blockOf(blocks, output, 'exec', 'execSyncInSpan').context).toEqual({
          kind: 'exec',
          trace_id: output.spans.exec.traceId,
          span_id: output.spans.exec.spanId,
        });
      } else {
        // Without the wrappers a native call is sampled once it has returned; on a loaded machine the
        // watchdog's request can come after the code has left the span, and the block is then marked late.
        expect(blocksDuring(blocks, execWindow).some((block) => block.late), JSON.stringify(blocks)).toBe(true);
      }
      // Outside any span: no ids (the previous spans have ended).
      const outside = blockOf(blocks, output, 'outside', 'spinOutsideSpans');
      expect(outside.context?.trace_id).toBeUndefined();
      expect(outside.context?.span_id).toBeUndefined();
    }, 90_000);
  }
});
