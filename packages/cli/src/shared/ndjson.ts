/**
 * Splits a byte stream (a growing file, a socket) into NDJSON objects. A line that is not a JSON
 * object is skipped: the stream is another program's output and one torn or foreign line must not
 * end a live view.
 */
export class NdjsonSplitter {
  private pending = '';

  /** Feeds a chunk; returns the complete objects it finished. */
  push(chunk: string): Record<string, unknown>[] {
    this.pending += chunk;
    const lines = this.pending.split('\n');
    this.pending = lines.pop() ?? '';
    const objects: Record<string, unknown>[] = [];
    for (const line of lines) {
      const object = parseObjectLine(line);
      if (object) objects.push(object);
    }
    return objects;
  }

  /** Whatever followed the last newline (an unterminated last line), parsed if it is a whole object. */
  flush(): Record<string, unknown>[] {
    const rest = this.pending;
    this.pending = '';
    const object = parseObjectLine(rest);
    return object ? [object] : [];
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
