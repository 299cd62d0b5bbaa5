const SPARK = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/**
 * A sparkline of the last `width` values, scaled to `ceiling` (the largest value when not given).
 * Scaled on a square root so a 1 s stall does not flatten 20 ms of lag into the baseline.
 */
export function sparkline(values: readonly number[], width: number, ceiling?: number): string {
  const shown = values.slice(-width);
  const top = Math.max(ceiling ?? 0, ...shown, 0);
  const line = shown
    .map((value) => {
      if (top <= 0) return SPARK[0];
      const level = Math.round(Math.sqrt(Math.max(0, value) / top) * (SPARK.length - 1));
      return SPARK[Math.min(SPARK.length - 1, level)];
    })
    .join('');
  return line.padStart(width, ' ');
}

/** A horizontal bar for a 0..1 fraction. */
export function bar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}
