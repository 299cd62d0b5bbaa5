import type { ChalkInstance } from 'chalk';
import { formatMs, plural } from './format-numbers.js';
import type { MonitorContext, SlaEvent } from './monitor-types.js';

/*
 * The in-flight SLA (`inFlightSlaMs`, AGENT_LAG_IN_FLIGHT_SLA_MS): the monitor writes one `{"type":"sla"}`
 * event per agent run or HTTP request it sees still in flight past the SLA, and counts them in the
 * snapshot's `sections.sla` = `{ slaMs, breaches: { run, request } }` (what `/metrics` exports as
 * agent_lag_sla_breaches_total{kind}). `watch` reads both from the control socket, `run` and `report`
 * from the log: one reader and one wording for all three. Both come from another package and a log on
 * disk, so they are read defensively.
 */

/**
 * A breach as the CLI reads it: the monitor's SlaEvent with the writing process's pid (null in a line
 * without one), and `kind` any word a newer monitor may use (only `run` and `request` are counted).
 */
export type SlaRecord = Omit<SlaEvent, 'type' | 'kind'> & { pid: number | null; kind: string };

/** Breach counts: one process's `sections.sla`, or several added up. */
export interface SlaCounts {
  /** The SLA, ms; null when the processes added up were given different ones. */
  slaMs: number | null;
  breaches: { run: number; request: number };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
/** A non-negative finite number, else 0: a count a monitor left out counts nothing. */
const count = (value: unknown): number => (finite(value) && value >= 0 ? value : 0);

/** Only the shapes a context may have: strings, finite numbers, booleans, null. */
function readContext(value: unknown): MonitorContext | null {
  if (!isRecord(value)) return null;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, string | number | boolean | null] =>
      entry[1] === null || typeof entry[1] === 'string' || typeof entry[1] === 'boolean' || finite(entry[1]),
  );
  return Object.fromEntries(entries);
}

/**
 * An `sla` event (a log line or a control-socket message), or null when it lacks what a breach must say
 * (kind, age, SLA, when it was seen and when the work started). Only the event's own fields are kept.
 */
export function readSlaRecord(event: Record<string, unknown>): SlaRecord | null {
  const { at, ageMs, slaMs, startedAt, kind } = event;
  if (event['type'] !== 'sla' || typeof kind !== 'string' || !finite(at) || !finite(ageMs) || !finite(slaMs) || !finite(startedAt)) return null;
  return { pid: finite(event['pid']) ? event['pid'] : null, at, kind, ageMs, slaMs, startedAt, context: readContext(event['context']) };
}

/** `sections.sla` of a snapshot; null when the process published none (the SLA off, or nothing tracked runs or requests). */
export function readSlaSection(sections: Record<string, unknown> | undefined | null): SlaCounts | null {
  const section = sections?.['sla'];
  if (!isRecord(section) || !isRecord(section['breaches'])) return null;
  const { breaches } = section;
  return { slaMs: finite(section['slaMs']) ? section['slaMs'] : null, breaches: { run: count(breaches['run']), request: count(breaches['request']) } };
}

/** Several processes' counts added up; null when none has any (no process had the SLA on). */
export function mergeSlaCounts(list: readonly (SlaCounts | null)[]): SlaCounts | null {
  const present = list.filter((counts): counts is SlaCounts => counts !== null);
  const [first] = present;
  if (first === undefined) return null;
  const breaches = { run: 0, request: 0 };
  for (const counts of present) {
    breaches.run += counts.breaches.run;
    breaches.request += counts.breaches.request;
  }
  return { slaMs: present.every((counts) => counts.slaMs === first.slaMs) ? first.slaMs : null, breaches };
}

/** `1 run, 0 requests in flight past 200 ms`: what `run`'s summary, `watch`'s screen and `report` say of the counts. */
export function formatSlaCounts(counts: SlaCounts): string {
  const past = counts.slaMs === null ? 'past their SLA' : `past ${formatMs(counts.slaMs)}`;
  return `${plural(counts.breaches.run, 'run')}, ${plural(counts.breaches.request, 'request')} in flight ${past}`;
}

/** The context keys each kind's words say; the others are listed as `key=value`. */
const AGENT = 'gen_ai.agent.name';
const TOOL = 'gen_ai.tool.name';
const OPERATION = 'gen_ai.operation.name';
const TENANT = 'agent_lag.tenant';
const ROUTE = 'http.route';
const METHOD = 'http.request.method';

/**
 * What was held open, in words, and the rest of its context as `key=value`: `run of agent triage (tool
 * summarize_repo, tenant acme)`, `request GET /api/chat` + `request.id=7`. The operation is left out
 * when the words say it (invoke_agent for a run of an agent, execute_tool for a tool's).
 */
export function describeSlaSubject(breach: Pick<SlaRecord, 'kind' | 'context'>): { subject: string; fields: string } {
  const context = breach.context ?? {};
  const text = (key: string): string | null => {
    const value = context[key];
    return typeof value === 'string' ? value : null;
  };
  const said = new Set<string>();
  const say = (key: string): string | null => {
    const value = text(key);
    if (value !== null) said.add(key);
    return value;
  };
  let subject = breach.kind;
  if (breach.kind === 'run') {
    const agent = say(AGENT);
    const tool = say(TOOL);
    const tenant = say(TENANT);
    const operation = text(OPERATION);
    if ((operation === 'invoke_agent' && agent !== null && tool === null) || (operation === 'execute_tool' && tool !== null)) said.add(OPERATION);
    subject = agent !== null ? `run of agent ${agent}` : tool !== null ? `run of tool ${tool}` : 'run';
    const details = [agent !== null && tool !== null ? `tool ${tool}` : null, tenant !== null ? `tenant ${tenant}` : null].filter((d) => d !== null);
    if (details.length > 0) subject += ` (${details.join(', ')})`;
  } else if (breach.kind === 'request') {
    const words = [say(METHOD), say(ROUTE)].filter((w) => w !== null);
    subject = ['request', ...words].join(' ');
  }
  const fields = Object.entries(context)
    .filter(([key]) => !said.has(key))
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ');
  return { subject, fields };
}

/**
 * One breach as it happens (`run`'s stderr, `watch`'s lines), in the style of the block lines:
 * `sla  run of agent triage (tenant acme) in flight 1.02 s > 200 ms  agent_lag.run.id=r-1`.
 */
export function formatSlaLine(breach: SlaRecord, color: ChalkInstance): string {
  const { subject, fields } = describeSlaSubject(breach);
  const parts = [color.yellow.bold('sla'), `${subject} in flight ${color.yellow(formatMs(breach.ageMs))} > ${formatMs(breach.slaMs)}`];
  if (fields) parts.push(color.cyan(fields));
  return parts.join('  ');
}
