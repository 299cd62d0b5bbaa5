#!/usr/bin/env node
/*
 * `agent-lag report` on a generated 300 MB event log of three processes (~330,000 events): wall time,
 * peak RSS (from /usr/bin/time), and whether the counts add up. The goal: exit 0, under 400 MB RSS and
 * under 60 s on the 2-vCPU VM.
 *
 *   node bench/report/run.js [--mb 300] [--keep]
 */

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '../../packages/cli/bin/agent-lag.js');
const { values } = parseArgs({ options: { mb: { type: 'string', default: '300' }, keep: { type: 'boolean', default: false } } });

const scratch = mkdtempSync(join(tmpdir(), 'agent-lag-bench-report-'));
const log = join(scratch, 'events.ndjson');
try {
  const generatedAt = Date.now();
  const expected = JSON.parse(execFileSync(process.execPath, [join(here, 'generate-log.js'), '--out', log, '--mb', values.mb], { encoding: 'utf8' }));
  console.log(`generated ${(expected.bytes / 1024 / 1024).toFixed(0)} MB, ${expected.events} events (${expected.blockEvents} block events, ${expected.stalls} stalls in 3 processes) in ${((Date.now() - generatedAt) / 1000).toFixed(1)} s`);

  const timed = existsSync('/usr/bin/time');
  const started = Date.now();
  const result = timed
    ? spawnSync('/usr/bin/time', ['-f', 'max-rss-kb=%M', process.execPath, cli, 'report', log, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(process.execPath, [cli, 'report', log, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (Date.now() - started) / 1000;
  const rss = /max-rss-kb=(\d+)/.exec(result.stderr ?? '');
  const model = result.status === 0 ? JSON.parse(result.stdout) : null;
  const adds = model !== null && model.stalls.count === expected.stalls && model.stalls.detailed === expected.blockEvents && model.worstBlocks[0]?.durationMs === expected.worstMs;
  console.log(
    `report: exit ${result.status}, ${seconds.toFixed(1)} s, peak RSS ${rss ? `${(Number(rss[1]) / 1024).toFixed(0)} MB` : '? (no /usr/bin/time)'}; ` +
      `counts ${adds ? 'add up' : 'DO NOT add up'} (${model?.stalls.count ?? '?'} stalls, ${model?.stalls.detailed ?? '?'} detailed, worst ${model?.worstBlocks[0]?.durationMs ?? '?'} ms)`,
  );
  if (result.status !== 0) process.stderr.write(result.stderr);
  process.exitCode = result.status === 0 && adds ? 0 : 1;
} finally {
  if (values.keep) console.log(`kept ${log}`);
  else rmSync(scratch, { recursive: true, force: true });
}
