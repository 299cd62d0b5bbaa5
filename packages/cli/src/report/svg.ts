import { formatMs, plural } from '../shared/format-numbers.js';
import type { HistogramBucket, LagPoint } from './model.js';

/*
 * Inline SVG charts for the HTML report: no script, no external resource, so the file renders the
 * same offline, in a mail attachment or a CI artifact viewer.
 */

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const WIDTH = 880;
const HEIGHT = 260;
const PAD = { left: 56, right: 16, top: 16, bottom: 32 };

const fixed = (n: number) => n.toFixed(1);

/* ---------------------------------------------------------------- lag over time */

const LAG = { width: 880, height: 290, left: 60, right: 40, top: 34, bottom: 56 };
const LAG_INNER_W = LAG.width - LAG.left - LAG.right;
const LAG_INNER_H = LAG.height - LAG.top - LAG.bottom;

/**
 * At most this many bars, whatever the number of windows: 10,000 one-second windows are ~2.7 px each at
 * this width, about the narrowest bar that still reads as one.
 */
export const LAG_BARS = 300;
/** A bar for one or two windows is as wide as a finger, not as wide as the chart. */
const BAR_MAX_PX = 40;
/** Tick labels are 11 px: about this wide per character, and at least this far apart. */
const CHAR_PX = 6.8;
const LABEL_GAP_PX = 24;

/** One bar of the chart: the windows that fall into one time column. */
export interface LagColumn {
  /** Column index from the left; columns with no window are not listed (a gap in the log stays a gap). */
  index: number;
  /** Epoch ms of the last window's end. */
  at: number;
  /** The worst max and p99 of the column's windows (a spike is never averaged away), their mean p50. */
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  windows: number;
}

export interface LagColumns {
  /** Epoch ms of the chart's left and right edges. */
  start: number;
  end: number;
  count: number;
  columns: LagColumn[];
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * How much time one point stands for: the windows' own length when every point is one window that says
 * it (`windowMs`), else the median gap between consecutive points (robust to a pause, or to a second
 * process writing its windows in between), else a second.
 */
function typicalStep(points: readonly (LagPoint & { windowMs?: unknown })[]): number {
  const lengths = points.map((p) => (p.windows <= 1 && typeof p.windowMs === 'number' && p.windowMs > 0 ? p.windowMs : NaN));
  if (lengths.every((length) => !Number.isNaN(length))) return median(lengths) ?? 1000;
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const gap = (points[i]?.at ?? 0) - (points[i - 1]?.at ?? 0);
    if (gap > 0) gaps.push(gap);
  }
  return median(gaps) ?? 1000;
}

/**
 * The windows as at most `cap` equal time columns. Each window covers the gap before its end (`at`), so
 * the chart starts one window before the first end; a column covers one window, or more once there are
 * more windows than columns.
 */
export function lagColumns(points: readonly LagPoint[], cap = LAG_BARS): LagColumns {
  const sorted = points.filter((p) => Number.isFinite(p.at)).sort((a, b) => a.at - b.at);
  const first = sorted[0]?.at ?? 0;
  const last = sorted.at(-1)?.at ?? first;
  const step = typicalStep(sorted);
  const start = first - step;
  const count = Math.max(1, Math.min(cap, Math.ceil((last - start) / step)));
  const width = (last - start) / count;
  const byIndex = new Map<number, LagColumn & { p50Sum: number }>();
  // A figure that is not a number (a log from a future or a broken writer) draws as no lag, not as NaN.
  const finite = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms : 0);
  for (const point of sorted) {
    // The middle of the window decides its column, so a window ending on a column's edge stays in its own.
    const index = Math.min(count - 1, Math.max(0, Math.floor((point.at - step / 2 - start) / width)));
    const windows = Math.max(1, point.windows);
    const seen = byIndex.get(index);
    if (!seen) {
      byIndex.set(index, { index, at: point.at, maxMs: finite(point.maxMs), p99Ms: finite(point.p99Ms), p50Ms: 0, windows, p50Sum: finite(point.p50Ms) * windows });
      continue;
    }
    seen.at = Math.max(seen.at, point.at);
    seen.maxMs = Math.max(seen.maxMs, finite(point.maxMs));
    seen.p99Ms = Math.max(seen.p99Ms, finite(point.p99Ms));
    seen.windows += windows;
    seen.p50Sum += finite(point.p50Ms) * windows;
  }
  const columns = [...byIndex.values()]
    .sort((a, b) => a.index - b.index)
    .map(({ p50Sum, ...column }) => ({ ...column, p50Ms: p50Sum / column.windows }));
  return { start, end: last, count, columns };
}

/** A round step (1, 2, 2.5 or 5 × 10ⁿ) that splits `top` into at most four intervals. */
function niceStep(top: number): number {
  if (!(top > 0)) return 1;
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((s) => s * power >= raw) ?? 10) * power;
}

function msLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + (Number.isInteger(step / 10 ** Math.floor(Math.log10(step))) ? 0 : 1));
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.min(3, decimals) });
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Clock steps a reader counts in. */
const TIME_STEPS = [
  ...[1, 2, 5, 10, 15, 30].map((n) => n * SECOND),
  ...[1, 2, 5, 10, 15, 30].map((n) => n * MINUTE),
  ...[1, 2, 3, 6, 12].map((n) => n * HOUR),
  ...[1, 2, 7, 14, 30, 91, 365].map((n) => n * DAY),
];

/** `16:34:32` (UTC, as the report's other times), `16:34` from minute steps on, `11-23` from days on. */
function clockLabel(at: number, step: number): string {
  const iso = new Date(at).toISOString();
  if (step >= DAY) return iso.slice(5, 10);
  if (step >= MINUTE) return iso.slice(11, 16);
  const ms = at % SECOND;
  return ms === 0 || step >= SECOND ? iso.slice(11, 19) : iso.slice(11, 21);
}

function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

interface Tick {
  x: number;
  label: string;
  anchor: 'start' | 'middle' | 'end';
}

/** Time ticks at round clock times, spaced so their labels never touch; the chart's two ends when none fit. */
function timeTicks(start: number, end: number, x: (at: number) => number): Tick[] {
  const span = Math.max(1, end - start);
  const fits = (step: number) => (step / span) * LAG_INNER_W >= clockLabel(start, step).length * CHAR_PX + LABEL_GAP_PX;
  const step = TIME_STEPS.find(fits) ?? 365 * DAY;
  const ticks: Tick[] = [];
  for (let at = Math.ceil(start / step) * step; at <= end; at += step) {
    // Midnight names the day it begins, so a chart over several days says which day is which.
    const label = step < DAY && at % DAY === 0 && utcDay(start) !== utcDay(end) ? new Date(at).toISOString().slice(5, 10) : clockLabel(at, step);
    const half = (label.length * CHAR_PX) / 2;
    // A label that would run past the chart's edge is left out rather than squeezed.
    if (x(at) - half >= 2 && x(at) + half <= LAG.width - 2) ticks.push({ x: x(at), label, anchor: 'middle' });
  }
  if (ticks.length >= 2) return ticks;
  // Too short a span for two round times (a few windows): label where the chart starts and ends.
  const precise = start % SECOND !== 0 || end % SECOND !== 0 ? 1 : SECOND;
  return [
    { x: x(start), label: clockLabel(start, precise), anchor: 'start' },
    { x: x(end), label: clockLabel(end, precise), anchor: 'end' },
  ];
}

/** `1.2 s`, `30 s`, `5 min`: a column's width for the caption. */
function spanText(ms: number): string {
  if (ms >= 2 * HOUR) return `${(ms / HOUR).toFixed(ms >= 10 * HOUR ? 0 : 1)} h`;
  if (ms >= 2 * MINUTE) return `${(ms / MINUTE).toFixed(ms >= 10 * MINUTE ? 0 : 1)} min`;
  return formatMs(ms);
}

export interface LagChartOptions {
  /** The stall threshold, drawn as a dashed line when it is within the chart's range. */
  thresholdMs?: number | null;
}

/**
 * Lag over time as bars, one per window (or per column of windows once there are more than LAG_BARS):
 * the max behind, the p99 in front of it, the p50 at the foot. Bars, not a line, so one or two windows
 * read as clearly as ten thousand, and a merged column never draws a slope between windows it never saw.
 */
export function lagChart(points: readonly LagPoint[], options: LagChartOptions = {}): string {
  const { start, end, count, columns } = lagColumns(points);
  if (columns.length === 0) return '<p class="empty">No lag windows in this log.</p>';
  const single = points.length === 1;
  const worst = columns.reduce((most, c) => Math.max(most, c.maxMs), 0);
  const yStep = niceStep(worst);
  const top = Math.max(yStep, Math.ceil(worst / yStep) * yStep);
  const colPx = LAG_INNER_W / count;
  const x = (at: number) => LAG.left + (single ? LAG_INNER_W / 2 : ((at - start) / Math.max(1, end - start)) * LAG_INNER_W);
  const y = (ms: number) => LAG.top + LAG_INNER_H - (Math.min(Math.max(ms, 0), top) / top) * LAG_INNER_H;
  const baseline = LAG.top + LAG_INNER_H;

  const parts: string[] = [];
  for (let value = 0; value <= top + yStep / 1000; value += yStep) {
    const yy = fixed(y(value));
    parts.push(`<line class="grid" x1="${LAG.left}" x2="${LAG.width - LAG.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="tick y-tick" x="${LAG.left - 8}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(msLabel(value, yStep))}</text>`);
  }
  parts.push(`<line class="axis" x1="${LAG.left}" x2="${LAG.width - LAG.right}" y1="${baseline}" y2="${baseline}"/>`);

  const barW = colPx >= 4 ? Math.min(BAR_MAX_PX, colPx * 0.75) : Math.max(1, colPx);
  // Each figure in front of the one above it and narrower where there is room, so a window whose p50,
  // p99 and max are one value (a single long sample) still shows all three.
  const rect = (name: string, cx: number, ms: number, share: number) => {
    const w = barW >= 6 ? barW * share : barW;
    // A window with any lag at all gets a visible sliver.
    const h = ms > 0 ? Math.max(1, baseline - y(ms)) : 0;
    return `<rect class="${name}" x="${fixed(cx - w / 2)}" y="${fixed(baseline - h)}" width="${fixed(w)}" height="${fixed(h)}"/>`;
  };
  for (const column of columns) {
    const cx = single ? x(column.at) : LAG.left + (column.index + 0.5) * colPx;
    const title = `${clockLabel(column.at, 1)} UTC, ${column.windows} window${column.windows === 1 ? '' : 's'}: max ${formatMs(column.maxMs)}, p99 ${formatMs(column.p99Ms)}, p50 ${formatMs(column.p50Ms)}`;
    parts.push(`<g class="lag-bar"><title>${escapeHtml(title)}</title>${rect('bar-max', cx, column.maxMs, 1)}${rect('bar-p99', cx, column.p99Ms, 0.7)}${rect('bar-p50', cx, column.p50Ms, 0.4)}</g>`);
  }

  // The threshold is named in the legend, not beside its line, where a bar could cover the words.
  const threshold = options.thresholdMs;
  const showThreshold = typeof threshold === 'number' && threshold > 0 && threshold <= top;
  if (showThreshold) {
    const yy = fixed(y(threshold));
    parts.push(`<line class="threshold" x1="${LAG.left}" x2="${LAG.width - LAG.right}" y1="${yy}" y2="${yy}"/>`);
  }

  // One window: its end time under its bar (there is no span to divide).
  const ticks: Tick[] = single ? [{ x: x(end), label: clockLabel(end, 1), anchor: 'middle' }] : timeTicks(start, end, x);
  for (const tick of ticks) {
    parts.push(`<line class="axis" x1="${fixed(tick.x)}" x2="${fixed(tick.x)}" y1="${baseline}" y2="${baseline + 4}"/>`);
    parts.push(`<text class="tick x-tick" x="${fixed(tick.x)}" y="${baseline + 18}" text-anchor="${tick.anchor}">${escapeHtml(tick.label)}</text>`);
  }
  const days = utcDay(single ? end : start) === utcDay(end) ? utcDay(end) : `${utcDay(start)} – ${utcDay(end)}`;
  parts.push(`<text class="axis-title x-title" x="${LAG.left + LAG_INNER_W / 2}" y="${LAG.height - 10}" text-anchor="middle">time (UTC, ${days})</text>`);
  parts.push(`<text class="axis-title y-title" x="${LAG.left - 8}" y="${LAG.top - 14}" text-anchor="end">ms</text>`);

  const legendX = LAG.width - LAG.right - (showThreshold ? 310 : 150);
  const legend =
    (['max', 'p99', 'p50'] as const)
      .map((name, i) => `<g class="legend" transform="translate(${legendX + i * 52},${LAG.top - 24})"><rect class="swatch bar-${name}" width="12" height="12"/><text x="17" y="10">${name}</text></g>`)
      .join('') +
    (showThreshold
      ? `<g class="legend" transform="translate(${legendX + 160},${LAG.top - 24})"><line class="threshold" x1="0" x2="18" y1="6" y2="6"/><text x="24" y="10">stall threshold ${escapeHtml(formatMs(threshold))}</text></g>`
      : '');

  const windows = points.reduce((sum, p) => sum + Math.max(1, p.windows), 0);
  const merged = windows > columns.length;
  const caption = merged
    ? `${windows.toLocaleString('en-US')} lag windows in ${columns.length} bars of ${spanText((end - start) / count)} each: a bar shows the worst max and p99 of its windows (a spike is never averaged away) and their mean p50.`
    : `${windows} lag window${windows === 1 ? '' : 's'}, one bar each: the worst delay (max), the 99th and the 50th percentile of the event-loop delay in the window.`;
  return `<svg class="chart lag-chart" viewBox="0 0 ${LAG.width} ${LAG.height}" role="img" aria-label="Event-loop lag over time">${parts.join('')}${legend}</svg>
<p class="dim chart-note">${escapeHtml(caption)}</p>`;
}

/* ---------------------------------------------------------------- stall durations */

/** Stall durations: how many stalls fell into each duration bucket. */
export function stallHistogram(buckets: readonly HistogramBucket[]): string {
  if (buckets.every((b) => b.count === 0)) return '<p class="empty">No stalls were logged.</p>';
  const most = buckets.reduce((m, b) => Math.max(m, b.count), 0);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / buckets.length;
  const barW = Math.min(90, slot * 0.7);
  const parts = buckets.map((bucket, i) => {
    const h = (bucket.count / most) * (innerH - 16);
    const cx = PAD.left + slot * i + slot / 2;
    const yTop = PAD.top + innerH - h;
    return (
      `<rect class="bar" x="${fixed(cx - barW / 2)}" y="${fixed(yTop)}" width="${fixed(barW)}" height="${fixed(h)}"><title>${plural(bucket.count, 'stall')} of ${escapeHtml(bucket.label)}</title></rect>` +
      `<text class="count" x="${fixed(cx)}" y="${fixed(yTop - 4)}" text-anchor="middle">${bucket.count}</text>` +
      `<text class="tick" x="${fixed(cx)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(bucket.label)}</text>`
    );
  });
  const baseline = `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + innerH}" y2="${PAD.top + innerH}"/>`;
  return `<svg class="chart stall-histogram" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Stall durations">${baseline}${parts.join('')}</svg>`;
}
