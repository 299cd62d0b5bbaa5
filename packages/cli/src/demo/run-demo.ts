import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lint } from '../lint/run-lint.js';
import { readEventLog } from '../report/read-log.js';
import { lintFindings, runtimeFindings } from './findings.js';
import { putLoad } from './load.js';
import { locateDemoService } from './locate-service.js';
import type { DemoOutcome, PhaseOutcome } from './render.js';
import { startService, type ToolsKind } from './service.js';

export interface DemoOptions {
  durationS: number;
  connections: number;
  thresholdMs: number;
  /** Progress lines while the demo runs (the result comes at the end, on one screen). */
  progress: (line: string) => void;
}

async function runPhase(serviceDir: string, tools: ToolsKind, scratch: string, options: DemoOptions): Promise<PhaseOutcome> {
  const reportPath = join(scratch, `${tools}.ndjson`);
  options.progress(`starting the agent service with ${tools} tools and the monitor preloaded`);
  const service = await startService(serviceDir, tools, { reportPath, thresholdMs: options.thresholdMs });
  let load;
  try {
    options.progress(`${options.connections} concurrent sessions on ${service.url}/agent/run for ${options.durationS} s`);
    load = await putLoad(service.url, options);
  } finally {
    await service.stop();
  }
  const log = await readEventLog(reportPath);
  // Final events only: a block also reported while still running (ongoing) is counted once.
  const blocks = log.blocks.filter((block) => !block.startup && !block.ongoing);
  return {
    tools,
    load,
    stalls: log.summary?.stalls?.count ?? blocks.length,
    blockedMs: log.summary?.stalls?.totalMs ?? blocks.reduce((sum, block) => sum + block.durationMs, 0),
    worstMs: log.summary?.stalls?.maxMs ?? Math.max(0, ...blocks.map((block) => block.durationMs)),
    runtime: runtimeFindings(log, serviceDir),
  };
}

/** Lint the bundled service, then run it under load with sync tools and with async tools. */
export async function runDemo(options: DemoOptions): Promise<DemoOutcome> {
  const serviceDir = locateDemoService();
  options.progress(`linting ${serviceDir}`);
  const linted = await lint({ paths: [serviceDir], preset: 'recommended', typeAware: false, configLookup: false, cwd: serviceDir });
  const scratch = await mkdtemp(join(tmpdir(), 'agent-lag-demo-'));
  try {
    const sync = await runPhase(serviceDir, 'sync', scratch, options);
    const asyncPhase = await runPhase(serviceDir, 'async', scratch, options);
    return {
      serviceDir,
      lint: lintFindings(linted.results),
      sync,
      async: asyncPhase,
      durationS: options.durationS,
      connections: options.connections,
      thresholdMs: options.thresholdMs,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
