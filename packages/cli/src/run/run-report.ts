import type { BlockEvent, MonitorSnapshot } from '../watch/monitor-types.js';

/** What `agent-lag run` learnt from the event log, fed one line at a time. */
export class RunReport {
  readonly blocks: BlockEvent[] = [];
  /** One per monitored process that exited cleanly (npm and the app it starts each write one). */
  readonly summaries: MonitorSnapshot[] = [];
  lagWindows = 0;

  /** Records a line; returns the block when it is one, so the caller can print it as it happens. */
  add(event: Record<string, unknown>): BlockEvent | null {
    switch (event['type']) {
      case 'block':
        this.blocks.push(event as unknown as BlockEvent);
        return event as unknown as BlockEvent;
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

  /** Whether any monitor spoke at all (the command may not be Node, or may not start). */
  get heardFromMonitor(): boolean {
    return this.blocks.length > 0 || this.summaries.length > 0 || this.lagWindows > 0;
  }

  /**
   * The longest block after start-up. The summaries' stall maximum covers blocks whose detailed
   * report was rate-limited away; the stream covers a child that died without writing a summary.
   */
  get worstBlockMs(): number {
    const streamed = this.blocks.filter((b) => !b.startup).map((b) => b.durationMs);
    const summarised = this.summaries.map((s) => s.stalls.maxMs);
    return Math.max(0, ...streamed, ...summarised);
  }
}
