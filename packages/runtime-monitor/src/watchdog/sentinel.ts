import { workerData } from 'node:worker_threads';
import { monitorClock } from '../heartbeat/clock.js';
import { SentinelSlots } from '../heartbeat/shared-state.js';
import { openMainLoopProbe } from './main-loop-probe.js';
import { SentinelLoop, type SentinelConfig } from './sentinel-loop.js';

/*
 * The watchdog's alarm clock: a thread that does nothing but sleep in Atomics.wait until the main
 * thread's beat would turn stale, and wake the watchdog when it does. A futex wait costs a fraction of an
 * event-loop timer's wake-up (measured on the 2-vCPU VM: 0.08 ms against 0.25 ms of CPU each), and the
 * watchdog, which needs its event loop for sockets and the inspector, then sleeps without any timer
 * while the process is idle. It never returns to its own event loop; the watchdog ends it with
 * SentinelSlots' stop or terminate(). What it decides is in SentinelLoop.
 */

export interface SentinelData extends SentinelConfig {
  state: SharedArrayBuffer;
  /** Epoch ms (fractional) at which the monitor clock reads 0. */
  clockBaseMs: number;
}

const data = workerData as SentinelData;
const slots = new SentinelSlots(data.state);
const loop = new SentinelLoop(slots, monitorClock(data.clockBaseMs), slots.onDemandAllowed ? openMainLoopProbe() : null, data);
while (!slots.stopped) slots.sleep(loop.step());
loop.close();
