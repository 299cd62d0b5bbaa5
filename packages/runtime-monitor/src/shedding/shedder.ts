/**
 * Decides, once per window, whether the process is too saturated to take new requests. Adapters ask
 * `active` per request (a field read); everything costly happens in the window timer, which is unref'd.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export type ShedReason = 'lag' | 'utilization' | 'thread-pool' | 'run-age';

export interface ShedLimits {
  /** p99 event-loop delay within a window, ms (the sampling resolution subtracted). */
  lagMs?: number;
  /** Event-loop utilisation within a window, 0..1. */
  utilization?: number;
  /** Queue delay of the monitor's thread-pool probe, ms (needs a running monitor). */
  threadPoolDelayMs?: number;
  /**
   * Age of the oldest agent run in flight (trackRun, the SDK adapters), ms: for agent services, where a run
   * held open long says the process is behind before the loop's own figures do.
   */
  oldestRunAgeMs?: number;
}

export interface ShedderOptions extends ShedLimits {
  /** Length of an evaluation window, ms. Default 1000. */
  windowMs?: number;
  /** Shedding stops once every figure is below `limit × recoverRatio`... Default 0.7. */
  recoverRatio?: number;
  /** ...for this many consecutive windows. Default 2. */
  recoverWindows?: number;
}

/** What the shedder measured in its latest window, and whether it is shedding. */
export interface ShedState {
  active: boolean;
  /** The limit that started the current shedding episode. */
  reason: ShedReason | null;
  /** Epoch ms the current shedding episode began. */
  since: number | null;
  lagMs: number;
  utilization: number;
  threadPoolDelayMs: number | null;
  /** Age of the oldest agent run in flight at the latest window; null when that limit is not set or no run is in flight. */
  oldestRunAgeMs: number | null;
  /** Shedding episodes since start. */
  episodes: number;
}

const DEFAULT_SHED_LIMITS: Readonly<ShedLimits> = { lagMs: 200, utilization: 0.95 };

const LAG_RESOLUTION_MS = 10;

function checkPositive(name: string, value: number | undefined, max = Infinity): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new TypeError(`agent-lag shedding: ${name} must be a number in (0, ${max}], got ${String(value)}`);
  }
}

function validateShedderOptions(options: ShedderOptions): void {
  checkPositive('lagMs', options.lagMs);
  checkPositive('utilization', options.utilization, 1);
  checkPositive('threadPoolDelayMs', options.threadPoolDelayMs);
  checkPositive('oldestRunAgeMs', options.oldestRunAgeMs);
  checkPositive('windowMs', options.windowMs);
  checkPositive('recoverRatio', options.recoverRatio, 1);
  checkPositive('recoverWindows', options.recoverWindows);
}

export class Shedder {
  /** Read per request: keep it a plain field. */
  active = false;
  readonly #limits: ShedLimits;
  readonly #recoverRatio: number;
  readonly #recoverWindows: number;
  readonly #windowMs: number;
  readonly #readThreadPoolDelayMs: () => number | null;
  readonly #readOldestRunAgeMs: () => number | null;
  #delay: IntervalHistogram | null = null;
  #elu: EventLoopUtilization | null = null;
  #timer: NodeJS.Timeout | null = null;
  #calmWindows = 0;
  #state: ShedState = {
    active: false,
    reason: null,
    since: null,
    lagMs: 0,
    utilization: 0,
    threadPoolDelayMs: null,
    oldestRunAgeMs: null,
    episodes: 0,
  };

  constructor(options: ShedderOptions, readThreadPoolDelayMs: () => number | null = () => null, readOldestRunAgeMs: () => number | null = () => null) {
    validateShedderOptions(options);
    const { lagMs, utilization, threadPoolDelayMs, oldestRunAgeMs } = options;
    const anyLimit = lagMs !== undefined || utilization !== undefined || threadPoolDelayMs !== undefined || oldestRunAgeMs !== undefined;
    this.#limits = anyLimit ? { lagMs, utilization, threadPoolDelayMs, oldestRunAgeMs } : { ...DEFAULT_SHED_LIMITS };
    this.#recoverRatio = options.recoverRatio ?? 0.7;
    this.#recoverWindows = Math.ceil(options.recoverWindows ?? 2);
    this.#windowMs = options.windowMs ?? 1000;
    this.#readThreadPoolDelayMs = readThreadPoolDelayMs;
    this.#readOldestRunAgeMs = readOldestRunAgeMs;
  }

  get limits(): Readonly<ShedLimits> {
    return this.#limits;
  }

  start(): void {
    if (this.#timer !== null) return;
    if (this.#limits.lagMs !== undefined) {
      this.#delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
      this.#delay.enable();
    }
    this.#elu = performance.eventLoopUtilization();
    this.#timer = setInterval(() => this.#evaluate(), this.#windowMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    this.#delay?.disable();
    this.#delay = null;
    this.active = false;
  }

  state(): ShedState {
    return { ...this.#state };
  }

  #evaluate(): void {
    const limits = this.#limits;
    let lagMs = 0;
    if (this.#delay !== null && this.#delay.count > 0) {
      lagMs = Math.max(0, this.#delay.percentile(99) / 1e6 - LAG_RESOLUTION_MS);
      this.#delay.reset();
    }
    const now = performance.eventLoopUtilization();
    const utilization = this.#elu === null ? 0 : performance.eventLoopUtilization(now, this.#elu).utilization;
    this.#elu = now;
    const threadPoolDelayMs = limits.threadPoolDelayMs === undefined ? null : this.#readThreadPoolDelayMs();
    const oldestRunAgeMs = limits.oldestRunAgeMs === undefined ? null : this.#readOldestRunAgeMs();
    this.#apply({ lagMs, utilization, threadPoolDelayMs, oldestRunAgeMs });
  }

  /** One window's figures in; shedding state out. */
  #apply(figures: WindowFigures): void {
    const limits = this.#limits;
    const state = this.#state;
    state.lagMs = figures.lagMs;
    state.utilization = figures.utilization;
    state.threadPoolDelayMs = figures.threadPoolDelayMs;
    state.oldestRunAgeMs = figures.oldestRunAgeMs;
    const over = overLimit(limits, figures, 1);
    if (!state.active) {
      if (over !== null) {
        state.active = true;
        state.reason = over;
        state.since = Date.now();
        state.episodes++;
        this.#calmWindows = 0;
      }
    } else if (overLimit(limits, figures, this.#recoverRatio) === null) {
      if (++this.#calmWindows >= this.#recoverWindows) {
        state.active = false;
        state.reason = null;
        state.since = null;
      }
    } else {
      this.#calmWindows = 0;
    }
    this.active = state.active;
  }
}

/** What one window measured (a figure whose limit is not set, or that could not be read, is null). */
interface WindowFigures {
  lagMs: number;
  utilization: number;
  threadPoolDelayMs: number | null;
  oldestRunAgeMs: number | null;
}

function overLimit(limits: ShedLimits, { lagMs, utilization, threadPoolDelayMs, oldestRunAgeMs }: WindowFigures, ratio: number): ShedReason | null {
  if (limits.lagMs !== undefined && lagMs > limits.lagMs * ratio) return 'lag';
  if (limits.utilization !== undefined && utilization > limits.utilization * ratio) return 'utilization';
  if (limits.threadPoolDelayMs !== undefined && threadPoolDelayMs !== null && threadPoolDelayMs > limits.threadPoolDelayMs * ratio) {
    return 'thread-pool';
  }
  if (limits.oldestRunAgeMs !== undefined && oldestRunAgeMs !== null && oldestRunAgeMs > limits.oldestRunAgeMs * ratio) return 'run-age';
  return null;
}
