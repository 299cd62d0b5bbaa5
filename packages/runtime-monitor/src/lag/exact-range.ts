/*
 * hdr histograms (hdr-histogram-js and Node's native ones alike) answer a percentile with the highest
 * value of its bucket, and Node's also its min and max with their bucket's bounds: at 2 significant
 * digits that is up to 1% off, enough to print `p99 803 ms, max 800 ms`. Figures are therefore reported
 * with the exact min and max, tracked beside the histogram, and every percentile clamped between them.
 */

/** `value` clamped into [min, max]. */
export function withinRange(value: number, min: number, max: number): number {
  return value > max ? max : value < min ? min : value;
}

/** The exact min and max of the values recorded, beside a histogram that rounds them. */
export class ExactRange {
  min = Infinity;
  max = -Infinity;

  record(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  get empty(): boolean {
    return this.max < this.min;
  }

  /** A percentile of the histogram, kept within what was really recorded. */
  clamp(value: number): number {
    return this.empty ? value : withinRange(value, this.min, this.max);
  }

  reset(): void {
    this.min = Infinity;
    this.max = -Infinity;
  }
}
