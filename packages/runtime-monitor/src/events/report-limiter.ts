/** Signatures remembered for de-duplication; the oldest is forgotten first. */
const MAX_REMEMBERED = 1000;

/**
 * Decides which blocks get a detailed report: a token bucket of `perMinute` (taken before a stack
 * capture, since capturing is the costly part) and at most one report per signature per window.
 */
export class ReportLimiter {
  readonly #perMinute: number;
  readonly #dedupeWindowMs: number;
  #tokens: number;
  #refilledAt: number;
  readonly #lastReported = new Map<string, number>();

  constructor(options: { perMinute: number; dedupeWindowMs: number; now: number }) {
    this.#perMinute = options.perMinute;
    this.#dedupeWindowMs = options.dedupeWindowMs;
    this.#tokens = options.perMinute;
    this.#refilledAt = options.now;
  }

  /** Takes a report token if one is left. */
  take(now: number): boolean {
    const elapsed = now - this.#refilledAt;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#perMinute, this.#tokens + (elapsed * this.#perMinute) / 60_000);
      this.#refilledAt = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** False when this signature was reported within the window; otherwise remembers it. */
  firstInWindow(signature: string, now: number): boolean {
    const last = this.#lastReported.get(signature);
    if (last !== undefined && now - last < this.#dedupeWindowMs) return false;
    this.#lastReported.delete(signature);
    if (this.#lastReported.size >= MAX_REMEMBERED) {
      const oldest = this.#lastReported.keys().next();
      if (oldest.done !== true) this.#lastReported.delete(oldest.value);
    }
    this.#lastReported.set(signature, now);
    return true;
  }
}
