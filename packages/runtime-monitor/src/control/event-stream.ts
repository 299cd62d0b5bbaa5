/*
 * What the control socket and the metrics endpoint's /events share: how many readers of the monitor's
 * event stream each takes, and how a line reaches a reader that may not be reading.
 */

/** Readers of the event stream at once, on the control socket and on /events each. */
export const MAX_EVENT_READERS = 16;
/** A reader that reads nothing is dropped before its backlog can grow the worker's memory. */
const MAX_BACKLOG_BYTES = 1024 * 1024;

/** A socket or an HTTP response. */
interface LineSink {
  readonly destroyed: boolean;
  readonly writableLength: number;
  write(line: string): unknown;
  destroy(): unknown;
}

/** Writes one NDJSON line, or drops the reader once its backlog passed MAX_BACKLOG_BYTES. */
export function writeEventLine(sink: LineSink, line: string): void {
  if (sink.destroyed) return;
  if (sink.writableLength > MAX_BACKLOG_BYTES) {
    sink.destroy();
    return;
  }
  sink.write(line);
}
