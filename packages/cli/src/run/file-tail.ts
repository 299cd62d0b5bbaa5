import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { NdjsonSplitter } from '../shared/ndjson.js';

/**
 * Follows an NDJSON file another process appends to (the monitor's event log, written from its
 * watchdog thread even while the app's loop is frozen). Polling rather than fs.watch: it behaves the
 * same on every platform and file system, and a 100 ms delay is invisible next to a 100 ms block.
 */
export class FileTail {
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');
  private readonly splitter = new NdjsonSplitter();
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  /** Why the file could not be read, other than not existing yet (EACCES, EISDIR…); null once it was read. */
  openError: string | null = null;

  constructor(
    private readonly path: string,
    private readonly onObject: (object: Record<string, unknown>) => void,
  ) {}

  start(intervalMs = 100): void {
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  /** Reads whatever was appended since the last read; reads never overlap. */
  poll(): Promise<void> {
    this.reading = this.reading.then(() => this.readNewBytes());
    return this.reading;
  }

  /** Stops polling after a last read, and hands on an unterminated last line if it is whole JSON. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.poll();
    for (const object of this.splitter.flush()) this.onObject(object);
  }

  private async readNewBytes(): Promise<void> {
    let handle;
    try {
      handle = await open(this.path, 'r');
    } catch (error) {
      // Not created yet (ENOENT): the monitor opens it once the app has started.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.openError = errorCode(error);
      return;
    }
    try {
      const buffer = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        for (const object of this.splitter.push(this.decoder.write(buffer.subarray(0, bytesRead)))) {
          this.onObject(object);
        }
      }
      this.openError = null;
    } catch (error) {
      // A directory opens but does not read (EISDIR): say so rather than crash the run.
      this.openError = errorCode(error);
    } finally {
      await handle.close();
    }
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}
