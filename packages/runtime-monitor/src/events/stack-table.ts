import type { BlockEvent, StackSummary } from '../types.js';

/** Signatures kept; the least costly one makes room for a new one. */
const MAX_SIGNATURES = 100;

/** Blocks grouped by stack signature, bounded, for `snapshot().topStacks`. */
export class StackTable {
  readonly #entries = new Map<string, StackSummary>();

  add(block: BlockEvent & { signature: string }): void {
    const entry = this.#entries.get(block.signature);
    if (entry !== undefined) {
      entry.count++;
      entry.totalMs += block.durationMs;
      if (block.durationMs > entry.maxMs) entry.maxMs = block.durationMs;
      if (block.context !== null) entry.context = block.context;
      if (entry.inFlight === null) entry.inFlight = block.inFlight;
      return;
    }
    if (this.#entries.size >= MAX_SIGNATURES) this.#evictCheapest();
    this.#entries.set(block.signature, {
      signature: block.signature,
      count: 1,
      totalMs: block.durationMs,
      maxMs: block.durationMs,
      stack: block.stack,
      inFlight: block.inFlight,
      context: block.context,
    });
  }

  /** Most total blocked time first. */
  top(limit = 10): StackSummary[] {
    return [...this.#entries.values()]
      .sort((x, y) => y.totalMs - x.totalMs)
      .slice(0, limit)
      .map((entry) => ({ ...entry, totalMs: Math.round(entry.totalMs) }));
  }

  get size(): number {
    return this.#entries.size;
  }

  #evictCheapest(): void {
    let cheapest: StackSummary | undefined;
    for (const entry of this.#entries.values()) {
      if (cheapest === undefined || entry.totalMs < cheapest.totalMs) cheapest = entry;
    }
    if (cheapest !== undefined) this.#entries.delete(cheapest.signature);
  }
}
