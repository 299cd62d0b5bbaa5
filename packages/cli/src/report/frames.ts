import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame } from './log-types.js';

/*
 * How one stack frame reads in a report: a readable function name, a path a user can open (or, for a
 * source-mapped file inside a dependency that is not on disk, the package and version it came from),
 * and who owns the frame (the application, a package, Node, agent-lag) so the stack can fold the rest.
 */

/** A frame's file as a path when it is a file URL or a path; null for `node:` and other schemes. */
function framePath(url: string): string | null {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      return null;
    }
  }
  return url.startsWith('/') || /^[A-Za-z]:[\\/]/.test(url) ? url : null;
}

// The report reads a handful of frames, but from a log of any size: the caches stay small regardless.
const CACHE_LIMIT = 2000;
const existing = new Map<string, boolean>();
const versions = new Map<string, string | null>();

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

// Sync reads: `report` is a one-shot command that renders a file, no event loop serving anyone, and it
// reads at most one stat and one package.json per distinct dependency path shown.
function fileExists(path: string): boolean {
  const known = existing.get(path);
  if (known !== undefined) return known;
  let found = false;
  try {
    found = existsSync(path);
  } catch {
    // Unreadable counts as missing.
  }
  return remember(existing, path, found);
}

/** The `version` of the package.json in `root`, when it is there and says one. */
function packageVersion(root: string): string | null {
  const known = versions.get(root);
  if (known !== undefined) return known;
  let version: string | null = null;
  try {
    const field = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version?: unknown }).version;
    if (typeof field === 'string' && field !== '') version = field;
  } catch {
    // No package.json here (a log from another machine): the path goes without a version.
  }
  return remember(versions, root, version);
}

/** The package a path inside node_modules belongs to (the innermost one: pnpm nests them), and the rest of the path. */
export function packageOfPath(path: string): { name: string; root: string; inner: string } | null {
  const slashed = path.replace(/\\/g, '/');
  const at = slashed.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const after = slashed.slice(at + '/node_modules/'.length).split('/');
  const nameParts = after[0]?.startsWith('@') ? 2 : 1;
  if (after.length <= nameParts || after.slice(0, nameParts).some((part) => part === '')) return null;
  const name = after.slice(0, nameParts).join('/');
  return { name, root: `${slashed.slice(0, at)}/node_modules/${name}`, inner: after.slice(nameParts).join('/') };
}

/**
 * A frame's file as a user would open it: relative to cwd when below it. A source-mapped path into a
 * dependency names a source file the package does not ship (`node_modules/@scope/sdk/src/server.ts`
 * where only `dist/` is installed): a path that leads nowhere, so it reads as `@scope/sdk@1.2.3/src/server.ts`,
 * the version from the package.json beside it when that is on disk, else without one. A file that is
 * there keeps its path, which an editor or terminal can open.
 */
export function frameFile(url: string, cwd = process.cwd()): string {
  const path = framePath(url);
  if (path === null) return url;
  const dependency = packageOfPath(path);
  if (dependency && !fileExists(path)) {
    const version = packageVersion(dependency.root);
    return `${dependency.name}${version ? `@${version}` : ''}/${dependency.inner}`;
  }
  if (path.startsWith('/')) {
    const rel = relative(cwd, path);
    if (!rel.startsWith('..')) return rel;
  }
  return path;
}

/** A frame's location as a user would type it: `file:line:column` (see frameFile for the file). */
export function frameLocation(frame: Frame, cwd = process.cwd()): string {
  const file = frameFile(frame.url, cwd);
  return frame.line > 0 ? `${file}:${frame.line}:${frame.column}` : file || '<unknown>';
}

/** The monitor's own wrappers (its sync-API marks), wherever it is installed or linked from. */
const MONITOR_PATH = /[/\\](runtime-monitor|@agent-lag[/\\]runtime-monitor)[/\\]/;

/**
 * Who a frame belongs to: null for the application's own code; else `node` (Node's internals), `agent-lag`
 * (the monitor's wrappers), the npm package it is in (`express`, `@modelcontextprotocol/sdk`), or
 * `unknown source` for a frame with no URL (eval'd code, a script the monitor could not name).
 */
export function frameOwner(frame: Frame): string | null {
  const { url } = frame;
  if (url === '') return 'unknown source';
  if (url.startsWith('node:') || /^internal[/\\]/.test(url)) return 'node';
  if (MONITOR_PATH.test(url)) return 'agent-lag';
  const path = framePath(url) ?? url;
  return packageOfPath(path)?.name ?? null;
}

/** Frames that are Node's own or ours (the monitor's wrappers) rather than the application's. */
export function isInternalFrame(frame: Frame): boolean {
  const owner = frameOwner(frame);
  return owner === 'node' || owner === 'agent-lag' || owner === 'unknown source';
}

/** Frames of the application itself: not Node's, not ours, not in node_modules. */
export function isUserFrame(frame: Frame): boolean {
  return frameOwner(frame) === null;
}

/*
 * V8 names an anonymous function after where it was put (`a.b.c = function () {}` is `a.b.c`), and
 * for a callback it strings together every name around it: `Promise.resolve().then(...).then((r) => ...)`
 * inside `transport.send({ jsonrpc })` becomes `Promise.resolve.then.then.transport.send.jsonrpc`.
 * The rule: a single name is kept as it is; in a dotted chain, the segments that only say how the
 * function was reached (promise plumbing `then`/`catch`/`finally`, `Promise`, `Object`, `module`,
 * `exports`, `prototype`, `default`, `<anonymous>`) are dropped and the last two that remain are shown
 * (`errorResponse.jsonrpc`, `Server.handle`): the closest names are the last ones. A chain of plumbing
 * alone, or no name at all, is `(anonymous)`. The full name stays available (HTML shows it on hover).
 */
const PLUMBING = new Set(['then', 'catch', 'finally', 'Promise', 'Object', 'module', 'exports', 'prototype', 'default', '<anonymous>', '']);
const NAME_SEGMENTS_SHOWN = 2;
const NAME_LENGTH_SHOWN = 80;

export function readableFunctionName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed === '<anonymous>' || trimmed === '(anonymous)') return '(anonymous)';
  // `get x`, `async f`, `new Foo` and computed names (`[Symbol.iterator]`) are not dotted chains.
  if (/\s|\[/.test(trimmed) || !trimmed.includes('.')) return shorten(trimmed);
  const meaningful = trimmed.split('.').filter((segment) => !PLUMBING.has(segment));
  if (meaningful.length === 0) return '(anonymous)';
  return shorten(meaningful.slice(-NAME_SEGMENTS_SHOWN).join('.'));
}

function shorten(name: string): string {
  return name.length > NAME_LENGTH_SHOWN ? `…${name.slice(-(NAME_LENGTH_SHOWN - 1))}` : name;
}

/** `shell (src/tools.js:16:18)`: the readable name and the location. */
export function describeFrame(frame: Frame, cwd?: string): string {
  return `${readableFunctionName(frame.functionName)} (${frameLocation(frame, cwd)})`;
}

/** A `file:line:column` call site (absolute path or file URL) made relative to cwd, like frames. */
export function relativeSite(site: string, cwd = process.cwd()): string {
  const match = /^(.*?):(\d+)(?::(\d+))?$/.exec(site);
  if (!match) return site;
  const [, url = site, line = '0', column = '0'] = match;
  return frameLocation({ functionName: '', url, line: Number(line), column: Number(column) }, cwd);
}
