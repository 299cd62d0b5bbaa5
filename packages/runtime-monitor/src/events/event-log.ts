import { closeSync, openSync, writeSync } from 'node:fs';
import type { MonitorEvent } from '../types.js';

/**
 * The NDJSON event log. Synchronous appends: it is written from the watchdog worker (so a wedged main
 * thread is still logged), or from the main thread only in the no-worker fallback. A failing disk turns
 * the log off with one error handed to `onError`, never an exception into the host.
 */
export class EventLog {
  #fd: number | null;
  readonly #onError: (error: Error) => void;

  constructor(path: string, onError: (error: Error) => void) {
    this.#onError = onError;
    try {
      this.#fd = openSync(path, 'a', 0o600);
    } catch (error) {
      this.#fd = null;
      onError(error as Error);
    }
  }

  write(event: MonitorEvent): void {
    if (this.#fd === null) return;
    try {
      writeSync(this.#fd, `${JSON.stringify(event)}\n`);
    } catch (error) {
      this.close();
      this.#onError(error as Error);
    }
  }

  close(): void {
    if (this.#fd === null) return;
    const fd = this.#fd;
    this.#fd = null;
    try {
      closeSync(fd);
    } catch {
      // Already gone; nothing left to release.
    }
  }
}
