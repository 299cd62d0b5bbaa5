import type { InFlightCall } from '../types.js';
import { WRAPPED_APIS } from './table.js';

/*
 * Layout of the in-flight record, a seqlock over one SharedArrayBuffer:
 *   Int32 [0] sequence: odd while the main thread is rewriting the record
 *   Int32 [1] index + 1 into WRAPPED_APIS, 0 when no wrapped call is in flight
 *   Int32 [2] hint length in bytes, -1 when the call has no hint
 *   bytes [16, 16 + HINT_BYTES) the hint, UTF-8, truncated at a character boundary
 * The worker reads it while the main thread is frozen inside the call, so a read almost never races a
 * write; the sequence check makes the rare race (a call starting or ending mid-read) return a whole
 * record or nothing, never a torn one.
 */
const SEQUENCE = 0;
const API = 1;
const HINT_LENGTH = 2;
const HINT_OFFSET = 16;
/** Bytes of the path or command kept; enough to recognise it, small enough to copy in a stall. */
export const HINT_BYTES = 200;
const BUFFER_BYTES = HINT_OFFSET + HINT_BYTES;
const NO_HINT = -1;
const READ_ATTEMPTS = 8;

export function createInFlightBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(BUFFER_BYTES);
}

function assertLayout(buffer: SharedArrayBuffer): void {
  if (buffer.byteLength < BUFFER_BYTES) {
    throw new RangeError(`in-flight buffer must be at least ${BUFFER_BYTES} bytes (use createInFlightBuffer())`);
  }
}

/** Main-thread side: writes and clears the record around each wrapped call. Allocates nothing per call. */
export class InFlightWriter {
  readonly #header: Int32Array;
  readonly #hint: Uint8Array;
  readonly #encoder = new TextEncoder();

  constructor(buffer: SharedArrayBuffer) {
    assertLayout(buffer);
    this.#header = new Int32Array(buffer, 0, HINT_OFFSET / 4);
    this.#hint = new Uint8Array(buffer, HINT_OFFSET, HINT_BYTES);
  }

  /** Publishes `index` with the string hint, or no hint when `hint` is null. */
  begin(index: number, hint: string | null): void {
    const header = this.#header;
    Atomics.add(header, SEQUENCE, 1);
    header[API] = index + 1;
    header[HINT_LENGTH] = hint === null ? NO_HINT : this.#encoder.encodeInto(hint, this.#hint).written;
    Atomics.add(header, SEQUENCE, 1);
  }

  /** Publishes `index` with raw bytes as the hint (a Buffer path), truncated to fit. */
  beginWithBytes(index: number, bytes: Uint8Array): void {
    const header = this.#header;
    const length = Math.min(bytes.byteLength, HINT_BYTES);
    Atomics.add(header, SEQUENCE, 1);
    header[API] = index + 1;
    this.#hint.set(length === bytes.byteLength ? bytes : bytes.subarray(0, length));
    header[HINT_LENGTH] = length;
    Atomics.add(header, SEQUENCE, 1);
  }

  /**
   * One store, no sequence bump: a reader racing it returns either nothing or the record that was whole
   * when its read began, and the next begin() bumps the sequence before touching the hint bytes.
   */
  clear(): void {
    Atomics.store(this.#header, API, 0);
  }
}

const views = new WeakMap<SharedArrayBuffer, { header: Int32Array; hint: Uint8Array }>();
const decoder = new TextDecoder();

/**
 * Worker side: the wrapped call in flight on the main thread, or null. Lock-free; returns null rather
 * than a torn record when the main thread keeps rewriting it during the read.
 */
export function readInFlight(buffer: SharedArrayBuffer): InFlightCall | null {
  let view = views.get(buffer);
  if (!view) {
    assertLayout(buffer);
    view = { header: new Int32Array(buffer, 0, HINT_OFFSET / 4), hint: new Uint8Array(buffer, HINT_OFFSET, HINT_BYTES) };
    views.set(buffer, view);
  }
  const { header, hint } = view;
  for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
    const before = Atomics.load(header, SEQUENCE);
    if ((before & 1) !== 0) continue;
    const index = Atomics.load(header, API) - 1;
    const length = Atomics.load(header, HINT_LENGTH);
    // Copy before decoding: the bytes may change under us, and the copy is what the sequence vouches for.
    const bytes = length > 0 ? hint.slice(0, Math.min(length, HINT_BYTES)) : null;
    if (Atomics.load(header, SEQUENCE) !== before) continue;
    if (index < 0) return null;
    const api = WRAPPED_APIS[index];
    if (!api) return null;
    return { api: api.id, hint: length === NO_HINT ? null : bytes ? decoder.decode(bytes) : '' };
  }
  return null;
}
