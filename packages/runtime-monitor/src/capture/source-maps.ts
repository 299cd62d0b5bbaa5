import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

/*
 * Maps generated positions back through the script's own `//# sourceMappingURL` (V8 reports it in
 * Debugger.scriptParsed), so TypeScript users see .ts lines. Runs in the worker, after the main thread
 * has been resumed. Maps are cached (bounded); a script without a usable map is remembered as such.
 */

const MAX_MAPS = 64;
/** Larger maps are skipped: reading them would hold the worker for too long. */
const MAX_MAP_BYTES = 32 * 1024 * 1024;

export interface OriginalPosition {
  url: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export class SourceMapResolver {
  readonly #maps = new Map<string, TraceMap | null>();

  /** `line0`/`column0` are 0-based as the inspector reports them. Null when there is no mapping. */
  resolve(scriptUrl: string, sourceMapUrl: string, line0: number, column0: number): OriginalPosition | null {
    if (sourceMapUrl === '' || scriptUrl === '') return null;
    const map = this.#load(scriptUrl, sourceMapUrl);
    if (map === null) return null;
    const position = originalPositionFor(map, { line: line0 + 1, column: column0 });
    if (position.source === null || position.line === null || position.column === null) return null;
    return { url: position.source, line: position.line, column: position.column + 1 };
  }

  #load(scriptUrl: string, sourceMapUrl: string): TraceMap | null {
    const key = `${scriptUrl}\n${sourceMapUrl}`;
    const cached = this.#maps.get(key);
    if (cached !== undefined) {
      // Re-insert: the Map's order is the eviction order.
      this.#maps.delete(key);
      this.#maps.set(key, cached);
      return cached;
    }
    let map: TraceMap | null;
    try {
      map = readMap(scriptUrl, sourceMapUrl);
    } catch {
      map = null;
    }
    if (this.#maps.size >= MAX_MAPS) {
      const oldest = this.#maps.keys().next();
      if (oldest.done !== true) this.#maps.delete(oldest.value);
    }
    this.#maps.set(key, map);
    return map;
  }
}

function readMap(scriptUrl: string, sourceMapUrl: string): TraceMap | null {
  if (sourceMapUrl.startsWith('data:')) {
    const comma = sourceMapUrl.indexOf(',');
    if (comma < 0) return null;
    const meta = sourceMapUrl.slice(5, comma);
    const body = sourceMapUrl.slice(comma + 1);
    const text = meta.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
    return new TraceMap(text, scriptUrl.startsWith('/') ? pathToFileURL(scriptUrl).href : scriptUrl);
  }
  const base = scriptUrl.startsWith('/') ? pathToFileURL(scriptUrl) : new URL(scriptUrl);
  const mapUrl = new URL(sourceMapUrl, base);
  if (mapUrl.protocol !== 'file:') return null;
  const mapPath = fileURLToPath(mapUrl);
  if (statSync(mapPath).size > MAX_MAP_BYTES) return null;
  return new TraceMap(readFileSync(mapPath, 'utf8'), mapUrl.href);
}
