import type { InFlightCall, StackFrame } from '../types.js';

/** Frames that decide a signature: the innermost ones; deeper callers vary with the request path. */
const SIGNATURE_FRAMES = 8;

/**
 * Identical stacks share a signature (FNV-1a over the innermost frames and the API in flight), so
 * repeated blocks from the same place are reported once and aggregated. Node's own frames on top are left
 * out: they vary with where a pause lands (inside the `performance.now()` or the validator the code's loop
 * calls, or on the loop's own line), and the same code blocking in the same place must not read as a new
 * stack each time. A stack of Node's frames only keeps them.
 */
export function stackSignature(stack: readonly StackFrame[], inFlight: InFlightCall | null): string {
  let text = inFlight === null ? '' : inFlight.api;
  let first = 0;
  while (first < stack.length && stack[first]!.url.startsWith('node:')) first++;
  if (first === stack.length) first = 0;
  const frames = Math.min(stack.length, first + SIGNATURE_FRAMES);
  for (let i = first; i < frames; i++) {
    const frame = stack[i];
    if (frame !== undefined) text += `|${frame.functionName}@${frame.url}:${frame.line}`;
  }
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
