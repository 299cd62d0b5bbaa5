/**
 * Prometheus text exposition format (0.0.4) of a snapshot, with no dependency: this is what the
 * watchdog worker serves while the main loop is frozen. Apps that already run prom-client should use
 * `registerPromClientMetrics` instead, so prom-client formats and serves alongside their own metrics.
 */
import type { MonitorSnapshot } from '../types.js';
import { buildFamilies, type FamilyOptions, type MetricFamily } from './families.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export function renderFamilies(families: readonly MetricFamily[]): string {
  let text = '';
  for (const family of families) {
    text += `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} ${family.type}\n`;
    for (const sample of family.samples) {
      text += family.name + sample.suffix;
      if (sample.labels !== null) {
        const pairs = Object.entries(sample.labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
        text += `{${pairs.join(',')}}`;
      }
      text += ` ${formatValue(sample.value)}\n`;
    }
  }
  return text;
}

/** The snapshot in Prometheus text format: OpenTelemetry-derived names, prom-client's names and agent-lag's own. */
export function renderPrometheus(snapshot: MonitorSnapshot, options?: FamilyOptions): string {
  return renderFamilies(buildFamilies(snapshot, options));
}
