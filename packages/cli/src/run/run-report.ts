import type { BlockEvent, MonitorSnapshot } from '../watch/monitor-types.js';

/** What `agent-lag run` learnt from the event log, fed one line at a time. */
export class RunReport {
  /** Ended blocks (final events): a block first reported as ongoing is here once, when it ends. */
  readonly blocks: BlockEvent[] = [];
  /** Provisional (ongoing) events whose final event has not come, by startedAt. */
  readonly #ongoing = new Map<number, BlockEvent>();
  /** Final events that closed a provisional one (so the live line can say the block ended). */
  readonly #closedOngoing = new WeakSet<BlockEvent>();
  /** One per monitored process that exited cleanly (npm and the app it starts each write one). */
  readonly summaries: MonitorSnapshot[] = [];
  lagWindows = 0;

  /** Records a line; returns the block when it is one, so the caller can print it as it happens. */
  add(event: Record<string, unknown>): BlockEvent | null {
    switch (event['type']) {
      case 'block': {
        const block = event as unknown as BlockEvent;
        if (block.ongoing === true) {
          this.#ongoing.set(block.startedAt, block);
          return block;
        }
        if (this.#ongoing.delete(block.startedAt)) this.#closedOngoing.add(block);
        this.blocks.push(block);
        return block;
      }
      case 'lag':
        this.lagWindows += 1;
        return null;
      case 'summary': {
        const { type: _type, ...snapshot } = event;
        this.summaries.push(snapshot as unknown as MonitorSnapshot);
        return null;
      }
      default:
        return null;
    }
  }

  /** Blocks reported as still running whose end never came: the process was killed (or died) while blocked. */
  get neverEnded(): BlockEvent[] {
    return [...this.#ongoing.values()];
  }

  /** Whether this final event ends a block that was first reported as ongoing. */
  endedAfterOngoing(block: BlockEvent): boolean {
    return this.#closedOngoing.has(block);
  }

  /** Whether any monitor spoke at all (the command may not be Node, or may not start). */
  get heardFromMonitor(): boolean {
    return this.blocks.length > 0 || this.#ongoing.size > 0 || this.summaries.length > 0 || this.lagWindows > 0;
  }

  /**
   * The longest block after start-up. The summaries' stall maximum covers blocks whose detailed
   * report was rate-limited away; the stream covers a child that died without writing a summary.
   */
  get worstBlockMs(): number {
    // A block that never ended lasted at least as long as when it was reported.
    const streamed = [...this.blocks, ...this.#ongoing.values()].filter((b) => !b.startup).map((b) => b.durationMs);
    const summarised = this.summaries.map((s) => s.stalls.maxMs);
    return Math.max(0, ...streamed, ...summarised);
  }
}
