import type * as Inspector from 'node:inspector';
import type { InFlightCall, MonitorContext } from '../types.js';
import { FORMAT_STACK_EXPRESSION, PAUSE_EXPRESSION, parsePauseProbe, STRINGIFY_EXPRESSION, type PauseProbe } from '../context/index.js';
import { MAX_FRAMES, type RawFrame, type ScriptInfo } from './frames.js';

/*
 * Pauses the main thread from the watchdog worker to copy its stack, through an in-process inspector
 * session (no port, no native addon). The debugger is enabled only for the duration of one stall:
 * left on it slows throw/catch and new Function heavily and de-optimises what was on the stack.
 *
 * The session is connected only while it is used (a capture, a quick sample; connecting takes ~0.05 ms):
 * a session from a worker holds the main thread's inspector open, and Node then prints "Waiting for the
 * debugger to disconnect..." on the host's stderr when the process signals itself (signal-exit's
 * re-raise of SIGTERM after cleaning up, `process.kill(process.pid, 'SIGKILL')`), where no JS of ours runs
 * first. Connected for good, every such exit printed it; now only one in the middle of a sampled block.
 */

/** What the capture needs to know about the stall it is sampling. */
export interface StallProbe {
  /** Monitor-clock ms now. */
  now(): number;
  /** The main thread's latest heartbeat. */
  beat(): number;
  readInFlight(): InFlightCall | null;
  /** False once a debugger (the host's own, say) was enabled mid-capture: no further pause. */
  pauseAllowed(): boolean;
  /** Resolves when the stall has ended (the heartbeat moved). */
  readonly ended: Promise<void>;
  /** Resolves after `ms`, or sooner with false if the stall ends first. */
  stillStalledAfter(ms: number): Promise<boolean>;
}

export interface CaptureSample {
  frames: RawFrame[];
  /** Heartbeat seen when the pause landed: a different beat means the block was already over. */
  pausedBeat: number;
  inFlightAtPause: InFlightCall | null;
  /** Monitor-clock ms when the main thread was let go again. */
  resumedAt: number;
  /** The loop's idle counter read in the pause (ms); null where the runtime has none. */
  idle: number | null;
}

export interface CaptureResult {
  samples: CaptureSample[];
  context: MonitorContext | null;
  /** HTTP requests the middleware had in flight at the first pause; null without the middleware. */
  requestsInFlight: number | null;
  scripts: Map<string, ScriptInfo>;
}

/**
 * A capture's result as it is being filled in, readable while the stall still lasts (the watchdog's
 * provisional "ongoing" report reads the newest sample from it). The capture only ever appends.
 */
export type CaptureProgress = CaptureResult;

export function emptyCapture(): CaptureProgress {
  return { samples: [], context: null, requestsInFlight: null, scripts: new Map() };
}

/**
 * The quick sample: the stack as `new Error().stack` sees it (formatted by stack-text's formatCallSites, so
 * its frames are named as a pause names them), evaluated on the main thread without the debugger
 * (Runtime.evaluate runs in an interrupt, on top of the blocked code's frames), with the context probe's
 * answer. Measured on Node 20 with a busy main thread: 2 ms, where Debugger.enable takes 90-220 ms
 * with 120-230 scripts loaded. The host's stack-trace settings are put back as they were.
 */
export function quickExpression(clockBaseMs: number | null): string {
  // The main thread's monitor clock as it samples (clock.ts's formula, on that thread's own performance).
  const takenAt = clockBaseMs === null ? 'null' : `(() => { try { const p = g.performance; return (p.timeOrigin + p.now() - ${clockBaseMs}) | 0; } catch { return null; } })()`;
  return (
    '(() => { const g = globalThis; const E = Error; const limit = E.stackTraceLimit; const prepare = E.prepareStackTrace; let stack = null; ' +
    `try { E.stackTraceLimit = 64; E.prepareStackTrace = ${FORMAT_STACK_EXPRESSION}; stack = new E().stack; } catch {} ` +
    'finally { try { E.stackTraceLimit = limit; E.prepareStackTrace = prepare; } catch {} } ' +
    `return (${STRINGIFY_EXPRESSION})([typeof stack === 'string' ? stack : null, ${PAUSE_EXPRESSION}, ${takenAt}]); })()`
  );
}

/** A quick sample: the stack text (formatCallSites', innermost first) and what the context probe said. */
export interface QuickSample {
  stack: string;
  probe: PauseProbe;
  /**
   * Monitor-clock ms on the main thread when it was taken; absent when unknown. On a loaded machine the
   * answer can reach the watchdog long after it was taken: this, not its arrival, tells whether the block
   * was still running.
   */
  takenAt?: number;
}

/** How long to wait for a requested pause once the stall is over (it then lands in unrelated code). */
const PAUSE_GRACE_MS = 1000;

interface PausedParams {
  callFrames: { functionName: string; location: { scriptId: string; lineNumber: number; columnNumber?: number } }[];
}

export class StackCapturer {
  readonly #session: Inspector.Session;
  #scripts: Map<string, ScriptInfo> | null = null;
  #onPaused: ((params: PausedParams) => void) | null = null;
  /** Captures and quick samples using the session now: it is connected while this is above zero. */
  #users = 0;
  #closed = false;
  readonly #quickExpression: string;

  /**
   * Checks that the main thread's inspector can be reached (connects once and lets go); throws when it is
   * missing or refused. `clockBaseMs`: the monitor clock's base, so quick samples say when they were
   * taken (null: they do not).
   */
  static async connect(clockBaseMs: number | null = null): Promise<StackCapturer> {
    const inspector = await import('node:inspector');
    const session = new inspector.Session();
    session.connectToMainThread();
    session.disconnect();
    return new StackCapturer(session, clockBaseMs);
  }

  private constructor(session: Inspector.Session, clockBaseMs: number | null) {
    this.#session = session;
    this.#quickExpression = quickExpression(clockBaseMs);
    session.on('Debugger.scriptParsed', (message: Inspector.InspectorNotification<Inspector.Debugger.ScriptParsedEventDataType>) => {
      const { scriptId, url, sourceMapURL } = message.params;
      this.#scripts?.set(scriptId, { url, sourceMapUrl: sourceMapURL ?? '' });
    });
    session.on('Debugger.paused', (message: Inspector.InspectorNotification<Inspector.Debugger.PausedEventDataType>) => {
      const waiter = this.#onPaused;
      this.#onPaused = null;
      if (waiter !== null) waiter(message.params);
      // A pause nobody asked for (a `debugger` statement while we were enabled): let the app go on.
      else void this.#post('Debugger.resume').catch(() => undefined);
    });
  }

  get busy(): boolean {
    return this.#scripts !== null;
  }

  /**
   * Samples the main thread's stack while the stall lasts: the first pause, then one per interval.
   * `progress` is filled in as samples are taken, so the caller can read them before the capture ends.
   */
  async capture(stall: StallProbe, intervalMs: number, maxSamples: number, progress: CaptureProgress = emptyCapture()): Promise<CaptureResult | null> {
    if (this.#scripts !== null || !this.#acquire()) return null;
    const { scripts, samples } = progress;
    this.#scripts = scripts;
    try {
      let paused = this.#nextPause(stall);
      // Sent back to back: if the main thread is inside a native call, both are handled when it returns.
      const enabled = this.#post('Debugger.enable');
      const pauseRequested = this.#post('Debugger.pause');
      await enabled;
      await pauseRequested;
      let firstIdle: number | null = null;
      for (;;) {
        const params = await paused;
        if (params === null) break;
        const pausedBeat = stall.beat();
        const inFlightAtPause = stall.readInFlight();
        const frames = copyFrames(params);
        const probe = await this.#readPauseProbe();
        if (samples.length === 0) {
          progress.context = probe.context;
          progress.requestsInFlight = probe.requestsInFlight;
          firstIdle = probe.idle;
        } else if (!sameTask(samples[0]!.frames, frames, firstIdle, probe.idle)) {
          // The block ended and the loop moved on before the heartbeat could say so: not one of its samples.
          await this.#post('Debugger.resume');
          break;
        }
        await this.#post('Debugger.resume');
        samples.push({ frames, pausedBeat, inFlightAtPause, resumedAt: stall.now(), idle: probe.idle });
        if (samples.length >= maxSamples || !(await stall.stillStalledAfter(intervalMs)) || !stall.pauseAllowed()) break;
        paused = this.#nextPause(stall);
        await this.#post('Debugger.pause');
      }
    } catch {
      // The session failed mid-way (the main thread is exiting): keep what was copied.
    } finally {
      this.#onPaused = null;
      await this.#post('Debugger.disable').catch(() => undefined);
      this.#release();
      this.#scripts = null;
    }
    return samples.length === 0 ? null : progress;
  }

  /** The main thread's stack without pausing it (see quickExpression); null when the evaluation failed. */
  async quickSample(): Promise<QuickSample | null> {
    if (!this.#acquire()) return null;
    try {
      const result = (await this.#post('Runtime.evaluate', { expression: this.#quickExpression, returnByValue: true, silent: true })) as { result?: { value?: unknown } } | undefined;
      const value = result?.result?.value;
      if (typeof value !== 'string') return null;
      const [stack, probe, takenAt] = JSON.parse(value) as unknown[];
      if (typeof stack !== 'string') return null;
      return { stack, probe: parsePauseProbe(probe), ...(typeof takenAt === 'number' ? { takenAt } : {}) };
    } catch {
      return null;
    } finally {
      this.#release();
    }
  }

  /** Lets go of the main thread; the session must be gone before process.exit() completes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#users > 0) this.#disconnect();
  }

  /** Connects the session if no one uses it yet; false when closed or refused (nothing to release). */
  #acquire(): boolean {
    if (this.#closed) return false;
    if (this.#users === 0) {
      try {
        this.#session.connectToMainThread();
      } catch {
        return false;
      }
    }
    this.#users++;
    return true;
  }

  #release(): void {
    this.#users--;
    if (this.#users === 0 && !this.#closed) this.#disconnect();
  }

  #disconnect(): void {
    try {
      this.#session.disconnect();
    } catch {
      // Already disconnected.
    }
  }

  #nextPause(stall: StallProbe): Promise<PausedParams | null> {
    return new Promise((resolve) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const waiter = (params: PausedParams | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.#onPaused === waiter) this.#onPaused = null;
        resolve(params);
      };
      this.#onPaused = waiter;
      void stall.ended.then(() => {
        if (!settled) timer = setTimeout(() => waiter(null), PAUSE_GRACE_MS);
      });
    });
  }

  /**
   * Reads the context while paused, in the global scope rather than on the paused frame: the store is the
   * blocked code's own either way (it follows the async context, not the scope), but an evaluation on the
   * frame resolves names in the frame's scope, and a scope that declares `globalThis`, `Symbol` or `JSON`
   * without capturing them (Node's own modules bind `Symbol` from primordials; bundles rename freely)
   * throws a ReferenceError there, and the block lost its context. A frame in a vm context would not see
   * the accessor at all.
   */
  async #readPauseProbe(): Promise<PauseProbe> {
    try {
      const result = (await this.#post('Runtime.evaluate', { expression: PAUSE_EXPRESSION, returnByValue: true, silent: true })) as { result?: { value?: unknown } } | undefined;
      return parsePauseProbe(result?.result?.value);
    } catch {
      return parsePauseProbe(null);
    }
  }

  #post(method: string, params?: object): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(new Error('inspector session closed'));
        return;
      }
      this.#session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result)));
    });
  }
}

/**
 * Whether a later sample was taken in the same task as the first: the loop has not waited since (its
 * idle counter did not move) and the outermost frame is the same call site (a task's bottom frame stays
 * put while it runs; a new task starts from its own).
 */
function sameTask(first: RawFrame[], later: RawFrame[], firstIdle: number | null, laterIdle: number | null): boolean {
  if (firstIdle !== null && laterIdle !== null && laterIdle !== firstIdle) return false;
  const a = first.at(-1);
  const b = later.at(-1);
  if (a === undefined || b === undefined) return false;
  return a.scriptId === b.scriptId && a.line === b.line && a.column === b.column && a.functionName === b.functionName;
}

function copyFrames(params: PausedParams): RawFrame[] {
  const frames: RawFrame[] = [];
  for (const frame of params.callFrames) {
    if (frames.length >= MAX_FRAMES) break;
    frames.push({
      functionName: frame.functionName,
      scriptId: frame.location.scriptId,
      line: frame.location.lineNumber,
      column: frame.location.columnNumber ?? 0,
    });
  }
  return frames;
}
