import { chmod, lstat, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, repoRoot } from './helpers/paths.js';
import { jsonLines, startLive } from './helpers/live-process.js';
import { run } from './helpers/spawn.js';

const fixtures = join(repoRoot, 'test/fixtures/cli-run');
const blockingTool = join(fixtures, 'blocking-tool.mjs');
const quiet = join(fixtures, 'quiet.mjs');
const wedge = join(fixtures, 'wedge.mjs');
// The preload's default start-up grace (1 s) would hide blocks of a script this short.
const env = { ...process.env, AGENT_LAG_STARTUP_GRACE_MS: '50', NO_COLOR: '1' };

function runCli(args: string[], cwd = repoRoot) {
  return run([cliBin, 'run', ...args], { cwd, env });
}

/** The summary's "worst blocks" entries, each as its lines (the numbered one first). */
function worstBlockEntries(summary: string): string[][] {
  const lines = summary.split('\n');
  const entries: string[][] = [];
  for (const line of lines.slice(lines.indexOf('  worst blocks') + 1)) {
    if (/^\s+\d+\. /.test(line)) entries.push([line]);
    else if (/^ {5,}\S/.test(line) && entries.length > 0) entries.at(-1)!.push(line);
    else break;
  }
  return entries;
}

describe('agent-lag run on a script that blocks', () => {
  it('streams each block as it happens and summarises lag, stalls, worst stacks and sync call sites', async () => {
    const result = await runCli(['--threshold-ms', '50', '--', process.execPath, blockingTool]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('tool output\n');
    const lines = result.stderr.split('\n');
    const streamed = lines.filter((line) => line.startsWith('[agent-lag] block'));
    expect(streamed.some((line) => line.includes('child_process.execSync "sleep 0.3"') && line.includes('runShellToolSynchronously'))).toBe(true);
    expect(streamed.some((line) => line.includes('summariseTranscriptInALoop'))).toBe(true);
    // The streamed lines come before the summary, i.e. as the blocks happened.
    const summaryAt = lines.findIndex((line) => line.startsWith('agent-lag run:'));
    expect(summaryAt).toBeGreaterThan(lines.findIndex((line) => line.includes('summariseTranscriptInALoop')));

    const summary = lines.slice(summaryAt).join('\n');
    expect(summary).toMatch(/event-loop lag\s+p50 [\d.]+ ms\s+p90 [\d.]+ m?s\s+p99 [\d.]+ m?s\s+max [\d.]+ m?s/);
    const stalls = /stalls > 50 ms\s+(\d+)/.exec(summary);
    expect(Number(stalls?.[1])).toBeGreaterThanOrEqual(2);
    // The shell call among the worst blocks, with its own stack (its rank depends on the machine: on a loaded one
    // the 250 ms loop can last longer than the 300 ms sleep).
    const worst = worstBlockEntries(summary);
    const shell = worst.find((entry) => /^\s+\d+\. [\d.]+ m?s\s+child_process\.execSync "sleep 0\.3"$/.test(entry[0]!));
    expect(shell, summary).toBeDefined();
    expect(shell).toContainEqual(expect.stringMatching(/^\s+at runShellToolSynchronously \(test\/fixtures\/cli-run\/blocking-tool\.mjs:6:3\)$/));
    expect(summary).toMatch(/at summariseTranscriptInALoop \(test\/fixtures\/cli-run\/blocking-tool\.mjs:\d+:\d+\)/);
    expect(summary).toMatch(/top sync call sites\n\s+child_process\.execSync\s+test\/fixtures\/cli-run\/blocking-tool\.mjs:6:3\s+1 call, total/);
  });

  it('says how many requests were in flight during a block in a service under the HTTP middleware', async () => {
    const result = await runCli(['--threshold-ms', '50', '--', process.execPath, join(fixtures, 'blocking-route.mjs')]);
    expect(result.code, result.stderr).toBe(0);
    // The block this test caused (a busy machine may add stalls of its own).
    const streamed = result.stderr.split('\n').filter((line) => line.startsWith('[agent-lag] block') && line.includes('child_process.execSync'));
    // The tool request that blocked and the two agent runs it kept waiting. (ended): it was first shown
    // while still running ("BLOCKED … and counting").
    expect(streamed).toEqual([expect.stringMatching(/child_process\.execSync "sleep 0\.3" .*http\.route=\/tools\/\* .* 3 requests in flight( {2}\(ended\))?$/)]);
  });

  it('says when a stack could only be taken once a native call returned, and points at the line that made it', async () => {
    const result = await runCli(['--json', '--', process.execPath, join(fixtures, 'native-hash.mjs')]);
    expect(result.code, result.stderr).toBe(0);
    // The block this test caused: the one whose stack names the function that hashed.
    const blocks = jsonLines(result.stdout.split('\n')).filter((event) => event['type'] === 'block' && event['ongoing'] !== true);
    const hash = blocks.find((event) => JSON.stringify(event['stack']).includes('hashTheUpload'));
    expect(hash, result.stdout).toBeDefined();
    // V8 took the sample at the first JavaScript after update() returned: digest(), on the line that called update().
    const frames = hash!['stack'] as { functionName: string; url: string; line: number }[];
    const app = frames.find((frame) => frame.url.endsWith('native-hash.mjs'));
    expect(app).toMatchObject({ functionName: 'hashTheUpload', line: 8 });
    expect(hash).toMatchObject({ late: false, inFlight: null });
    expect(hash!['stackDelayMs']).toBeGreaterThanOrEqual(100);
    expect(hash!['stackDelayMs']).toBeLessThanOrEqual(hash!['durationMs'] as number);
    // report says it of the same block, in the same words the live line uses.
    const dir = await mkdtemp(join(tmpdir(), 'agent-lag-native-'));
    try {
      const log = join(dir, 'events.ndjson');
      await writeFile(log, result.stdout);
      const report = await run([cliBin, 'report', log], { cwd: repoRoot, env });
      const said = `(the stack waited ${String(hash!['stackDelayMs'])} ms for native code to return (a call no wrapper names, or garbage collection): the block is in what ran just before the line shown)`;
      const entry = report.stdout.split('\n').findIndex((line) => line.includes('at hashTheUpload (test/fixtures/cli-run/native-hash.mjs:8:'));
      expect(entry, report.stdout).toBeGreaterThan(1);
      expect(report.stdout.split('\n').slice(entry - 3, entry).map((line) => line.trim())).toContain(said);
      const html = join(dir, 'report.html');
      expect((await run([cliBin, 'report', log, '--html', html], { cwd: repoRoot, env })).code).toBe(0);
      expect(await readFile(html, 'utf8')).toContain(`<div class="dim no-stack">${said.slice(1, -1)}</div>`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('passes the child\'s exit code through', async () => {
    const result = await runCli(['--', process.execPath, blockingTool, '3']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('(exit 3,');
  });

  it('exits 128+15 when the child is killed by SIGTERM', async () => {
    const result = await runCli(['--', process.execPath, blockingTool, '0', 'sigterm']);
    expect(result.code).toBe(128 + 15);
    expect(result.stderr).toContain('killed by SIGTERM');
  });

  it('--fail-on-block-ms fails the run (exit 1) only when a block was longer', async () => {
    const failing = await runCli(['--threshold-ms', '50', '--fail-on-block-ms', '150', '--', process.execPath, blockingTool]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/agent-lag: a block of [\d.]+ m?s exceeded --fail-on-block-ms 150/);

    const passing = await runCli(['--threshold-ms', '50', '--fail-on-block-ms', '60000', '--', process.execPath, blockingTool]);
    expect(passing.code).toBe(0);
    const clean = await runCli(['--fail-on-block-ms', '150', '--', process.execPath, quiet]);
    expect(clean.code).toBe(0);
    expect(clean.stderr).toMatch(/stalls > 100 ms\s+none/);
  });

  it('--json writes the event log as NDJSON on stdout and moves the command\'s stdout to stderr', async () => {
    const result = await runCli(['--json', '--threshold-ms', '50', '--startup-grace-ms', '0', '--', process.execPath, blockingTool]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const events = jsonLines(lines);
    expect(events).toHaveLength(lines.length);
    const blocks = events.filter((e) => e['type'] === 'block') as { inFlight: { api: string } | null; stack: { functionName: string }[] }[];
    expect(blocks.some((b) => b.inFlight?.api === 'child_process.execSync')).toBe(true);
    expect(blocks.some((b) => b.stack.some((f) => f.functionName === 'summariseTranscriptInALoop'))).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'summary', thresholdMs: 50 });
    expect(result.stderr).toContain('tool output');
  });

  it('works through npm start (NODE_OPTIONS reaches the app npm starts)', async () => {
    const result = await runCli(['--threshold-ms', '50', '--', 'npm', 'start', '--silent'], join(fixtures, 'npm-app'));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/\[agent-lag\] block .*child_process\.execSync "sleep 0\.3".*runShellToolSynchronously/);
    expect(result.stderr).toContain('agent-lag run: npm start --silent');
  });
});

describe('agent-lag run on a script that wedges', () => {
  it('shows a block still running as "BLOCKED … and counting", and one that never ended in the summary', async () => {
    // The killed app cannot remove its control socket: keep it in a directory of ours.
    const runtimeDir = await mkdtemp(join(tmpdir(), 'agent-lag-run-wedge-'));
    const live = startLive([cliBin, 'run', '--threshold-ms', '100', '--', process.execPath, wedge], {
      cwd: repoRoot,
      env: { ...env, AGENT_LAG_ONGOING_REPORT_MS: '1000', XDG_RUNTIME_DIR: runtimeDir },
    });
    try {
      const wedged = /\[agent-lag\] BLOCKED [\d.]+ m?s and counting {2}at spinForeverInAToolHandler/;
      for (let waited = 0; !wedged.test(live.stderr()); waited += 100) {
        if (waited > 60_000 || live.child.exitCode !== null) throw new Error(`no BLOCKED line for the wedge; stderr:\n${live.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // The app is wedged for good: stop it the way a supervisor would (run forwards SIGTERM).
      live.child.kill('SIGTERM');
      const { code } = await live.exited;
      expect(code).toBe(128 + 15);
      const stderr = live.stderr();
      const lines = stderr.split('\n');
      // The 2.5 s block: first while it ran (once, or again each time its age doubled), then once when it ended.
      const first = lines.findIndex((line) => /^\[agent-lag\] BLOCKED [\d.]+ m?s and counting {2}at blockForAWhileThenGoOn/.test(line));
      const ended = lines.findIndex((line) => /^\[agent-lag\] block [\d.]+ s {2}at blockForAWhileThenGoOn .*\(ended\)$/.test(line));
      expect(first, stderr).toBeGreaterThanOrEqual(0);
      expect(ended, stderr).toBeGreaterThan(first);
      expect(lines.filter((line) => line.startsWith('[agent-lag] block') && line.includes('at blockForAWhileThenGoOn'))).toHaveLength(1);

      const summary = lines.slice(lines.findIndex((line) => line.startsWith('agent-lag run:'))).join('\n');
      expect(summary).toContain('killed by SIGTERM');
      expect(summary).toMatch(/never ended\s+1\s+block still running when the process died \(killed while blocked\?\); counted in the stalls/);
      // run saw its child exit: the block lasted at least until then.
      expect(summary, stderr).toMatch(/≥ [\d.]+ m?s, never ended {2}\(still running when the process exited\) {2}at spinForeverInAToolHandler/);
      // The ended 2.5 s block is the worst, with its stack; the one that never ended is listed (and counted) too.
      const worst = summary.slice(summary.indexOf('worst blocks'));
      expect(worst, stderr).toMatch(/1\. [\d.]+ s\n\s+at blockForAWhileThenGoOn/);
    } finally {
      await live.stop();
      // Should run's forwarding have failed, the wedged app would spin on: its socket names its pid.
      for (const name of await readdir(runtimeDir)) {
        const pid = Number(/^agent-lag-(\d+)\.sock$/.exec(name)?.[1]);
        // Only if that pid is still our fixture (a dead one's pid may have been reused).
        const cmdline = pid > 0 ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
        if (cmdline.includes(wedge)) process.kill(pid, 'SIGKILL');
      }
      await rm(runtimeDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('agent-lag run on a script that wedges while it starts', () => {
  it('says why a block that never ended has no stack: it began in the start-up grace; report on its log says the same', async () => {
    const runtimeDir = await mkdtemp(join(tmpdir(), 'agent-lag-run-starting-'));
    const log = join(runtimeDir, 'events.ndjson');
    const live = startLive([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--startup-grace-ms', '600000', '--', process.execPath, join(fixtures, 'wedge-while-starting.mjs')], {
      cwd: repoRoot,
      env: { ...env, XDG_RUNTIME_DIR: runtimeDir },
    });
    let pid = 0;
    try {
      // A checkpoint saw the wedge in progress: then kill the app, as a supervisor's SIGKILL would.
      for (let waited = 0; pid === 0; waited += 100) {
        if (waited > 60_000 || live.child.exitCode !== null) throw new Error(`no checkpoint with the wedge in progress; stderr:\n${live.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const events = jsonLines((await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line !== ''));
        const checkpoint = events.find((event) => event['type'] === 'checkpoint' && typeof event['ongoing'] === 'object' && event['ongoing'] !== null);
        if (checkpoint !== undefined) pid = Number(checkpoint['pid']);
      }
      process.kill(pid, 'SIGKILL');
      const { code } = await live.exited;
      expect(code).toBe(128 + 9);
      const why = '(no stack: it began in the start-up grace, when stacks are not sampled)';
      expect(live.stderr()).toMatch(/\n {7}≥ [\d.]+ m?s, never ended {2}\(still running when the process exited\) {2}\(no stack: /);
      expect(live.stderr()).toContain(`never ended  (still running when the process exited)  ${why}\n`);
      const report = await run([cliBin, 'report', log], { cwd: repoRoot, env });
      const lines = report.stdout.split('\n');
      const entry = lines.findIndex((line) => /^ {2}1\. +≥ [\d.]+ m?s {2}NEVER ENDED$/.test(line));
      expect(entry, report.stdout).toBeGreaterThan(0);
      expect(lines[entry + 1]).toBe(`       ${why}`);
    } finally {
      await live.stop();
      await killLeftovers(runtimeDir, 'wedge-while-starting.mjs');
      await rm(runtimeDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('agent-lag run --report', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag run report '));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('keeps the monitor\'s NDJSON event log, even in a directory with spaces', async () => {
    const report = join(scratch, 'events.ndjson');
    const result = await runCli(['--report', report, '--threshold-ms', '50', '--', process.execPath, blockingTool]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`event log: ${report}`);
    const events = jsonLines((await readFile(report, 'utf8')).trim().split('\n'));
    expect(events.filter((e) => e['type'] === 'block').length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)?.['type']).toBe('summary');
  });

  /** The pids of the processes that wrote `report`'s lines. */
  async function pidsIn(report: string): Promise<number[]> {
    const events = jsonLines((await readFile(report, 'utf8')).trim().split('\n'));
    return [...new Set(events.map((e) => e['pid'] as number))];
  }

  it('starts the file afresh at each run: a second run reports its own process only, and the file holds its events only', async () => {
    const report = join(scratch, 'twice.ndjson');
    const args = ['--report', report, '--threshold-ms', '50', '--', process.execPath, blockingTool];
    const first = await runCli(args);
    expect(first.code, first.stderr).toBe(0);
    const firstPids = await pidsIn(report);
    expect(firstPids).toHaveLength(1);

    const second = await runCli(args);
    expect(second.code, second.stderr).toBe(0);
    const secondPids = await pidsIn(report);
    // One process, and not the first run's.
    expect(secondPids).toHaveLength(1);
    expect(secondPids).not.toContain(firstPids[0]);
    // The first run's blocks are not shown again as live lines: the shell call once, as it ended.
    const lines = second.stderr.split('\n');
    expect(lines.filter((line) => /^\[agent-lag\] block .*child_process\.execSync "sleep 0\.3"/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /^\[agent-lag\] block .*at summariseTranscriptInALoop/.test(line))).toHaveLength(1);
    // One process in the figures (several would be listed "(pid …: n, pid …: n)"), its two blocks the worst.
    const summary = lines.slice(lines.findIndex((line) => line.startsWith('agent-lag run:'))).join('\n');
    expect(summary).not.toMatch(/pid \d+/);
    const stalls = Number(/stalls > 50 ms\s+(\d+)/.exec(summary)?.[1]);
    const blocksInFile = jsonLines((await readFile(report, 'utf8')).trim().split('\n')).filter((e) => e['type'] === 'block' && e['ongoing'] !== true);
    expect(stalls, summary).toBe(blocksInFile.length);
    expect(worstBlockEntries(summary).filter((entry) => entry[0]!.includes('child_process.execSync "sleep 0.3"'))).toHaveLength(1);
    expect(summary).toContain(`event log: ${report}`);
  }, 60_000);

  /** A command that leaves `marker` behind if it runs at all. */
  const leavesMarker = (marker: string) => [process.execPath, '-e', 'require("node:fs").writeFileSync(process.argv[1], "ran")', marker];

  it('refuses a symbolic link at the --report path: one error line, exit 2, the link\'s target untouched, the command not run', async () => {
    const target = join(scratch, 'precious.txt');
    await writeFile(target, 'precious\n', { mode: 0o600 });
    const link = join(scratch, 'link.ndjson');
    await symlink(target, link);
    const marker = join(scratch, 'ran-through-link');
    const result = await runCli(['--report', link, '--', ...leavesMarker(marker)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`agent-lag: --report ${link}: it is a symbolic link; not following it\n`);
    expect(result.stdout).toBe('');
    expect(await readFile(target, 'utf8')).toBe('precious\n');
    expect(await readlink(link)).toBe(target);
    await expect(lstat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a --report file others can write (0666): one error line, exit 2, the file untouched, the command not run', async () => {
    const report = join(scratch, 'shared.ndjson');
    await writeFile(report, '{"type":"earlier"}\n');
    // chmod, not writeFile's mode: the umask would take the group's and others' write away.
    await chmod(report, 0o666);
    const marker = join(scratch, 'ran-with-shared');
    const result = await runCli(['--report', report, '--', ...leavesMarker(marker)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`agent-lag: --report ${report}: it has mode 0666: others can write it (chmod go-w to use it)\n`);
    expect(result.stdout).toBe('');
    expect(await readFile(report, 'utf8')).toBe('{"type":"earlier"}\n');
    expect((await stat(report)).mode & 0o777).toBe(0o666);
    await expect(lstat(marker)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('agent-lag run: bad usage is one line and exit code 2', () => {
  it.each([
    [[], /missing required argument 'command'/],
    [['--threshold-ms', 'fast', '--', 'node', '-e', '1'], /--threshold-ms expects a number of milliseconds from 1 to 600000, got "fast"/],
    // What the monitor refuses (it takes 1..600000) is refused before anything runs, not silently defaulted.
    [['--threshold-ms', '0.5', '--', 'node', '-e', '1'], /--threshold-ms expects a number of milliseconds from 1 to 600000, got "0\.5"/],
    [['--threshold-ms', '1e20', '--', 'node', '-e', '1'], /--threshold-ms expects a number of milliseconds from 1 to 600000, got "1e20"/],
    [['--in-flight-sla-ms', '0', '--', 'node', '-e', '1'], /--in-flight-sla-ms expects a number of milliseconds from 1 to 86400000, got "0"/],
    [['--fail-on-block-ms', '-5', '--', 'node', '-e', '1'], /--fail-on-block-ms expects a positive number/],
    [['--startup-grace-ms', '-1', '--', 'node', '-e', '1'], /--startup-grace-ms expects 0 or a positive number/],
    [['--', 'agent-lag-no-such-command-xyz'], /command not found: agent-lag-no-such-command-xyz/],
    [['--report', repoRoot, '--', 'node', '-e', '1'], /^agent-lag: --report \/.*: it is a directory$/m],
  ])('%j', async (args, message) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr.trim().split('\n').filter((line) => !line.startsWith('(run agent-lag --help'))).toHaveLength(1);
  });
});

describe('agent-lag run on several processes sharing one log', () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag-run-multi-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('counts every child\'s stalls, and report on the log says the same', async () => {
    // bash multi.sh: three Node children at once, two 300 ms blocks each.
    const log = join(scratch, 'multi.ndjson');
    const result = await run([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', 'bash', join(fixtures, 'multi.sh')], {
      cwd: repoRoot,
      env: { ...env, NODE: process.execPath, AGENT_LAG_STARTUP_GRACE_MS: '500' },
    });
    expect(result.code, result.stderr).toBe(0);
    const summary = result.stderr.slice(result.stderr.indexOf('agent-lag run:'));
    // Each child's summary counts its own stalls: at least its two blocks (a busy machine may add some).
    const perProcess = /\(pid (\d+): (\d+), pid (\d+): (\d+), pid (\d+): (\d+)\)/.exec(summary);
    expect(perProcess, result.stderr).not.toBeNull();
    const counts = [perProcess?.[2], perProcess?.[4], perProcess?.[6]].map(Number);
    for (const count of counts) expect(count).toBeGreaterThanOrEqual(2);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(summary).toMatch(new RegExp(`stalls > 100 ms\\s+${total} {2}total`));
    expect(summary).toMatch(/at blockThreeHundredMs/);

    // report on the same log: the same stalls, not just the last process's.
    const json = await run([cliBin, 'report', log, '--json'], { cwd: repoRoot, env });
    expect(json.code, json.stderr).toBe(0);
    const model = JSON.parse(json.stdout) as { stalls: { count: number }; processes: { pid: number | null; stalls: { count: number } }[] };
    expect(model.stalls.count).toBe(total);
    expect(model.processes.map((p) => [p.pid, p.stalls.count]).sort()).toEqual(
      [[perProcess?.[1], counts[0]], [perProcess?.[3], counts[1]], [perProcess?.[5], counts[2]]].map(([pid, count]) => [Number(pid), count]).sort(),
    );
    const text = await run([cliBin, 'report', log], { cwd: repoRoot, env });
    expect(text.stdout).toMatch(new RegExp(` ${total} stalls over 100 ms`));
  }, 90_000);
});

/** Kills a fixture a failed test left running: a monitored process's socket in `runtimeDir` names its pid. */
async function killLeftovers(runtimeDir: string, script: string): Promise<void> {
  for (const name of await readdir(runtimeDir)) {
    const pid = Number(/^agent-lag-(\d+)\.sock$/.exec(name)?.[1]);
    // Only if that pid is still our fixture (a dead one's pid may have been reused).
    const cmdline = pid > 0 ? await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '') : '';
    if (cmdline.includes(script)) process.kill(pid, 'SIGKILL');
  }
}

describe('agent-lag run --fail-on-block-ms fails closed', () => {
  const killed = join(fixtures, 'block-then-sigkill.mjs');
  // A process killed by SIGKILL cannot remove its control socket: keep it in a directory of ours.
  let runtimeDir: string;
  const runKilled = (args: string[]) => run([cliBin, 'run', ...args], { cwd: repoRoot, env: { ...env, XDG_RUNTIME_DIR: runtimeDir } });

  beforeAll(async () => {
    runtimeDir = await mkdtemp(join(tmpdir(), 'agent-lag-run-killed-'));
  });

  afterAll(async () => {
    await rm(runtimeDir, { recursive: true, force: true });
  });
  const exceeded = /agent-lag: a block of at least [\d.]+ m?s \(never ended\) exceeded --fail-on-block-ms 300/;

  it('fails on a 700 ms block the process was killed in (SIGKILL: no final event, no summary)', async () => {
    // Through a shell that exits 0, so the gate decides the exit code.
    const result = await runKilled(['--fail-on-block-ms', '300', '--', 'sh', '-c', '"$0" "$1"; exit 0', process.execPath, killed]);
    expect(result.stderr).toMatch(exceeded);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/never ended\s+1\s+block still running when the process died/);
    expect(result.stderr).toMatch(/≥ [\d.]+ m?s, never ended .*at blockThenGetKilled/);
  }, 60_000);

  it('says why when the killed process is the command itself (its 128+9 exit wins), and report on its log says the same', async () => {
    const log = join(runtimeDir, 'killed.ndjson');
    const result = await runKilled(['--report', log, '--fail-on-block-ms', '300', '--', process.execPath, killed]);
    expect(result.code).toBe(128 + 9);
    expect(result.stderr).toMatch(exceeded);
    // run saw it exit: the block lasted at least until then, 700 ms or more (more on a loaded machine). Its
    // start is an estimate good to a few ms (the beat, the loop's idle counter and two processes' epoch
    // stamps are each whole ms): 695 still tells the block's whole length, to the exit, from the ongoing
    // event's age (~300 ms).
    const line = /≥ (?:(\d+) ms|([\d.]+) s), never ended {2}\(still running when the process exited\) {2}at blockThenGetKilled/.exec(result.stderr);
    expect(line, result.stderr).not.toBeNull();
    expect(line?.[1] !== undefined ? Number(line[1]) : Number(line?.[2]) * 1000, result.stderr).toBeGreaterThanOrEqual(695);

    // run wrote when it saw the process gone into the log: report gives the block the same length, and the
    // process the same end (the checkpoint's age before it), where the log alone ends at the last line.
    const events = jsonLines((await readFile(log, 'utf8')).trim().split('\n'));
    const pid = events.find((e) => e['type'] === 'block')?.['pid'];
    const gone = events.filter((e) => e['type'] === 'gone');
    expect(gone.map((e) => [e['pid'], typeof e['at']])).toEqual([[pid, 'number']]);
    const text = await run([cliBin, 'report', log], { cwd: repoRoot, env });
    expect(text.stdout, text.stderr).toContain(`1.  ≥ ${line?.[1] !== undefined ? `${line[1]} ms` : `${line?.[2]} s`}  NEVER ENDED`);
    const checkpointAge = /figures from its last checkpoint, [\d.]+ m?s before its end/.exec(result.stderr)?.[0];
    if (checkpointAge !== undefined) expect(text.stdout).toContain(checkpointAge);
  }, 60_000);

  it('fails when the event log cannot be read (a directory put in its place once the run started)', async () => {
    // A directory given as --report is refused before the command starts: the command makes it one.
    const log = join(runtimeDir, 'made-a-directory');
    const result = await runKilled(['--report', log, '--fail-on-block-ms', '300', '--', 'sh', '-c', 'rm "$0" && mkdir "$0" && exec "$1" "$2"', log, process.execPath, quiet]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`could not read the monitor's event log ${log} (EISDIR)`);
    expect(result.stderr).toContain('agent-lag: --fail-on-block-ms 300: the monitor reported nothing (no event from any process, or its event log could not be read), so the gate cannot know: failing');
  });

  it('fails when the monitor reported nothing at all', async () => {
    const result = await runCli(['--fail-on-block-ms', '300', '--', 'sh', '-c', 'exit 0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the monitor reported nothing: is the command a Node\.js program/);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('agent-lag:'))).toEqual([
      'agent-lag: --fail-on-block-ms 300: the monitor reported nothing (no event from any process, or its event log could not be read), so the gate cannot know: failing',
    ]);
  });
});

describe('agent-lag run stopped with Ctrl-C', () => {
  it('reports the figures of the last checkpoint of a process killed without its summary', async () => {
    const runtimeDir = await mkdtemp(join(tmpdir(), 'agent-lag-run-sigint-'));
    const log = join(runtimeDir, 'events.ndjson');
    const live = startLive([cliBin, 'run', '--report', log, '--threshold-ms', '100', '--', process.execPath, join(fixtures, 'stall-every-2s.mjs')], {
      cwd: repoRoot,
      env: { ...env, XDG_RUNTIME_DIR: runtimeDir },
    });
    try {
      // Repeated stacks are de-duplicated out of the block lines; the checkpoints count every stall.
      const checkpointed = async () => {
        const text = await readFile(log, 'utf8').catch(() => '');
        const counts = jsonLines(text.split('\n').filter((line) => line.includes('"type":"checkpoint"'))).map((e) => (e['stalls'] as { count: number }).count);
        return Math.max(0, ...counts);
      };
      for (let waited = 0; (await checkpointed()) < 2; waited += 100) {
        if (waited > 60_000 || live.child.exitCode !== null) throw new Error(`no checkpoint with 2 stalls; stderr:\n${live.stderr()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      // What Ctrl-C does from a terminal; our stdin is not one, so run forwards it to the app.
      live.child.kill('SIGINT');
      const { code } = await live.exited;
      expect(code).toBe(128 + 2);
      const stderr = live.stderr();
      const summary = stderr.slice(stderr.indexOf('agent-lag run:'));
      expect(summary, stderr).toMatch(/pid \d+ ended without a summary \(killed\?\): figures from its last checkpoint, [\d.]+ m?s before its end/);
      expect(summary).not.toContain('the monitor wrote no summary');
      expect(summary).toMatch(/event-loop lag\s+p50/);
      const stalls = Number(/stalls > 100 ms\s+(\d+)/.exec(summary)?.[1]);
      expect(stalls, stderr).toBeGreaterThanOrEqual(await checkpointed());
      // report on the same log says the same.
      const model = JSON.parse((await run([cliBin, 'report', log, '--json'], { cwd: repoRoot, env })).stdout) as { stalls: { count: number }; lag: unknown };
      expect(model.stalls.count).toBe(stalls);
      expect(model.lag).not.toBeNull();
    } finally {
      await live.stop();
      await killLeftovers(runtimeDir, 'stall-every-2s.mjs');
      await rm(runtimeDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('agent-lag run leaves nothing behind', () => {
  it('removes the scratch folder of an earlier run that was killed (its pid gone), and its own', async () => {
    // A pid no process has: the run that made this folder was SIGKILLed before it could clean up.
    const stale = await mkdtemp(join(tmpdir(), 'agent-lag-run-4194303-'));
    const result = await runCli(['--', process.execPath, '-e', '1']);
    expect(result.code, result.stderr).toBe(0);
    const left = (await readdir(tmpdir())).filter((name) => name === stale.split('/').pop());
    expect(left).toEqual([]);
  });
});

describe('agent-lag run on an agent tool that blocks (trackRun, #17)', () => {
  const toolBlock = join(repoRoot, 'test/fixtures/cli-agents/tool-block.mjs');
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'agent-lag-run-agents-'));
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("lists the tool's calls, blocks and blocked time beside the blocks in the summary, and the agent's runs", async () => {
    const report = join(scratch, 'events.ndjson');
    const result = await runCli(['--report', report, '--', process.execPath, toolBlock, 'once']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('tool done\n');
    // The block this test caused: the 400 ms busy loop inside the tool call, named to the tool and agent.
    const events = jsonLines((await readFile(report, 'utf8')).trim().split('\n'));
    // Its final event (it may first be logged as ongoing, with its age so far).
    const block = events.find(
      (e) => e['type'] === 'block' && e['ongoing'] !== true && (e['context'] as Record<string, unknown> | null)?.['gen_ai.tool.name'] === 'summarize_repo',
    );
    expect(block, result.stderr).toBeDefined();
    const durationMs = block?.['durationMs'] as number;
    expect(durationMs).toBeGreaterThanOrEqual(400);

    const lines = result.stderr.split('\n');
    const summary = lines.slice(lines.findIndex((line) => line.startsWith('agent-lag run:'))).join('\n');
    // The tools table: one call, one block, its time the block's (to run's rounding). Waited is what the
    // call sat through of other stalls (none, unless a loaded machine stalled during its 20 ms sleep).
    const ms = `${Math.round(durationMs)} ms`;
    expect(summary).toMatch(
      new RegExp(
        [
          '\n  tools',
          ' {7}tool {12}calls  blocks  blocked   worst +waited',
          ` {7}summarize_repo {6}1 {7}1   ${ms}  ${ms} +[\\d.]+ m?s\n`,
        ].join('\n'),
      ),
    );
    // The run's agent, with no run left in flight at the end.
    expect(summary).toContain(
      ['  agent runs in flight  (at the end)', '       agent   tenant  runs in flight  oldest', '       triage  –                    0       –'].join('\n'),
    );
  }, 60_000);
});
