import { LogAggregator } from './aggregate.js';
import { readLines } from './line-reader.js';
import { UsageError } from '../errors.js';
import { redactRecord } from './redact.js';
import { readSlaRecord, type SlaRecord } from '../shared/sla.js';
import type {
  BlockRecord,
  Context,
  EventLog,
  Frame,
  GoneRecord,
  InFlight,
  LagFigures,
  LagRecord,
  OngoingStallRecord,
  StackSummaryRecord,
  SummaryRecord,
  SyncCallRecord,
  WorstStallRecord,
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
    ...blockStart(event),
    durationMs: requiredNumber(event, 'durationMs'),
    stack: frames(event['stack']),
    inFlight: inFlight(event['inFlight']),
    context: context(event['context']),
    requestsInFlight: numberOr(event['requestsInFlight'], null),
    late: event['late'] === true,
    startup: event['startup'] === true,
    signature: stringOr(event['signature'], null),
    noStackReason: stringOr(event['noStack'], null),
    stackDelayMs: numberOr(event['stackDelayMs'], null),
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

function worstStall(value: Json): WorstStallRecord[] {
  const startedAt = numberOr(value['startedAt'], null);
  const durationMs = numberOr(value['durationMs'], null);
  if (startedAt === null || durationMs === null) return [];
  return [{ startedAt, durationMs, signature: stringOr(value['signature'], null), logged: value['logged'] !== false, noStack: stringOr(value['noStack'], null) }];
}

/** A block event's `blockStartedAt`, where it has one (monitors before it wrote none). */
function blockStart(event: Json): { blockStartedAt?: number } {
  const blockStartedAt = numberOr(event['blockStartedAt'], null);
  return blockStartedAt === null ? {} : { blockStartedAt };
}

function ongoingStall(value: unknown): OngoingStallRecord | null {
  if (!isObject(value)) return null;
  const startedAt = numberOr(value['startedAt'], null);
  const durationMs = numberOr(value['durationMs'], null);
  if (startedAt === null || durationMs === null) return null;
  const noStack = stringOr(value['noStack'], null);
  return { startedAt, ...blockStart(value), durationMs, ...(noStack === null ? {} : { noStack }) };
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
    utilizationSinceStart: numberOr(event['utilizationSinceStart'], null),
    stalls: isObject(stalls)
      ? {
          count: numberOr(stalls['count'], 0),
          startupCount: numberOr(stalls['startupCount'], 0),
          totalMs: numberOr(stalls['totalMs'], 0),
          maxMs: numberOr(stalls['maxMs'], 0),
          p50Ms: numberOr(stalls['p50Ms'], 0),
          p99Ms: numberOr(stalls['p99Ms'], 0),
          histogram: stringOr(stalls['histogram'], ''),
          worst: Array.isArray(stalls['worst']) ? (stalls['worst'] as unknown[]).filter(isObject).flatMap(worstStall) : [],
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
  | { type: 'sla'; record: SlaRecord }
  | { type: 'summary' | 'checkpoint'; record: SummaryRecord }
  | { type: 'gone'; record: GoneRecord };

/** Reads one parsed line; throws BadEvent when a known event lacks what it must have. */
function readEvent(raw: Json): LogEvent | null {
  // Older monitors logged commands verbatim: secrets out before anything is shown.
  const event = redactRecord(raw);
  switch (event['type']) {
    case 'block':
      return { type: 'block', record: block(event) };
    case 'lag':
      return { type: 'lag', record: lag(event) };
    case 'sla': {
      const record = readSlaRecord(event);
      if (!record) throw new BadEvent('an sla event without a "kind", or a numeric "at", "ageMs", "slaMs" or "startedAt"');
      return { type: 'sla', record };
    }
    case 'summary':
    case 'checkpoint':
      return { type: event['type'], record: summary(event, event['type']) };
    case 'gone':
      return { type: 'gone', record: { pid: requiredNumber(event, 'pid'), at: requiredNumber(event, 'at') } };
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
  else if (event.type === 'sla') log.slaBreaches.push(event.record);
  else if (event.type === 'gone') return;
  else {
    log.snapshots.push(event.record);
    if (event.type === 'summary') log.summary = event.record;
  }
}

export function emptyLog(path: string): EventLog {
  return { path, blocks: [], lags: [], slaBreaches: [], snapshots: [], summary: null };
}

/** Block events `readEventLog` keeps as they are, for readers of a short log (the demo). */
const SAMPLE_BLOCKS = 1000;

/** Parses one line: the event, or why it is not one. */
function parseLine(text: string): { event: LogEvent | null } | { error: string; fatal?: boolean } {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    return { error: 'not valid JSON; is this an agent-lag event log (--report FILE)?' };
  }
  if (!isObject(event) || typeof event['type'] !== 'string') return { error: 'not an agent-lag event (no "type")' };
  try {
    // Unknown types are skipped: a newer monitor may log more than this report knows about.
    return { event: readEvent(event) };
  } catch (error) {
    if (error instanceof BadEvent) return { error: error.message };
    throw error;
  }
}

export interface ReadOptions {
  /** Where the one warning about skipped lines goes; stderr by default. */
  warn?: (message: string) => void;
}

/**
 * Reads the monitor's NDJSON event log as a stream, folding it line by line (bounded memory at any
 * size). A line that is not an event is counted and skipped, with one warning for all of them; a last
 * line cut off mid-write is expected (the writer was killed) and only noted. A file that holds no event
 * at all, missing, empty or not a log, is a UsageError naming the file (and its first bad line).
 */
export async function readEventLog(path: string, options: ReadOptions = {}): Promise<EventLog> {
  const aggregate = new LogAggregator(path);
  const log: EventLog = { ...emptyLog(path), aggregate };
  let seen = 0;
  const snapshots = new Map<string, SummaryRecord>();
  await readLines(path, (line) => {
    if (line.text.trim() === '' && !line.oversize) return;
    seen++;
    const where = `${path}:${line.number}`;
    if (line.oversize) {
      aggregate.skip(where, 'a line longer than 8 MiB, not an agent-lag event', line.unterminated);
      return;
    }
    const read = parseLine(line.text);
    if ('error' in read) {
      aggregate.skip(where, read.error, line.unterminated);
      return;
    }
    if (!read.event) return;
    aggregate.add(read.event);
    if (read.event.type === 'block') {
      if (log.blocks.length < SAMPLE_BLOCKS) log.blocks.push(read.event.record);
    } else if (read.event.type === 'summary' || read.event.type === 'checkpoint') {
      const record = read.event.record;
      snapshots.set(`${record.kind}:${record.pid ?? '?'}`, record);
      if (record.kind === 'summary') log.summary = record;
    }
  });
  log.snapshots = [...snapshots.values()];
  if (seen === 0) throw new UsageError(`${path} is empty: no agent-lag events to report`);
  if (aggregate.events === 0) {
    if (aggregate.skipped.first) throw new UsageError(aggregate.skipped.first);
    throw new UsageError(`${path} has no block, lag, sla, checkpoint or summary events`);
  }
  const { count, first } = aggregate.skipped;
  if (count > 0) {
    (options.warn ?? ((message) => process.stderr.write(`agent-lag: ${message}\n`)))(
      `skipped ${count === 1 ? '1 line that is not an agent-lag event' : `${count} lines that are not agent-lag events`} (first: ${first ?? '?'})`,
    );
  }
  return log;
}
