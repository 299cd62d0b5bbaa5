/**
 * The longest line believed. The monitor's largest line is a snapshot or checkpoint (100 stack
 * signatures of up to 64 frames and the app's sections), well under this; anything longer is not the
 * monitor talking, and buffering it would grow without bound (a socket or a file that sends one
 * endless line).
 */
export const MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Splits a byte stream (a growing file, a socket) into NDJSON objects. A line that is not a JSON
 * object is skipped: the stream is another program's output and one torn or foreign line must not
 * end a live view. A line longer than `maxLineChars` is dropped as it arrives (never buffered whole)
 * and counted in `oversizeLines`, so memory stays bounded whatever the other end sends.
 */
export class NdjsonSplitter {
  /** Lines dropped for their length; counted as soon as a line passes the cap, before its end arrives. */
  oversizeLines = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private dropping = false;

  constructor(readonly maxLineChars = MAX_LINE_CHARS) {}

  /** Feeds a chunk; returns the complete objects it finished. */
  push(chunk: string): Record<string, unknown>[] {
    const objects: Record<string, unknown>[] = [];
    let start = 0;
    // Only the new chunk is searched for newlines: a long line arriving in many chunks costs its length once.
    for (let end = chunk.indexOf('\n'); end !== -1; end = chunk.indexOf('\n', start)) {
      this.keep(chunk.slice(start, end));
      const object = this.takeLine();
      if (object) objects.push(object);
      start = end + 1;
    }
    if (start < chunk.length) this.keep(start === 0 ? chunk : chunk.slice(start));
    return objects;
  }

  /** Whatever followed the last newline (an unterminated last line), parsed if it is a whole object. */
  flush(): Record<string, unknown>[] {
    const object = this.takeLine();
    return object ? [object] : [];
  }

  private keep(part: string): void {
    if (this.dropping || part.length === 0) return;
    if (this.pendingChars + part.length > this.maxLineChars) {
      this.dropping = true;
      this.oversizeLines++;
      this.pending = [];
      this.pendingChars = 0;
      return;
    }
    this.pending.push(part);
    this.pendingChars += part.length;
  }

  private takeLine(): Record<string, unknown> | null {
    const line = this.dropping ? '' : this.pending.length === 1 ? (this.pending[0] ?? '') : this.pending.join('');
    this.pending = [];
    this.pendingChars = 0;
    this.dropping = false;
    return parseObjectLine(line);
  }
}

function parseObjectLine(line: string): Record<string, unknown> | null {
  const text = line.trim();
  if (!text.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
