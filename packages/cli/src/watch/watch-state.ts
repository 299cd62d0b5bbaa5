import type { SlaRecord } from '../shared/sla.js';
import type { MonitorHello } from './monitor-connection.js';
import type { BlockEvent, LagEvent, MonitorSnapshot } from '../shared/monitor-types.js';

/** One `{"type":"lag"}` window the monitor streamed (every lagWindowMs, 10 s by default). */
export interface LagPoint {
  at: number;
  p99Ms: number;
  maxMs: number;
  utilization: number;
}

/**
 * One point of the over-time chart per snapshot poll: how long the loop was stalled since the
 * previous poll, from the stall total (exact: counts and totals are never rate-limited).
 */
export interface StallPoint {
  at: number;
  blockedMs: number;
  /** The longest single stall seen over the process's life so far, for the chart's scale. */
  intervalMs: number;
}

export interface WatchedProcess {
  hello: MonitorHello;
  /** Its control socket's path, or its metrics endpoint's URL (without credentials). */
  source: string;
  /** Read through its metrics endpoint (`watch <url>`), not its socket. */
  throughEndpoint: boolean;
  snapshot: MonitorSnapshot | null;
  lagHistory: LagPoint[];
  stallHistory: StallPoint[];
  /** False once its socket or event stream closed (the process exited). */
  connected: boolean;
}

export interface SeenBlock {
  pid: number;
  block: BlockEvent;
  /** Epoch ms (this machine) the event arrived. */
  receivedAt: number;
  /** The final event of a block first seen as ongoing: it replaced the provisional entry. */
  endedAfterOngoing: boolean;
}

/** Everything the live view shows, updated from socket messages; plain data, no I/O. */
export class WatchState {
  readonly processes = new Map<number, WatchedProcess>();
  readonly latestBlocks: SeenBlock[] = [];
  /** The last SLA breaches streamed (runs and requests in flight past `inFlightSlaMs`), oldest first, each with its pid. */
  readonly latestSlaBreaches: (SlaRecord & { pid: number })[] = [];

  constructor(
    private readonly historyLength = 120,
    private readonly blocksKept = 20,
  ) {}

  addProcess(hello: MonitorHello, source: string, throughEndpoint = false): void {
    this.processes.set(hello.pid, { hello, source, throughEndpoint, snapshot: null, lagHistory: [], stallHistory: [], connected: true });
  }

  setSnapshot(pid: number, snapshot: MonitorSnapshot): void {
    const watched = this.processes.get(pid);
    if (!watched) return;
    const previous = watched.snapshot;
    if (previous) {
      watched.stallHistory.push({
        at: snapshot.at,
        blockedMs: Math.max(0, snapshot.stalls.totalMs - previous.stalls.totalMs),
        intervalMs: Math.max(1, snapshot.at - previous.at),
      });
      if (watched.stallHistory.length > this.historyLength) watched.stallHistory.shift();
    }
    watched.snapshot = snapshot;
  }

  addLag(pid: number, event: LagEvent): void {
    const watched = this.processes.get(pid);
    if (!watched) return;
    watched.lagHistory.push({ at: event.at, p99Ms: event.lag.p99Ms, maxMs: event.lag.maxMs, utilization: event.utilization });
    if (watched.lagHistory.length > this.historyLength) watched.lagHistory.shift();
  }

  /**
   * Adds a streamed block. The final event of a block already shown as ongoing (same pid and startedAt)
   * takes the provisional one's place, so each block is listed once. Returns the entry.
   */
  addBlock(pid: number, block: BlockEvent, now = Date.now()): SeenBlock {
    if (block.ongoing !== true) {
      const provisional = this.latestBlocks.find((seen) => seen.pid === pid && seen.block.ongoing === true && seen.block.startedAt === block.startedAt);
      if (provisional) {
        Object.assign(provisional, { block, receivedAt: now, endedAfterOngoing: true });
        return provisional;
      }
    }
    const seen: SeenBlock = { pid, block, receivedAt: now, endedAfterOngoing: false };
    this.latestBlocks.push(seen);
    if (this.latestBlocks.length > this.blocksKept) this.latestBlocks.shift();
    return seen;
  }

  addSlaBreach(pid: number, breach: SlaRecord): void {
    this.latestSlaBreaches.push({ ...breach, pid });
    if (this.latestSlaBreaches.length > this.blocksKept) this.latestSlaBreaches.shift();
  }

  /** Blocks of `pid` shown as ongoing whose final event has not come (yet, or ever if the process died). */
  ongoingBlocks(pid: number): SeenBlock[] {
    return this.latestBlocks.filter((seen) => seen.pid === pid && seen.block.ongoing === true);
  }

  markDisconnected(pid: number): void {
    const watched = this.processes.get(pid);
    if (watched) watched.connected = false;
  }

  snapshots(): MonitorSnapshot[] {
    return [...this.processes.values()].flatMap((p) => (p.snapshot ? [p.snapshot] : []));
  }
}
