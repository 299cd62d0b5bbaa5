import type { StackFrame } from '../types.js';
import type { SourceMapResolver } from './source-maps.js';

/** A call frame as copied out of Debugger.paused, before URLs and source maps are applied. */
export interface RawFrame {
  functionName: string;
  scriptId: string;
  /** 0-based, as the inspector reports. */
  line: number;
  column: number;
}

export interface ScriptInfo {
  url: string;
  sourceMapUrl: string;
}

/** Frames kept per stack: enough for any real call path, bounded for the log and the signature table. */
export const MAX_FRAMES = 64;

/**
 * Turns raw frames into the event log's frames: URL from the scriptParsed table, .ts position from the
 * source map when there is one, 1-based lines and columns. Frames of the monitor itself are dropped
 * (they only ever appear when a pause lands in the heartbeat or a sync wrapper). A stack left with Node's
 * frames only is none: the pause landed in the monitor's own work (the heartbeat's beat, called by Node's
 * timers once a block is over) and `now ← listOnTimeout ← processTimers` would name a block it came after.
 */
export function resolveFrames(
  raw: readonly RawFrame[],
  scripts: ReadonlyMap<string, ScriptInfo>,
  sourceMaps: SourceMapResolver | null,
  ownUrlPrefix: string,
): StackFrame[] {
  const frames: StackFrame[] = [];
  let own = false;
  for (const frame of raw) {
    const script = scripts.get(frame.scriptId);
    const url = script?.url ?? '';
    if (ownUrlPrefix !== '' && url.startsWith(ownUrlPrefix)) {
      own = true;
      continue;
    }
    const original = script !== undefined && sourceMaps !== null ? sourceMaps.resolve(url, script.sourceMapUrl, frame.line, frame.column) : null;
    frames.push(
      original === null
        ? { functionName: frame.functionName, url, line: frame.line + 1, column: frame.column + 1 }
        : { functionName: frame.functionName, url: original.url, line: original.line, column: original.column },
    );
  }
  return own && frames.every((frame) => frame.url.startsWith('node:')) ? [] : frames;
}
