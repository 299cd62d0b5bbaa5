import { closeSync, writeSync } from 'node:fs';
import type { MonitorEvent } from '../types.js';
import { openOwnedFile } from './owned-file.js';

/**
 * The NDJSON event log. Synchronous appends: it is written from the watchdog worker (so a wedged main
 * thread is still logged), or from the main thread only in the no-worker fallback. A failing disk turns
 * the log off with one error handed to `onError`, never an exception into the host.
 *
 * The log often sits in a shared directory and the monitor often runs as root, so it is opened the way
 * that cannot be turned against us: a final symlink is not followed (another user's link would have us
 * append to a file of their choosing), a FIFO does not block the open, and the file we got is refused
 * unless it is a regular file of ours that no one else can write (else another user who pre-created it
 * reads our events). Created 0600. The open and its checks are openOwnedFile's, shared with
 * `agent-lag run --report`, which empties the file with them before its command starts.
 */
export class EventLog {
  #fd: number | null;
  readonly #onError: (error: Error) => void;

  constructor(path: string, onError: (error: Error) => void) {
    this.#onError = onError;
    try {
      this.#fd = openOwnedFile(path);
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
