import { frameOwner } from './frames.js';
import type { Frame } from './log-types.js';

/*
 * A captured stack, innermost frame first, as a person reads it: the application's frames, and each
 * run of consecutive dependency frames (node_modules, Node's internals, the monitor's wrappers) folded
 * into one line, `+18 frames in express, router`. The order of the frames is kept, so the stack still
 * reads top to bottom as a stack; the folds are what bring the user's frames to the top.
 */

export interface FrameLine {
  kind: 'frame';
  frame: Frame;
  /** Null for the application's own frame; else the package (or `node`, `agent-lag`) it belongs to. */
  owner: string | null;
}

export interface FoldedLines {
  kind: 'folded';
  frames: Frame[];
  /** Who the folded frames belong to, in the order they first appear. */
  owners: string[];
}

export type StackLine = FrameLine | FoldedLines;

/** A single dependency frame is shown as it is: folding it would hide it behind a line just as long. */
const FOLD_FROM = 2;
const OWNERS_NAMED = 4;

export function foldStack(stack: readonly Frame[]): StackLine[] {
  const lines: StackLine[] = [];
  const owned = stack.map((frame) => ({ kind: 'frame' as const, frame, owner: frameOwner(frame) }));
  // With no frame of the application's at all (a block inside a dependency, or in Node), the innermost
  // frame is where the time went and the frame a block line names (headFrame: the innermost package's) is
  // whose code it is: both stay in view, so a summary shows what the live line blamed, and the rest folds.
  const named = owned.length > 0 && owned.every((line) => line.owner !== null) ? headFrame(stack) : undefined;
  let run: FrameLine[] = [];
  const flush = () => {
    if (run.length >= FOLD_FROM) {
      const owners = [...new Set(run.map((line) => line.owner ?? ''))];
      lines.push({ kind: 'folded', frames: run.map((line) => line.frame), owners });
    } else lines.push(...run);
    run = [];
  };
  for (const [index, line] of owned.entries()) {
    if (line.owner === null || (named !== undefined && (index === 0 || line.frame === named))) {
      flush();
      lines.push(line);
    } else run.push(line);
  }
  flush();
  return lines;
}

/** `+18 frames in express, router`; past four owners, `+40 frames in a, b, c, d and 3 more`. */
export function foldedText(folded: Pick<FoldedLines, 'frames' | 'owners'>): string {
  const count = folded.frames.length;
  const named = folded.owners.slice(0, OWNERS_NAMED).join(', ');
  const more = folded.owners.length - OWNERS_NAMED;
  return `+${count} frame${count === 1 ? '' : 's'} in ${named}${more > 0 ? ` and ${more} more` : ''}`;
}

/**
 * The frame that names a block in one line: the application's innermost frame, else the innermost
 * dependency frame (a package's code, before Node's internals or the monitor's wrappers), else the first.
 */
export function headFrame(stack: readonly Frame[]): Frame | undefined {
  let dependency: Frame | undefined;
  for (const frame of stack) {
    const owner = frameOwner(frame);
    if (owner === null) return frame;
    if (dependency === undefined && owner !== 'node' && owner !== 'agent-lag' && owner !== 'unknown source') dependency = frame;
  }
  return dependency ?? stack[0];
}
