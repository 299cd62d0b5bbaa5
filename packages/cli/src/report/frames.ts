import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Frame } from './log-types.js';

/** A frame's location as a user would type it: a path relative to cwd when the file is below it. */
export function frameLocation(frame: Frame, cwd = process.cwd()): string {
  let file = frame.url;
  if (file.startsWith('file://')) {
    try {
      file = fileURLToPath(file);
    } catch {
      // Keep the URL as written.
    }
  }
  if (file.startsWith('/')) {
    const rel = relative(cwd, file);
    if (!rel.startsWith('..')) file = rel;
  }
  return frame.line > 0 ? `${file}:${frame.line}:${frame.column}` : file || '<unknown>';
}

/** Frames that are Node's own or ours (the monitor's wrappers) rather than the application's. */
export function isInternalFrame(frame: Frame): boolean {
  return (
    frame.url.startsWith('node:') ||
    frame.url === '' ||
    /[/\\](runtime-monitor|@agent-lag[/\\]runtime-monitor)[/\\]/.test(frame.url)
  );
}

export function describeFrame(frame: Frame, cwd?: string): string {
  return `${frame.functionName || '<anonymous>'} (${frameLocation(frame, cwd)})`;
}

/** A `file:line:column` call site (absolute path or file URL) made relative to cwd, like frames. */
export function relativeSite(site: string, cwd = process.cwd()): string {
  const match = /^(.*?):(\d+)(?::(\d+))?$/.exec(site);
  if (!match) return site;
  const [, url = site, line = '0', column = '0'] = match;
  return frameLocation({ functionName: '', url, line: Number(line), column: Number(column) }, cwd);
}
