/** Signatures remembered for de-duplication; the oldest is forgotten first. */
const MAX_REMEMBERED = 1000;
/** A time up to this much before the last one is an earlier reading of the same clock, not a wrap. */
const EARLIER_READING_MS = 1000;

/**
 * Decides which blocks get a detailed report: a token bucket of `perMinute` (taken before a stack
 * capture, since capturing is the costly part) and at most one report per signature per window.
 *
 * Its times are monitor-clock ms (monotonic, an Int32 that wraps after 24.8 days), not the wall clock:
 * fed Date.now(), a wall clock stepped back an hour (NTP) stopped the refill and kept every repeat "within
 * the window" until the clock caught up, an hour without a report. The limiter keeps its own count of ms
 * since it was made (`#elapsedMs`, never wrapping), advanced at each call by the clock's difference since
 * the last: the clock only moves forward, so that difference read unsigned (`>>> 0`) is the time between
 * the two calls across a wrap too, as long as they are less than 49.7 days apart. A caller on the wall
 * clock that steps back more than a second gets a huge difference: the bucket is refilled and every
 * signature forgotten, so reports resume at once rather than an hour later.
 */
export class ReportLimiter {
  readonly #perMinute: number;
  readonly #dedupeWindowMs: number;
  #tokens: number;
  /** Ms since the limiter was made, summed from the clock's differences: never wraps. */
  #elapsedMs = 0;
  /** The clock time `#elapsedMs` was last advanced to (less the fraction of a ms not yet counted). */
  #countedTo: number;
  /** Signature -> `#elapsedMs` of its last report. */
  readonly #lastReported = new Map<string, number>();

  constructor(options: { perMinute: number; dedupeWindowMs: number; now: number }) {
    this.#perMinute = options.perMinute;
    this.#dedupeWindowMs = options.dedupeWindowMs;
    this.#tokens = options.perMinute;
    this.#countedTo = options.now;
  }

  /** Takes a report token if one is left; `now` in monitor-clock ms. */
  take(now: number): boolean {
    this.#moveTo(now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** False when this signature was reported within the window; otherwise remembers it. `now` in monitor-clock ms. */
  firstInWindow(signature: string, now: number): boolean {
    this.#moveTo(now);
    const at = this.#elapsedMs;
    const last = this.#lastReported.get(signature);
    if (last !== undefined && at - last < this.#dedupeWindowMs) return false;
    this.#lastReported.delete(signature);
    if (this.#lastReported.size >= MAX_REMEMBERED) {
      const oldest = this.#lastReported.keys().next();
      if (oldest.done !== true) this.#lastReported.delete(oldest.value);
    }
    this.#lastReported.set(signature, at);
    return true;
  }

  /**
   * Moves the limiter's own time to `now` (whole ms: the fraction of one left over is counted at a later
   * call, or a fractional clock read at sub-ms intervals would never move it) and refills the bucket for
   * the time that passed.
   */
  #moveTo(now: number): void {
    const stepMs = (now - this.#countedTo) >>> 0;
    // A caller's reading taken a moment before the last call's: no time passed (not 49.7 days).
    if (stepMs === 0 || stepMs > 2 ** 32 - EARLIER_READING_MS) return;
    this.#countedTo += stepMs;
    this.#elapsedMs += stepMs;
    this.#tokens = Math.min(this.#perMinute, this.#tokens + (stepMs * this.#perMinute) / 60_000);
  }
}
