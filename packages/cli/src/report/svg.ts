import { formatMs, type HistogramBucket, type LagPoint } from './model.js';

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

/** Round a maximum up to 1, 2 or 5 × 10ⁿ so the axis ticks are readable. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((s) => s * power >= value) ?? 10;
  return step * power;
}

const fixed = (n: number) => n.toFixed(1);

/** Lag over time: p50, p99 and max of every logged window, one point per window. */
export function lagChart(points: readonly LagPoint[]): string {
  if (points.length === 0) return '<p class="empty">No lag windows in this log.</p>';
  const first = points[0]?.at ?? 0;
  const last = points.at(-1)?.at ?? first;
  const span = Math.max(1, last - first);
  const top = niceCeiling(points.reduce((most, p) => Math.max(most, p.maxMs), 0) * 1.05);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (at: number) => PAD.left + (points.length === 1 ? innerW / 2 : ((at - first) / span) * innerW);
  const y = (ms: number) => PAD.top + innerH - (Math.min(ms, top) / top) * innerH;

  const parts: string[] = [];
  for (let i = 0; i <= 4; i++) {
    const value = (top * i) / 4;
    const yy = fixed(y(value));
    parts.push(`<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${yy}" y2="${yy}"/>`);
    parts.push(`<text class="tick" x="${PAD.left - 6}" y="${yy}" text-anchor="end" dominant-baseline="middle">${escapeHtml(formatMs(value))}</text>`);
  }
  for (let i = 0; i <= 4; i++) {
    const at = first + (span * i) / 4;
    parts.push(
      `<text class="tick" x="${fixed(x(at))}" y="${HEIGHT - 8}" text-anchor="${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}">+${escapeHtml(formatMs(at - first))}</text>`,
    );
  }
  const series: [keyof Pick<LagPoint, 'p50Ms' | 'p99Ms' | 'maxMs'>, string][] = [
    ['maxMs', 'max'],
    ['p99Ms', 'p99'],
    ['p50Ms', 'p50'],
  ];
  for (const [key, name] of series) {
    const path = points.map((p) => `${fixed(x(p.at))},${fixed(y(p[key]))}`).join(' ');
    parts.push(`<polyline class="series ${name}" points="${path}"/>`);
    for (const p of points) {
      parts.push(
        `<circle class="lag-point ${name}" cx="${fixed(x(p.at))}" cy="${fixed(y(p[key]))}" r="3"><title>${name} ${escapeHtml(formatMs(p[key]))} at +${escapeHtml(formatMs(p.at - first))}</title></circle>`,
      );
    }
  }
  const legend = series
    .map(([, name], i) => `<g transform="translate(${PAD.left + 10 + i * 70},${PAD.top + 4})"><rect class="swatch ${name}" width="12" height="4" y="4"/><text x="16" y="10">${name}</text></g>`)
    .join('');
  return `<svg class="chart lag-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Event-loop lag over time">${parts.join('')}${legend}</svg>`;
}

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
      `<rect class="bar" x="${fixed(cx - barW / 2)}" y="${fixed(yTop)}" width="${fixed(barW)}" height="${fixed(h)}"><title>${bucket.count} stalls of ${escapeHtml(bucket.label)}</title></rect>` +
      `<text class="count" x="${fixed(cx)}" y="${fixed(yTop - 4)}" text-anchor="middle">${bucket.count}</text>` +
      `<text class="tick" x="${fixed(cx)}" y="${HEIGHT - 8}" text-anchor="middle">${escapeHtml(bucket.label)}</text>`
    );
  });
  const baseline = `<line class="axis" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${PAD.top + innerH}" y2="${PAD.top + innerH}"/>`;
  return `<svg class="chart stall-histogram" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="Stall durations">${baseline}${parts.join('')}</svg>`;
}
