/**
 * Route labels when the framework has no router: never the raw URL (ids would explode cardinality).
 */
import { UNMATCHED_ROUTE } from './tracker.js';

/** Labels by the URL prefix they come from ("/users" or "/users/"); bounded like the route table. */
const labels = new Map<string, string>();
const MAX_LABELS = 256;
const MAX_SEGMENT = 32;

/** A letter, or (not first or last) `-` or `_`. */
function isWordChar(char: number, edge: boolean): boolean {
  const lower = char | 32;
  return (lower >= 97 && lower <= 122) || (!edge && (char === 45 /* - */ || char === 95)) /* _ */;
}

/**
 * A first segment that reads as a word (not an id, hash or uuid) becomes `/<segment>/*` (or `/<segment>`
 * when nothing follows it); else `unmatched`. Runs on every request of a plain http server: one scan, and
 * the label string is made once per prefix (a label the route table has seen keeps its hash).
 */
export function firstSegmentRoute(url: string | undefined): string {
  if (url === undefined || url === '' || url.charCodeAt(0) !== 47) return UNMATCHED_ROUTE;
  let end = 1;
  while (end < url.length) {
    const char = url.charCodeAt(end);
    if (char === 47 /* / */ || char === 63 /* ? */ || char === 35 /* # */) break;
    end++;
  }
  if (end === 1) return '/';
  if (end - 1 > MAX_SEGMENT) return UNMATCHED_ROUTE;
  for (let i = 1; i < end; i++) if (!isWordChar(url.charCodeAt(i), i === 1 || i === end - 1)) return UNMATCHED_ROUTE;
  const nested = end < url.length && url.charCodeAt(end) === 47;
  const prefix = url.slice(0, nested ? end + 1 : end);
  let label = labels.get(prefix);
  if (label === undefined) {
    label = nested ? `${prefix}*` : prefix;
    if (labels.size < MAX_LABELS) labels.set(prefix, label);
  }
  return label;
}

/** Express: the mount path and the route's own template. */
export function joinRoute(base: string | undefined, path: unknown): string {
  const template = typeof path === 'string' ? path : Array.isArray(path) ? path.map(String).join('|') : String(path);
  if (base === undefined || base === '' || base === '/') return template;
  if (template === '/' || template === '') return base;
  return base.endsWith('/') ? base + template.slice(1) : base + template;
}
