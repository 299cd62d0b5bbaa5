import type { ChalkInstance } from 'chalk';
import { UsageError } from '../errors.js';
import { mergeAgentFigures, readAgentsSection } from '../shared/agents-section.js';
import { formatBlockLine, formatNeverEndedLine } from '../shared/format.js';
import { formatSlaLine, mergeSlaCounts, readSlaSection } from '../shared/sla.js';
import { mergeStalls } from './merge-snapshots.js';
import { EndpointConnection, type EndpointTarget } from './endpoint-connection.js';
import { MonitorConnection, type MonitorLink } from './monitor-connection.js';
import type { BlockEvent } from '../shared/monitor-types.js';
import { renderScreen } from './screen.js';
import { TerminalPainter } from './terminal.js';
import { WatchState } from './watch-state.js';

export type WatchOutput = 'screen' | 'lines' | 'json';

/** Where a watched monitor is read: its control socket, or its metrics endpoint. */
export type MonitorSource = { kind: 'socket'; path: string } | { kind: 'url'; endpoint: EndpointTarget };

export interface WatchSessionOptions {
  sources: readonly MonitorSource[];
  output: WatchOutput;
  durationMs: number | undefined;
  intervalMs: number;
  color: ChalkInstance;
}

/**
 * Connects to every socket, polls snapshots every interval, streams events, and draws (or prints
 * NDJSON) until the duration ends, every process has gone, or `stop` is called.
 */
export class WatchSession {
  readonly state = new WatchState();
  private readonly connections: MonitorLink[] = [];
  private readonly painter = new TerminalPainter(process.stdout);
  private finish: (() => void) | undefined;
  private stopping = false;

  constructor(private readonly options: WatchSessionOptions) {}

  /** Opens all connections first, so a bad socket fails before anything is drawn. */
  async connect(): Promise<void> {
    try {
      for (const source of this.options.sources) {
        const connection = source.kind === 'socket' ? await MonitorConnection.open(source.path) : await EndpointConnection.open(source.endpoint);
        // The view keys processes by pid: one process named twice would list its blocks twice, and two
        // containers' processes (pid 1 each) would overwrite each other.
        const twin = this.connections.find((other) => other.hello.pid === connection.hello.pid);
        this.connections.push(connection);
        if (twin !== undefined) {
          throw new UsageError(
            `${twin.path} and ${connection.path} both answer as pid ${twin.hello.pid}: the same process twice, or processes in two containers (which may share a pid); watch each once`,
          );
        }
        this.track(connection);
      }
    } catch (error) {
      for (const connection of this.connections) connection.close();
      throw error;
    }
  }

  async run(): Promise<void> {
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    const durationTimer = this.options.durationMs === undefined ? undefined : setTimeout(() => this.stop(), this.options.durationMs);
    let polling = false;
    const tick = async () => {
      if (polling) return;
      polling = true;
      try {
        await this.poll();
        this.draw();
      } finally {
        polling = false;
      }
    };
    const interval = setInterval(() => void tick(), this.options.intervalMs);
    await tick();
    try {
      await done;
    } finally {
      clearInterval(interval);
      clearTimeout(durationTimer);
      await this.poll();
      for (const connection of this.connections) connection.close();
      this.painter.restore();
      this.printFinal();
    }
  }

  stop(): void {
    this.stopping = true;
    this.finish?.();
  }

  private track(connection: MonitorLink): void {
    const { pid } = connection.hello;
    this.state.addProcess(connection.hello, connection.path, connection.kind === 'url');
    if (this.options.output === 'json') this.emit({ ...connection.hello, ...(connection.kind === 'url' ? { url: connection.path } : { socketPath: connection.path }) });
    const onBlock = (block: BlockEvent) => {
      const seen = this.state.addBlock(pid, block);
      if (this.options.output === 'json') this.emit({ ...block, pid });
      else if (this.options.output === 'lines') {
        process.stdout.write(`pid ${pid}  ${formatBlockLine(block, this.options.color, { endedAfterOngoing: seen.endedAfterOngoing })}\n`);
      } else this.draw();
    };
    // Connected to a process that is blocked right now: the monitor's hello carries the block it reported.
    const { ongoing } = connection.hello;
    if (ongoing?.type === 'block' && ongoing.ongoing === true) {
      // The screen is drawn by run() from the state; lines and NDJSON print it now.
      if (this.options.output === 'screen') this.state.addBlock(pid, ongoing);
      else onBlock(ongoing);
    }
    connection.on('block', onBlock);
    connection.on('lag', (lag) => {
      this.state.addLag(pid, lag);
      if (this.options.output === 'json') this.emit({ ...lag, pid });
    });
    // A run or request in flight past the SLA: a line of its own, like a block (the screen lists the latest).
    connection.on('sla', (breach) => {
      this.state.addSlaBreach(pid, breach);
      if (this.options.output === 'json') this.emit({ type: 'sla', ...breach, pid });
      else if (this.options.output === 'lines') process.stdout.write(`pid ${pid}  ${formatSlaLine(breach, this.options.color)}\n`);
      else this.draw();
    });
    connection.on('close', () => {
      if (this.stopping) return; // we closed it
      this.state.markDisconnected(pid);
      if (this.options.output === 'json') this.emit({ type: 'disconnected', pid });
      if (this.options.output === 'lines') {
        // Reported as ongoing, and the process is gone: it was killed (or died) while blocked.
        for (const seen of this.state.ongoingBlocks(pid)) {
          process.stdout.write(`pid ${pid}  ${formatNeverEndedLine({ ...seen.block, noStackReason: seen.block.noStack }, this.options.color, { goneAt: Date.now() })}\n`);
        }
      }
      if (this.connections.every((c) => c.isClosed)) this.stop();
    });
  }

  private async poll(): Promise<void> {
    await Promise.all(
      this.connections
        .filter((c) => !c.isClosed)
        .map(async (connection) => {
          const snapshot = await connection.snapshot();
          if (!snapshot) return;
          this.state.setSnapshot(connection.hello.pid, snapshot);
          if (this.options.output === 'json') this.emit({ type: 'snapshot', pid: connection.hello.pid, snapshot });
        }),
    );
  }

  private draw(): void {
    if (this.options.output !== 'screen') return;
    this.painter.paint(renderScreen(this.state, this.painter.size, this.options.color));
  }

  /** What stays on the normal screen (or ends the NDJSON stream) after the live view closes. */
  private printFinal(): void {
    if (this.options.output === 'json') {
      const snapshots = this.state.snapshots();
      // `agents`: per-tool figures and agent runs in flight of every process added up (run ages as of now); null when none tracked a run.
      const agents = mergeAgentFigures(snapshots.map((s) => readAgentsSection(s.sections, Date.now())));
      // `sla`: the breach counts of every process's `sections.sla` added up (what /metrics counts); null when no process has the SLA on.
      const sla = mergeSlaCounts(snapshots.map((s) => readSlaSection(s.sections)));
      this.emit({ type: 'merged', processes: snapshots.map((s) => s.pid), stalls: mergeStalls(snapshots), agents, sla });
      return;
    }
    const size = { columns: process.stdout.columns || 100, rows: 60 };
    process.stdout.write(`${renderScreen(this.state, size, this.options.color).join('\n')}\n`);
  }

  private emit(object: Record<string, unknown> | object): void {
    if (!process.stdout.writable) return; // the reader went away (a closed pipe)
    process.stdout.write(`${JSON.stringify(object)}\n`);
  }
}
