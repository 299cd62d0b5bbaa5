/*
 * Sizes for the wrappers of V8 built-ins (JSON.parse, JSON.stringify, structuredClone): V8 never checks for
 * interrupts inside them, so a big call can only be named by a mark written before it starts. Below the gate
 * the wrapper must cost next to nothing, so the estimate (structuredClone's) is bounded and never exact;
 * JSON.stringify is marked on every call instead and sized by its output (json-wrappers.ts).
 */

/** Input of at least this many characters (about 1 MiB) is marked in flight; below it the call goes straight through. */
export const SIZE_GATE = 1 << 20;
const MIB = 1 << 20;
/** Values an estimate reads at most (property values and first array elements, all levels together). */
const LOOK_BUDGET = 12;
/** Containers deep: `{ result: { content: [{ text }] } }` (an MCP tool result) is four. */
const LOOK_DEPTH = 4;
/** Own enumerable keys read per object. */
const KEYS_PER_OBJECT = 6;

let budget = 0;

/**
 * Rough serialised size of `value` in characters: strings by length, byte arrays by length, arrays by length
 * times their first element, objects by their first few properties. Cannot see: an object with many small
 * properties (only the first KEYS_PER_OBJECT are read), a big value behind small first elements or deeper than
 * LOOK_DEPTH, what a toJSON method or a replacer returns, Map/Set contents. Reads properties like
 * JSON.stringify does (an enumerable getter runs once more); never calls toJSON or toString.
 */
export function estimateSize(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return 0;
  budget = LOOK_BUDGET;
  try {
    return look(value, LOOK_DEPTH);
  } catch {
    // A getter or proxy trap threw: JSON.stringify will throw the same, unmarked.
    return 0;
  }
}

function look(value: object, depth: number): number {
  if (Array.isArray(value)) {
    const length = value.length;
    if (length === 0 || --budget < 0) return 2;
    const first: unknown = value[0];
    return length * (1 + elementSize(first, depth));
  }
  if (value instanceof Uint8Array) return value.byteLength * 4; // Buffer#toJSON: up to "255," per byte
  if (value instanceof ArrayBuffer) return value.byteLength;
  let total = 2;
  let keys = KEYS_PER_OBJECT;
  for (const key in value) {
    if (--budget < 0) break;
    total += key.length + 4 + elementSize((value as Record<string, unknown>)[key], depth);
    if (--keys === 0 || total >= SIZE_GATE) break;
  }
  return total;
}

function elementSize(value: unknown, depth: number): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 4;
  return depth > 1 ? look(value, depth - 1) : 2;
}

/** `48 MB` (MB = 2^20 characters or bytes), `1.5 MB` under 10; `~` when estimated. */
export function sizeHint(size: number, estimated: boolean): string {
  const mb = size / MIB;
  return `${estimated ? '~' : ''}${mb >= 10 ? Math.round(mb) : mb.toFixed(1)} MB`;
}
