import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from './monitor-helpers.js';

// How a run's context reaches its tool's code, in a real process whose tools block in execSync: before
// their first await, and after one. `true` (the default) names every block; `'auto'` names the first
// block after an await by why it cannot (and from then on propagates async context, so the next is
// named); `false` never propagates it.

const FIXTURE = fileURLToPath(new URL('./fixtures/agents-core/async-context.mjs', import.meta.url));
const temp = tempDir();
afterAll(() => temp.remove());

async function runTools(asyncContext?: boolean | 'auto', env: Record<string, string> = {}): Promise<{ blocks: unknown[]; stderr: string }> {
  const child = spawn(process.execPath, [FIXTURE], {
    env: { ...process.env, ...env, AGENT_LAG_TEST: JSON.stringify(asyncContext === undefined ? {} : { asyncContext }), XDG_RUNTIME_DIR: temp.dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  try {
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).toBe(0);
    return { blocks: (JSON.parse(stdout) as { blocks: unknown[] }).blocks, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

const tool = (name: string) => ({ 'gen_ai.operation.name': 'execute_tool', 'agent_lag.sdk': 'test', 'gen_ai.tool.name': name });
const missing = { 'agent_lag.context_missing': 'async-context-off' };
const everyBlockNamed = [tool('sync_part'), tool('after_await'), tool('after_await_again')];

describe("a run's async context", () => {
  it('reaches a block after an await by default', async () => {
    expect(await runTools()).toEqual({ blocks: everyBlockNamed, stderr: '' });
  }, 60_000);

  it("in 'auto', names only the synchronous part until a block shows the context missing, and every block after it", async () => {
    expect(await runTools('auto')).toEqual({ blocks: [tool('sync_part'), missing, tool('after_await_again')], stderr: '' });
  }, 60_000);

  it("in 'auto' from AGENT_LAG_AGENT_ASYNC_CONTEXT, as configured in code", async () => {
    expect(await runTools(undefined, { AGENT_LAG_AGENT_ASYNC_CONTEXT: 'auto' })).toEqual({ blocks: [tool('sync_part'), missing, tool('after_await_again')], stderr: '' });
  }, 60_000);

  it('off, never reaches past an await, and says why each time', async () => {
    expect(await runTools(false)).toEqual({ blocks: [tool('sync_part'), missing, missing], stderr: '' });
  }, 60_000);

  it('takes a value of AGENT_LAG_AGENT_ASYNC_CONTEXT that is not on, off or auto as on, with one warning', async () => {
    const { blocks, stderr } = await runTools(undefined, { AGENT_LAG_AGENT_ASYNC_CONTEXT: 'sometimes' });
    expect(blocks).toEqual(everyBlockNamed);
    expect(stderr.replace(/\(node:\d+\)/, '(node:PID)').split('\n')[0]).toBe(
      '(node:PID) [AGENT_LAG_AGENT_ASYNC_CONTEXT] Warning: agent-lag: AGENT_LAG_AGENT_ASYNC_CONTEXT="sometimes" is not on, off or auto: runs propagate async context (on)',
    );
    expect(stderr.match(/AGENT_LAG_AGENT_ASYNC_CONTEXT\]/g)).toHaveLength(1);
  }, 60_000);
});
