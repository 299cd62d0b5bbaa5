/*
 * How figures are written, in run, watch, report and the demo alike: a figure reads the same in each.
 */

/**
 * Milliseconds the way a person reads them: at most three significant digits, no trailing zeros (0.42 ms,
 * 12.3 ms, 250 ms, 50 ms, 1.5 s, 12.3 s, 125 s). The one formatter of run, watch, report and the demo, so a
 * figure reads the same in each. Each range starts where the one below would round up into a fourth digit
 * (999.6 ms is 1 s, not 1000 ms).
 */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms >= 99_950) return `${Math.round(ms / 1000)} s`;
  if (ms >= 9995) return `${trimZeros((ms / 1000).toFixed(1))} s`;
  if (ms >= 999.5) return `${trimZeros((ms / 1000).toFixed(2))} s`;
  if (ms >= 99.95) return `${Math.round(ms)} ms`;
  if (ms >= 9.995) return `${trimZeros(ms.toFixed(1))} ms`;
  return `${trimZeros(ms.toFixed(2))} ms`;
}

/** `1.50` → `1.5`, `30.0` → `30`, `0.00` → `0`. */
function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** `1 stall`, `2 stalls`, `0 stalls`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function formatPercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
