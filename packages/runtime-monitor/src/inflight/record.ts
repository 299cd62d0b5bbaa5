import type { InFlightCall } from '../types.js';
import { WRAPPED_APIS } from './table.js';

/*
 * Layout of the in-flight record, a seqlock over one SharedArrayBuffer:
 *   Int32 [0] sequence: odd while the main thread is rewriting the record
 *   Int32 [1] index + 1 into WRAPPED_APIS, 0 when no wrapped call is in flight
 *   Int32 [2] hint length in bytes, -1 when the call has no hint
 *   Int32 [3] stall seen: the worker writes the sequence of the call in flight when it sees a stall during it
 *   Int32 [4] mark: index + 1 of a call marked without a hint (JSON.stringify), 0 when none; outside the seqlock
 *   Int32 [5] that marked call's sequence: negative, so it never equals a sequence of the record above
 *   Int32 [6] section: 1 while a reported section runs (an MCP transport's send), 0 otherwise; outside the seqlock
 *   Int32 [7] that section's sequence: negative, from the marks' counter
 *   bytes [32, 32 + HINT_BYTES) the hint, UTF-8, truncated at a character boundary
 *   Int32 at REPORT_OFFSET: sequence of the call the report below belongs to, 0 while it is being written
 *   Int32 at REPORT_OFFSET + 4: report length in bytes
 *   bytes [REPORT_OFFSET + 8, + REPORT_BYTES) the report, JSON { context, requests, stack, api, hint, endedAt, durationMs }
 *     written by the wrapper after a call during which the worker saw a stall (the slow path: only then)
 *   at UNSEEN_OFFSET, the same three fields again: the report of the latest call that took a threshold or
 *     more without the worker marking it (it was late); a slot of its own, so that the later calls of a
 *     long task never overwrite the report the worker is waiting for
 * The worker reads it while the main thread is frozen inside the call, so a read almost never races a
 * write; the sequence check makes the rare race (a call starting or ending mid-read) return a whole
 * record or nothing, never a torn one.
 */
const SEQUENCE = 0;
const API = 1;
const HINT_LENGTH = 2;
const STALL_SEEN = 3;
const MARK = 4;
const MARK_SEQUENCE = 5;
const SECTION = 6;
const SECTION_SEQUENCE = 7;
const HINT_OFFSET = 32;
/** Bytes of the path or command kept; enough to recognise it, small enough to copy in a stall. */
export const HINT_BYTES = 200;
const REPORT_OFFSET = HINT_OFFSET + HINT_BYTES;
const REPORT_SEQUENCE = 0;
const REPORT_LENGTH = 1;
/** Bytes for the wrapper's report (context and stack of a call that stalled the loop); longer ones are dropped. */
export const REPORT_BYTES = 16 * 1024;
const UNSEEN_OFFSET = REPORT_OFFSET + 8 + REPORT_BYTES;
const BUFFER_BYTES = UNSEEN_OFFSET + 8 + REPORT_BYTES;
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
  readonly #reportHeader: Int32Array;
  readonly #report: Uint8Array;
  readonly #unseenHeader: Int32Array;
  readonly #unseen: Uint8Array;
  readonly #encoder = new TextEncoder();
  #markSequence = 0;

  constructor(buffer: SharedArrayBuffer) {
    assertLayout(buffer);
    this.#header = new Int32Array(buffer, 0, HINT_OFFSET / 4);
    this.#hint = new Uint8Array(buffer, HINT_OFFSET, HINT_BYTES);
    this.#reportHeader = new Int32Array(buffer, REPORT_OFFSET, 2);
    this.#report = new Uint8Array(buffer, REPORT_OFFSET + 8, REPORT_BYTES);
    this.#unseenHeader = new Int32Array(buffer, UNSEEN_OFFSET, 2);
    this.#unseen = new Uint8Array(buffer, UNSEEN_OFFSET + 8, REPORT_BYTES);
  }

  /** Publishes `index` with the string hint, or no hint when `hint` is null. Returns the call's sequence. */
  begin(index: number, hint: string | null): number {
    const header = this.#header;
    Atomics.add(header, SEQUENCE, 1);
    header[API] = index + 1;
    header[HINT_LENGTH] = hint === null ? NO_HINT : this.#encoder.encodeInto(hint, this.#hint).written;
    return Atomics.add(header, SEQUENCE, 1) + 1;
  }

  /** Publishes `index` with raw bytes as the hint (a Buffer path), truncated to fit. Returns the call's sequence. */
  beginWithBytes(index: number, bytes: Uint8Array): number {
    const header = this.#header;
    const length = Math.min(bytes.byteLength, HINT_BYTES);
    Atomics.add(header, SEQUENCE, 1);
    header[API] = index + 1;
    this.#hint.set(length === bytes.byteLength ? bytes : bytes.subarray(0, length));
    header[HINT_LENGTH] = length;
    return Atomics.add(header, SEQUENCE, 1) + 1;
  }

  /**
   * Marks `index` in flight with two plain stores and no hint, for a call too cheap for begin()'s two atomic
   * adds and hint copy (JSON.stringify of a few values takes ~150 ns). One Int32 store cannot be torn, so it
   * needs no seqlock; a reader that sees the new index with the previous sequence (stores reordered on a weak
   * CPU) marks a sequence nobody has, which only loses that call's report. Returns the call's sequence.
   */
  mark(index: number): number {
    const sequence = this.#nextMarkSequence();
    const header = this.#header;
    header[MARK_SEQUENCE] = sequence;
    header[MARK] = index + 1;
    return sequence;
  }

  /**
   * Ends the mark() call with this sequence (one plain store); true when the worker saw a stall during it. A
   * plain load, not Atomics.load (which V8 does not make as cheap): the worker stored it while this thread
   * was stuck in the call, long before it returned.
   */
  unmark(sequence: number): boolean {
    const header = this.#header;
    header[MARK] = 0;
    return header[STALL_SEEN] === sequence;
  }

  /**
   * Marks a reported section running: code that is no blocking built-in but may block in native code the
   * inspector's pause cannot land in (a transport writing a response), so that after a stall the watchdog
   * saw during it, it hands over its context and stack like a wrapped call. Plain stores, as mark(). Returns
   * its sequence, or 0 when a section already runs (the outer one reports).
   */
  enterSection(): number {
    const header = this.#header;
    if (header[SECTION] !== 0) return 0;
    const sequence = this.#nextMarkSequence();
    header[SECTION_SEQUENCE] = sequence;
    header[SECTION] = 1;
    return sequence;
  }

  /** Ends the section enterSection() returned `sequence` for; true when the worker saw a stall during it. */
  leaveSection(sequence: number): boolean {
    const header = this.#header;
    header[SECTION] = 0;
    return header[STALL_SEEN] === sequence;
  }

  /** The next sequence of a mark or section: negative, so it never equals one of the seqlock's. */
  #nextMarkSequence(): number {
    const sequence = this.#markSequence === -0x7fffffff ? -1 : this.#markSequence - 1;
    this.#markSequence = sequence;
    return sequence;
  }

  /** True when the worker saw a stall while the call with this sequence was in flight (one load). */
  stallSeen(sequence: number): boolean {
    return Atomics.load(this.#header, STALL_SEEN) === sequence;
  }

  /**
   * Hands the worker the context and stack of the call with this sequence (JSON); false when it does not
   * fit. `unseen`: a slow call the worker did not mark, into its own slot.
   */
  report(sequence: number, json: string, unseen = false): boolean {
    const header = unseen ? this.#unseenHeader : this.#reportHeader;
    Atomics.store(header, REPORT_SEQUENCE, 0);
    const { read, written } = this.#encoder.encodeInto(json, unseen ? this.#unseen : this.#report);
    if (read !== json.length) return false;
    Atomics.store(header, REPORT_LENGTH, written);
    Atomics.store(header, REPORT_SEQUENCE, sequence);
    return true;
  }

  /**
   * One store, no sequence bump: a reader racing it returns either nothing or the record that was whole
   * when its read began, and the next begin() bumps the sequence before touching the hint bytes.
   */
  clear(): void {
    Atomics.store(this.#header, API, 0);
  }
}

interface Views {
  header: Int32Array;
  hint: Uint8Array;
  reportHeader: Int32Array;
  report: Uint8Array;
  unseenHeader: Int32Array;
  unseen: Uint8Array;
}
const views = new WeakMap<SharedArrayBuffer, Views>();
const decoder = new TextDecoder();

function viewsOf(buffer: SharedArrayBuffer): Views {
  let view = views.get(buffer);
  if (!view) {
    assertLayout(buffer);
    view = {
      header: new Int32Array(buffer, 0, HINT_OFFSET / 4),
      hint: new Uint8Array(buffer, HINT_OFFSET, HINT_BYTES),
      reportHeader: new Int32Array(buffer, REPORT_OFFSET, 2),
      report: new Uint8Array(buffer, REPORT_OFFSET + 8, REPORT_BYTES),
      unseenHeader: new Int32Array(buffer, UNSEEN_OFFSET, 2),
      unseen: new Uint8Array(buffer, UNSEEN_OFFSET + 8, REPORT_BYTES),
    };
    views.set(buffer, view);
  }
  return view;
}

/**
 * Worker side: tells the wrapper of the call in flight (or, with none, the reported section running) that the
 * loop stalled during it, so that it reports its context and stack when it returns. Returns its sequence, or
 * null when none is in flight.
 */
export function markStallSeen(buffer: SharedArrayBuffer): number | null {
  const { header } = viewsOf(buffer);
  if (Atomics.load(header, MARK) !== 0) return markPlainSlot(header, MARK, MARK_SEQUENCE);
  const before = Atomics.load(header, SEQUENCE);
  if ((before & 1) === 0 && Atomics.load(header, API) !== 0) {
    Atomics.store(header, STALL_SEEN, before);
    // A call that ended and another that began mid-way: the mark names a sequence nobody has (harmless).
    return Atomics.load(header, SEQUENCE) === before ? before : null;
  }
  if (Atomics.load(header, SECTION) !== 0) return markPlainSlot(header, SECTION, SECTION_SEQUENCE);
  return null;
}

/**
 * Worker side: the sequence of the wrapped call (or marked JSON.stringify) in flight, without marking it; null
 * with none (a reported section is no call). Lets the watchdog tell the call it marked from the ones after it.
 */
export function callInFlight(buffer: SharedArrayBuffer): number | null {
  const { header } = viewsOf(buffer);
  if (Atomics.load(header, MARK) !== 0) return Atomics.load(header, MARK_SEQUENCE);
  const sequence = Atomics.load(header, SEQUENCE);
  // Odd: a call is beginning, and this will be its sequence.
  if ((sequence & 1) !== 0) return sequence + 1;
  return Atomics.load(header, API) !== 0 && Atomics.load(header, SEQUENCE) === sequence ? sequence : null;
}

/** Marks the mark or section written with plain stores (`flag` set, its sequence at `sequenceSlot`) as seen stalling. */
function markPlainSlot(header: Int32Array, flag: number, sequenceSlot: number): number | null {
  const sequence = Atomics.load(header, sequenceSlot);
  Atomics.store(header, STALL_SEEN, sequence);
  return Atomics.load(header, flag) !== 0 && Atomics.load(header, sequenceSlot) === sequence ? sequence : null;
}

/**
 * Worker side: the latest unmarked slow call's report and its sequence, or null. For a stall the worker did not see
 * while it lasted (it was scheduled late): wrappers also report every call that took a threshold or more.
 */
export function readUnseenReport(buffer: SharedArrayBuffer): { sequence: number; json: string } | null {
  const { unseenHeader, unseen } = viewsOf(buffer);
  const sequence = Atomics.load(unseenHeader, REPORT_SEQUENCE);
  if (sequence === 0) return null;
  const json = readSlot(unseenHeader, unseen, sequence);
  return json === null ? null : { sequence, json };
}

function readSlot(header: Int32Array, bytes: Uint8Array, sequence: number): string | null {
  if (Atomics.load(header, REPORT_SEQUENCE) !== sequence) return null;
  const length = Atomics.load(header, REPORT_LENGTH);
  const copy = bytes.slice(0, Math.max(0, Math.min(length, REPORT_BYTES)));
  if (Atomics.load(header, REPORT_SEQUENCE) !== sequence) return null;
  return decoder.decode(copy);
}

/** Worker side: the report the wrapper wrote for the call with this sequence, or null (not yet, or none). */
export function readReport(buffer: SharedArrayBuffer, sequence: number): string | null {
  const { reportHeader, report } = viewsOf(buffer);
  return readSlot(reportHeader, report, sequence);
}

/**
 * Worker side: the wrapped call in flight on the main thread, or null. Lock-free; returns null rather
 * than a torn record when the main thread keeps rewriting it during the read.
 */
export function readInFlight(buffer: SharedArrayBuffer): InFlightCall | null {
  const { header, hint } = viewsOf(buffer);
  // A marked call (no hint): the wrapper guard keeps it and the record below from being in flight together.
  const marked = WRAPPED_APIS[Atomics.load(header, MARK) - 1];
  if (marked) return { api: marked.id, hint: null };
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
