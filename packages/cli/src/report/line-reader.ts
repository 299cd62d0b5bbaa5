import { createReadStream } from 'node:fs';
import { UsageError } from '../errors.js';

/*
 * The event log, one line at a time, in bounded memory: a week of logs is hundreds of megabytes, and a
 * line a crashed writer never ended (or a file that is not a log at all) can be one endless line. Like
 * readline over a stream, but with the line length capped: the part of a line past the cap is dropped,
 * not buffered, and the line is handed on as `oversize`.
 */

/** A line longer than this is skipped: the longest real lines (a checkpoint with routes) are ~100 KB. */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface Line {
  /** 1-based. */
  number: number;
  /** The text; empty for an oversize line. */
  text: string;
  /** Longer than the cap: only its length is known. */
  oversize: boolean;
  /** The last line of a file that does not end with a newline (a log cut mid-write). */
  unterminated: boolean;
}

function openError(path: string, error: NodeJS.ErrnoException): UsageError {
  if (error.code === 'ENOENT') return new UsageError(`no such file: ${path}`);
  if (error.code === 'EISDIR') return new UsageError(`${path} is a directory, not an event log`);
  return new UsageError(`cannot read ${path}: ${error.message}`);
}

/** Calls `onLine` for every line of the file, in order; the file is read as a stream of chunks. */
export async function readLines(path: string, onLine: (line: Line) => void, maxLineBytes = MAX_LINE_BYTES): Promise<void> {
  const stream = createReadStream(path, { highWaterMark: 1024 * 1024 });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let oversize = false;
  let number = 0;
  const emit = (unterminated: boolean) => {
    number++;
    const text = oversize ? '' : pending.length === 1 ? (pending[0] ?? Buffer.alloc(0)).toString('utf8') : Buffer.concat(pending).toString('utf8');
    onLine({ number, text, oversize, unterminated });
    pending = [];
    pendingBytes = 0;
    oversize = false;
  };
  const keep = (part: Buffer) => {
    if (oversize) return;
    if (pendingBytes + part.length > maxLineBytes) {
      oversize = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    // A copy: the chunk's memory is reused by the stream only if we do not hold on to it, and a
    // short tail must not pin a whole 1 MiB chunk.
    if (part.length > 0) pending.push(Buffer.from(part));
    pendingBytes += part.length;
  };
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
        if (pending.length === 0 && !oversize) {
          // The common case: the whole line is inside this chunk.
          const length = end - start;
          number++;
          if (length > maxLineBytes) onLine({ number, text: '', oversize: true, unterminated: false });
          else onLine({ number, text: chunk.toString('utf8', start, end), oversize: false, unterminated: false });
        } else {
          keep(chunk.subarray(start, end));
          emit(false);
        }
        start = end + 1;
      }
      if (start < chunk.length) keep(chunk.subarray(start));
    }
  } catch (error) {
    throw openError(path, error as NodeJS.ErrnoException);
  }
  if (pendingBytes > 0 || oversize) emit(true);
}
