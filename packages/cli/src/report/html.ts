import { describeContext, describeInFlight, describeNoStack, describeStackDelay, formatTime, type StacklessBlock } from './describe.js';
import { frameLocation, readableFunctionName, relativeSite } from './frames.js';
import type { Frame } from './log-types.js';
import type { ReportModel } from './model.js';
import { foldedText, foldStack, headFrame } from './stack-fold.js';
import { escapeHtml as esc, lagChart, stallHistogram } from './svg.js';
import { blockStartOf } from '../shared/monitor-types.js';
import { UNLOCATED_SITE } from '../shared/format.js';
import { formatMs, formatPercent, plural } from '../shared/format-numbers.js';
import { describeSlaSubject, formatSlaCounts } from '../shared/sla.js';

const STYLE = `
:root { color-scheme: light; --fg:#1d232b; --dim:#667085; --line:#e4e7ec; --red:#d92d20; --amber:#f79009; --blue:#2e90fa; --bar:#7a5af8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; background: #f8f9fb; }
main { max-width: 960px; margin: 0 auto; padding: 24px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; }
.dim, .empty { color: var(--dim); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(130px, 1fr)); gap: 10px; margin-top: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.card b { display: block; font-size: 20px; } .card.bad b { color: var(--red); }
.chart { display: block; width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
.chart text { font-size: 11px; fill: var(--dim); } .chart .count { fill: var(--fg); font-weight: 600; }
.chart .axis-title { fill: var(--fg); font-weight: 500; } .chart-note { margin: 6px 2px 0; font-size: 13px; }
.grid { stroke: var(--line); } .axis { stroke: #98a2b3; }
.bar-max { fill: var(--amber); fill-opacity: .55; } .bar-p99 { fill: var(--red); } .bar-p50 { fill: var(--blue); }
.threshold { stroke: var(--fg); stroke-dasharray: 5 4; stroke-opacity: .55; }
.bar { fill: var(--bar); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
th, td { text-align: right; padding: 6px 10px; border-bottom: 1px solid var(--line); } th:first-child, td:first-child, .text { text-align: left; }
th { color: var(--dim); font-weight: 500; } table.worst th, table.never-ended th { white-space: nowrap; } table.worst code, table.never-ended code { overflow-wrap: anywhere; }
code, pre { font: 12px/1.5 ui-monospace, SFMono-Regular, Menlo, monospace; }
details { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 8px 12px; }
summary { cursor: pointer; } summary .ms { color: var(--red); font-weight: 600; }
td.never-ended { color: var(--red); font-weight: 600; }
pre { margin: 8px 0 0; white-space: pre-wrap; } .internal { color: var(--dim); }
.stack { margin: 8px 0 4px; font: 12px/1.6 ui-monospace, SFMono-Regular, Menlo, monospace; overflow-wrap: anywhere; }
.frame.user .fn { font-weight: 600; } .frame.dep { color: var(--dim); }
details.fold { border: 0; border-radius: 0; margin: 0; padding: 0; background: none; }
details.fold > summary { color: var(--dim); list-style-position: inside; } details.fold > summary:hover { color: var(--fg); }
details.fold[open] > summary { margin-bottom: 2px; } details.fold > .frame { padding-left: 18px; }
.no-stack { color: var(--dim); font-style: italic; }
.api { color: #b54708; } .note { color: #b54708; }
`;

/** `at name (location)`, the name as the report shortens it and V8's full name on hover when they differ. */
function frameLine(frame: Frame, user: boolean): string {
  const name = readableFunctionName(frame.functionName);
  const full = frame.functionName && frame.functionName !== name ? ` title="${esc(frame.functionName)}"` : '';
  return `<div class="frame ${user ? 'user' : 'dep'}">at <span class="fn"${full}>${esc(name)}</span> (${esc(frameLocation(frame))})</div>`;
}

/** A stack with the application's frames in view and each run of dependency frames folded, expandable. */
function framesBlock(block: StacklessBlock, mode: string | null): string {
  const why = describeNoStack(block, mode);
  if (block.stack.length === 0) return `<div class="stack no-stack">${esc(why ?? 'no stack')}</div>`;
  const lines = foldStack(block.stack).map((line) =>
    line.kind === 'frame'
      ? frameLine(line.frame, line.owner === null)
      : `<details class="fold"><summary>${esc(foldedText(line))}</summary>${line.frames.map((frame) => frameLine(frame, false)).join('')}</details>`,
  );
  return `<div class="stack">${lines.join('')}</div>`;
}

/** The one frame that names a stack in a table cell or a summary line. */
function headCode(stack: readonly Frame[]): string | null {
  const frame = headFrame(stack);
  if (!frame) return null;
  const name = readableFunctionName(frame.functionName);
  const full = frame.functionName && frame.functionName !== name ? ` title="${esc(frame.functionName)}"` : '';
  return `<code${full}>${esc(`${name} (${frameLocation(frame)})`)}</code>`;
}

/**
 * The cells after `duration` of a worst or never-ended block: sync API, where, during, requests. A block
 * without a stack says why in `where`, spread over the cells it leaves empty instead of a dash in each.
 */
function blockCells(block: StacklessBlock & { context: Parameters<typeof describeContext>[0]; requestsInFlight: number | null; late?: boolean; stackDelayMs?: number | null }, mode: string | null): string {
  const api = describeInFlight(block.inFlight);
  const ctx = describeContext(block.context);
  const apiCell = `<td class="text"><code class="api">${esc(api ?? '–')}</code></td>`;
  const rest = `<td class="text">${esc(ctx ?? '–')}</td><td>${block.requestsInFlight ?? '–'}</td>`;
  const head = headCode(block.stack);
  const why = describeNoStack(block, mode);
  if (head === null) {
    const reason = esc(why ?? 'no stack');
    if (ctx === null && block.requestsInFlight === null) {
      return api === null ? `<td class="text no-stack" colspan="4">${reason}</td>` : `${apiCell}<td class="text no-stack" colspan="3">${reason}</td>`;
    }
    return `${apiCell}<td class="text no-stack">${reason}</td>${rest}`;
  }
  const delay = block.late !== true && block.stackDelayMs !== undefined && block.stackDelayMs !== null ? describeStackDelay(block.stackDelayMs) : null;
  const notes = [why, block.late ? 'stack taken after the block ended: it may point past it' : null, delay].filter((note): note is string => note !== null);
  return `${apiCell}<td class="text">${head}${notes.map((note) => `<div class="dim no-stack">${esc(note)}</div>`).join('')}</td>${rest}`;
}

function card(label: string, value: string, bad = false): string {
  return `<div class="card${bad ? ' bad' : ''}"><span class="dim">${esc(label)}</span><b>${esc(value)}</b></div>`;
}

function routesTable(model: ReportModel): string {
  if (!model.routes?.length) {
    return '<p class="empty">No per-route figures in this log: add the runtime monitor\'s HTTP middleware to attribute blocks to routes.</p>';
  }
  const cell = (value: number | null, format: (n: number) => string = String) => `<td>${value === null ? '–' : esc(format(value))}</td>`;
  const rows = model.routes.map(
    (r) =>
      `<tr><td><code>${esc(r.route)}</code></td>${cell(r.requests)}${cell(r.blocks)}${cell(r.blockedMs, formatMs)}${cell(r.worstBlockMs, formatMs)}${cell(r.waitedMs, formatMs)}${cell(r.inFlight)}</tr>`,
  );
  return `<table class="routes"><thead><tr><th>route</th><th>requests</th><th>blocks</th><th>blocked</th><th>worst block</th><th>waited</th><th>in flight</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Per-tool figures and agent runs in flight: two small tables, only for a log whose processes tracked agent runs. */
function agentsTables(model: ReportModel): string {
  const { agents } = model;
  if (!agents) return '';
  const tools = agents.tools.map(
    (t) =>
      `<tr><td><code>${esc(t.tool)}</code></td><td>${t.calls}</td><td>${t.blocks}</td><td>${esc(formatMs(t.blockedMs))}</td><td>${t.blocks > 0 ? esc(formatMs(t.worstBlockMs)) : '–'}</td><td>${esc(formatMs(t.waitedMs))}</td></tr>`,
  );
  const runs = agents.agents.map(
    (a) =>
      `<tr><td>${a.agent === '' ? '–' : `<code>${esc(a.agent)}</code>`}</td><td class="text">${a.tenant === '' ? '–' : esc(a.tenant)}</td><td>${a.inFlight}</td><td>${a.oldestAgeMs === null ? '–' : esc(formatMs(a.oldestAgeMs))}</td></tr>`,
  );
  return `<h2>Tools</h2>
${tools.length ? `<table class="tools"><thead><tr><th>tool</th><th>calls</th><th>blocks</th><th>blocked</th><th>worst block</th><th>waited</th></tr></thead><tbody>${tools.join('')}</tbody></table>` : '<p class="empty">No tool calls in this log.</p>'}
${runs.length ? `<h2>Agent runs in flight</h2>
<p class="dim">At each process's last summary or checkpoint: runs not yet ended, and how old the oldest was.</p>
<table class="agent-runs"><thead><tr><th>agent</th><th class="text">tenant</th><th>runs in flight</th><th>oldest</th></tr></thead><tbody>${runs.join('')}</tbody></table>` : ''}`;
}

/**
 * Runs and requests seen in flight past the SLA: the counts (as /metrics counts them), and a row per
 * breach event with what was held open, its age when seen and the rest of its context.
 */
function slaBreaches(model: ReportModel): string {
  const { sla } = model;
  if (!sla) return '';
  const rows = sla.events.map((breach) => {
    const { subject, fields } = describeSlaSubject(breach);
    return `<tr><td>${esc(formatTime(breach.at))}</td><td class="text">${esc(breach.kind)}</td><td class="text">${esc(subject)}</td><td>${esc(formatMs(breach.ageMs))}</td><td>${esc(formatMs(breach.slaMs))}</td><td class="text">${fields ? `<code>${esc(fields)}</code>` : '–'}</td><td>${breach.pid ?? '–'}</td></tr>`;
  });
  const more = sla.eventsInLog - sla.events.length;
  return `<h2>In-flight SLA breaches</h2>
<p class="sla-counts">${esc(formatSlaCounts(sla))}: each seen once, still in flight past the SLA (the agent loop or request held open past a load balancer's timeout).</p>
${rows.length ? `<table class="sla"><thead><tr><th>seen</th><th class="text">kind</th><th class="text">what</th><th>in flight</th><th>SLA</th><th class="text">context</th><th>pid</th></tr></thead><tbody>${rows.join('')}</tbody></table>` : ''}
${more > 0 ? `<p class="dim">… and ${more} more in the log.</p>` : ''}`;
}

function stackGroups(model: ReportModel): string {
  if (model.stackGroups.length === 0) return '<p class="empty">No blocking stacks in this log.</p>';
  return model.stackGroups
    .map((group, index) => {
      const api = describeInFlight(group.inFlight);
      const ctx = describeContext(group.context);
      const head = headCode(group.stack) ?? (api ? `<code class="api">${esc(api)}</code>` : '<span class="no-stack">no stack</span>');
      return `<details class="stack-group"${index < 3 ? ' open' : ''}>
<summary><span class="ms">${esc(formatMs(group.totalMs))}</span> in ${group.count} block${group.count === 1 ? '' : 's'} (worst ${esc(formatMs(group.maxMs))}) — ${head}</summary>
${api ? `<div>sync API in flight: <code class="api">${esc(api)}</code></div>` : ''}${ctx ? `<div class="dim">during ${esc(ctx)}</div>` : ''}
${framesBlock(group, model.mode)}
<div class="dim">signature <code>${esc(group.signature.slice(0, 80))}</code></div>
</details>`;
    })
    .join('\n');
}

function worstBlocks(model: ReportModel): string {
  if (model.worstBlocks.length === 0) return '<p class="empty">No blocks after start-up.</p>';
  const rows = model.worstBlocks.map(
    (block) => `<tr><td>${block.startedAt === null ? '–' : esc(formatTime(block.blockStartedAt ?? block.startedAt))}</td><td>${esc(formatMs(block.durationMs))}</td>${blockCells(block, model.mode)}</tr>`,
  );
  return `<table class="worst"><thead><tr><th>started</th><th>duration</th><th class="text">sync API in flight</th><th class="text">where</th><th class="text">during</th><th>requests in flight</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function neverEnded(model: ReportModel): string {
  if (model.neverEnded.length === 0) return '';
  const rows = model.neverEnded.map(
    (block) => `<tr><td>${esc(formatTime(blockStartOf(block)))}</td><td class="never-ended">≥ ${esc(formatMs(block.durationMs))}, never ended</td>${blockCells(block, model.mode)}</tr>`,
  );
  const stacks = model.neverEnded
    .map((block) => `<details class="never-ended-stack"><summary><span class="ms">≥ ${esc(formatMs(block.durationMs))}</span> from ${esc(formatTime(blockStartOf(block)))}, never ended</summary>${framesBlock(block, model.mode)}</details>`)
    .join('\n');
  return `<h2>Blocks that never ended</h2>
<p>Reported by the monitor while still running, with no end in the log: the process was killed or died while its event loop was blocked. The duration is the latest age known (it lasted at least that long); these blocks are in the stall count.</p>
<table class="never-ended"><thead><tr><th>started</th><th>blocked for</th><th class="text">sync API in flight</th><th class="text">where</th><th class="text">during</th><th>requests in flight</th></tr></thead><tbody>${rows.join('')}</tbody></table>
${stacks}`;
}

function processes(model: ReportModel): string {
  if (model.processes.length < 2 && model.notes.length === 0) return '';
  const rows = model.processes.map((p) => {
    const from = p.figuresFrom === 'checkpoint' && p.checkpointAgeMs !== null ? `last checkpoint, ${formatMs(p.checkpointAgeMs)} before its end` : p.figuresFrom === 'events' ? 'block events' : p.figuresFrom === 'covered' ? "lines without a pid, counted in the others' summaries" : p.figuresFrom;
    return `<tr><td>${p.pid ?? '?'}</td><td>${p.stalls.count}</td><td>${p.neverEnded}</td><td>${esc(formatMs(p.stalls.totalMs))}</td><td>${esc(formatMs(p.stalls.maxMs))}</td><td>${p.lag ? esc(formatMs(p.lag.p99Ms)) : '–'}</td><td class="text">${esc(from)}</td></tr>`;
  });
  const notes = model.notes.map((note) => `<p class="note">${esc(note)}</p>`).join('\n');
  return `<h2>Processes</h2>
${notes}
<table class="processes"><thead><tr><th>pid</th><th>stalls</th><th>never ended</th><th>blocked</th><th>worst</th><th>lag p99</th><th class="text">figures from</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function syncCalls(model: ReportModel): string {
  if (model.syncCalls.length === 0) return '<p class="empty">No sync calls of blocking APIs were recorded after start-up.</p>';
  const rows = model.syncCalls.map(
    (call) =>
      `<tr><td><code class="api">${esc(call.api)}</code> <code>${esc(call.site ? relativeSite(call.site) : UNLOCATED_SITE)}</code></td><td>${call.count}</td><td>${esc(formatMs(call.totalMs))}</td><td>${esc(formatMs(call.maxMs))}</td></tr>`,
  );
  return `<table class="sync-calls"><thead><tr><th>API and call site</th><th>calls</th><th>total</th><th>max</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The whole report as one HTML file: inline CSS and SVG, no script, nothing fetched. */
export function renderHtml(model: ReportModel, version: string): string {
  const lag = model.lag;
  const facts = [
    model.pid !== null ? `pid ${model.pid}` : model.processes.length > 1 ? `${model.processes.length} processes` : null,
    model.from !== null ? formatTime(model.from) : null,
    model.from !== null && model.to !== null ? `${formatMs(model.to - model.from)} of events` : null,
    model.thresholdMs !== null ? `stall threshold ${formatMs(model.thresholdMs)}` : null,
    model.mode,
  ].filter((fact): fact is string => Boolean(fact));
  const cards = [
    lag ? card('lag p50', formatMs(lag.p50Ms)) : '',
    lag ? card('lag p99', formatMs(lag.p99Ms), lag.p99Ms >= 100) : '',
    lag ? card('lag max', formatMs(lag.maxMs), lag.maxMs >= 100) : '',
    model.utilization !== null ? card('event-loop utilisation', formatPercent(model.utilization)) : '',
    card('stalls', String(model.stalls.count), model.stalls.count > 0),
    card('blocked in total', formatMs(model.stalls.totalMs), model.stalls.totalMs > 0),
    model.stalls.neverEnded > 0 ? card('never ended', String(model.stalls.neverEnded), true) : '',
    model.sla ? card('SLA breaches', String(model.sla.breaches.run + model.sla.breaches.request), model.sla.breaches.run + model.sla.breaches.request > 0) : '',
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>agent-lag report — ${esc(model.source)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>agent-lag report</h1>
<div class="dim"><code>${esc(model.source)}</code>${facts.length ? ` · ${esc(facts.join(' · '))}` : ''}</div>
<div class="cards">${cards}</div>
<h2>Event-loop lag over time</h2>
${lagChart(model.lagSeries, { thresholdMs: model.thresholdMs })}
<h2>Stall durations</h2>
${stallHistogram(model.histogram)}
${model.stalls.withoutStack > 0 ? `<p class="dim totals">${plural(model.stalls.count, 'stall')}, ${esc(formatMs(model.stalls.totalMs))}: ${model.stalls.detailed} detailed (${esc(formatMs(model.stalls.detailedMs))}), ${model.stalls.withoutStack} without a stack (${esc(formatMs(model.stalls.withoutStackMs))}). The monitor rate-limits detailed reports and logs a repeated stack once; the counts and the histogram are exact.</p>` : ''}
${processes(model)}
<h2>Routes</h2>
${routesTable(model)}
${agentsTables(model)}
${slaBreaches(model)}
${neverEnded(model)}
<h2>Worst blocks</h2>
${worstBlocks(model)}
<h2>Blocking stacks, grouped by signature</h2>
${stackGroups(model)}
<h2>Top sync call sites</h2>
${syncCalls(model)}
<p class="dim">Generated by agent-lag ${esc(version)}.</p>
</main>
</body>
</html>
`;
}
