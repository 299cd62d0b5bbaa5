/**
 * Route labels when the framework has no router: never the raw URL (ids would explode cardinality).
 */
import { UNMATCHED_ROUTE } from './tracker.js';

/** A first segment that reads as a word (not an id, hash or uuid) becomes `/<segment>/*`; else `unmatched`. */
export function firstSegmentRoute(url: string | undefined): string {
  if (url === undefined || url === '' || url[0] !== '/') return UNMATCHED_ROUTE;
  let end = 1;
  while (end < url.length) {
    const char = url.charCodeAt(end);
    if (char === 47 /* / */ || char === 63 /* ? */ || char === 35 /* # */) break;
    end++;
  }
  if (end === 1) return '/';
  const segment = url.slice(1, end);
  if (segment.length > 32 || !/^[a-z][a-z_-]*[a-z]$|^[a-z]$/i.test(segment)) return UNMATCHED_ROUTE;
  return end === url.length || url.charCodeAt(end) !== 47 ? `/${segment}` : `/${segment}/*`;
}

/** Express: the mount path and the route's own template. */
export function joinRoute(base: string | undefined, path: unknown): string {
  const template = typeof path === 'string' ? path : Array.isArray(path) ? path.map(String).join('|') : String(path);
  if (base === undefined || base === '' || base === '/') return template;
  if (template === '/' || template === '') return base;
  return base.endsWith('/') ? base + template.slice(1) : base + template;
}
