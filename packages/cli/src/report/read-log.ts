import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type {
  BlockRecord,
  Context,
  EventLog,
  Frame,
  InFlight,
  LagFigures,
  LagRecord,
  OngoingStallRecord,
  StackSummaryRecord,
  SummaryRecord,
  SyncCallRecord,
} from './log-types.js';

type Json = Record<string, unknown>;

/** Thrown by the field readers; turned into "<file>:<line>: <message>". */
class BadEvent extends Error {}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const numberOr = <T>(value: unknown, fallback: T): number | T => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
const stringOr = <T>(value: unknown, fallback: T): string | T => (typeof value === 'string' ? value : fallback);

function requiredNumber(event: Json, key: string): number {
  const value = numberOr(event[key], null);
  if (value === null) throw new BadEvent(`a ${String(event['type'])} event without a numeric "${key}"`);
  return value;
}

function frames(value: unknown): Frame[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((frame) => ({
    functionName: stringOr(frame['functionName'], ''),
    url: stringOr(frame['url'], ''),
    line: numberOr(frame['line'], 0),
    column: numberOr(frame['column'], 0),
  }));
}

function inFlight(value: unknown): InFlight | null {
  if (!isObject(value) || typeof value['api'] !== 'string') return null;
  return { api: value['api'], hint: stringOr(value['hint'], null) };
}

function context(value: unknown): Context | null {
  if (!isObject(value)) return null;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string | number | boolean | null] =>
      entry[1] === null || ['string', 'number', 'boolean'].includes(typeof entry[1]),
  );
  return Object.fromEntries(entries);
}

function lagFigures(value: unknown): LagFigures | null {
  if (!isObject(value)) return null;
  const read = (key: string) => numberOr(value[key], 0);
  return {
    minMs: read('minMs'),
    maxMs: read('maxMs'),
    meanMs: read('meanMs'),
    p50Ms: read('p50Ms'),
    p90Ms: read('p90Ms'),
    p99Ms: read('p99Ms'),
    samples: numberOr(value['samples'], null),
    source: stringOr(value['source'], null),
  };
}

function block(event: Json): BlockRecord {
  return {
    pid: numberOr(event['pid'], null),
    startedAt: requiredNumber(event, 'startedAt'),
    durationMs: requiredNumber(event, 'durationMs'),
    stack: frames(event['stack']),
    inFlight: inFlight(event['inFlight']),
    context: context(event['context']),
    requestsInFlight: numberOr(event['requestsInFlight'], null),
    late: event['late'] === true,
    startup: event['startup'] === true,
    signature: stringOr(event['signature'], null),
    ongoing: event['ongoing'] === true,
  };
}

function lag(event: Json): LagRecord {
  const figures = lagFigures(event['lag']);
  if (!figures) throw new BadEvent('a lag event without "lag" figures');
  return {
    pid: numberOr(event['pid'], null),
    at: requiredNumber(event, 'at'),
    windowMs: numberOr(event['windowMs'], 0),
    lag: figures,
    utilization: numberOr(event['utilization'], null),
  };
}

function stackSummary(value: Json): StackSummaryRecord {
  return {
    signature: stringOr(value['signature'], ''),
    count: numberOr(value['count'], 0),
    totalMs: numberOr(value['totalMs'], 0),
    maxMs: numberOr(value['maxMs'], 0),
    stack: frames(value['stack']),
    inFlight: inFlight(value['inFlight']),
    context: context(value['context']),
  };
}

function syncCall(value: Json): SyncCallRecord {
  return {
    api: stringOr(value['api'], '?'),
    site: stringOr(value['site'], null),
    count: numberOr(value['count'], 0),
    totalMs: numberOr(value['totalMs'], 0),
    maxMs: numberOr(value['maxMs'], 0),
  };
}

function ongoingStall(value: unknown): OngoingStallRecord | null {
  if (!isObject(value)) return null;
  const startedAt = numberOr(value['startedAt'], null);
  const durationMs = numberOr(value['durationMs'], null);
  return startedAt === null || durationMs === null ? null : { startedAt, durationMs };
}

function summary(event: Json, kind: SummaryRecord['kind']): SummaryRecord {
  const stalls = event['stalls'];
  const pool = event['threadPool'];
  const list = (key: string) => (Array.isArray(event[key]) ? (event[key] as unknown[]).filter(isObject) : []);
  return {
    kind,
    pid: numberOr(event['pid'], null),
    at: numberOr(event['at'], null),
    uptimeMs: numberOr(event['uptimeMs'], null),
    thresholdMs: numberOr(event['thresholdMs'], null),
    mode: stringOr(event['mode'], null),
    lag: lagFigures(event['lag']),
    utilization: numberOr(event['utilization'], null),
    stalls: isObject(stalls)
      ? {
          count: numberOr(stalls['count'], 0),
          startupCount: numberOr(stalls['startupCount'], 0),
          totalMs: numberOr(stalls['totalMs'], 0),
          maxMs: numberOr(stalls['maxMs'], 0),
          p50Ms: numberOr(stalls['p50Ms'], 0),
          p99Ms: numberOr(stalls['p99Ms'], 0),
          histogram: stringOr(stalls['histogram'], ''),
        }
      : null,
    threadPool: isObject(pool) && typeof pool['p99Ms'] === 'number' ? { p99Ms: pool['p99Ms'] } : null,
    topStacks: list('topStacks').map(stackSummary),
    syncCalls: list('syncCalls').map(syncCall),
    sections: isObject(event['sections']) ? event['sections'] : {},
    ongoing: kind === 'checkpoint' ? ongoingStall(event['ongoing']) : null,
  };
}

/** One line of the log, read; null for a type this reader does not know (a newer monitor's). */
export type LogEvent =
  | { type: 'block'; record: BlockRecord }
  | { type: 'lag'; record: LagRecord }
  | { type: 'summary' | 'checkpoint'; record: SummaryRecord };

/** Reads one parsed line; throws BadEvent when a known event lacks what it must have. */
function readEvent(event: Json): LogEvent | null {
  switch (event['type']) {
    case 'block':
      return { type: 'block', record: block(event) };
    case 'lag':
      return { type: 'lag', record: lag(event) };
    case 'summary':
    case 'checkpoint':
      return { type: event['type'], record: summary(event, event['type']) };
    default:
      return null;
  }
}

/**
 * One line of a log followed live (`agent-lag run`): the same reading as `report`'s, but a line that is
 * not a well-formed event is skipped rather than fatal (the run goes on).
 */
export function readLiveEvent(event: Record<string, unknown>): LogEvent | null {
  try {
    return readEvent(event);
  } catch (error) {
    if (error instanceof BadEvent) return null;
    throw error;
  }
}

/** Adds a read line to a log being built. */
export function addToLog(log: EventLog, event: LogEvent): void {
  if (event.type === 'block') log.blocks.push(event.record);
  else if (event.type === 'lag') log.lags.push(event.record);
  else {
    log.snapshots.push(event.record);
    if (event.type === 'summary') log.summary = event.record;
  }
}

export function emptyLog(path: string): EventLog {
  return { path, blocks: [], lags: [], snapshots: [], summary: null };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new UsageError(`${path} is a directory, not an event log`);
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/**
 * Reads the monitor's NDJSON event log. Anything that is not one: a missing file, an empty one, a
 * line that is not JSON or not an event, becomes a UsageError naming the file and line.
 */
export async function readEventLog(path: string): Promise<EventLog> {
  const log = emptyLog(path);
  const lines = (await readText(path)).split('\n');
  let seen = 0;
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const where = `${path}:${index + 1}`;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      throw new UsageError(`${where}: not valid JSON; is this an agent-lag event log (--report FILE)?`);
    }
    if (!isObject(event) || typeof event['type'] !== 'string') {
      throw new UsageError(`${where}: not an agent-lag event (no "type")`);
    }
    seen++;
    try {
      // Unknown types are skipped: a newer monitor may log more than this report knows about.
      const read = readEvent(event);
      if (read) addToLog(log, read);
    } catch (error) {
      if (error instanceof BadEvent) throw new UsageError(`${where}: ${error.message}`);
      throw error;
    }
  }
  if (seen === 0) throw new UsageError(`${path} is empty: no agent-lag events to report`);
  if (log.blocks.length === 0 && log.lags.length === 0 && log.snapshots.length === 0) {
    throw new UsageError(`${path} has no block, lag, checkpoint or summary events`);
  }
  return log;
}
