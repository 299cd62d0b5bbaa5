/*
 * Fixed-size hdr histograms (autoResize off): memory stays the same however long the service runs.
 * Values past the top are clamped to it rather than thrown away, so counts stay exact.
 *
 * Only hdr-histogram-js's pure-JS modules are loaded, never its entry point: the entry point also loads
 * the WebAssembly build through @assemblyscript/loader, which assigns `Object.hasOwn` when it loads and
 * so throws under `node --frozen-intrinsics`, killing a host that preloads the monitor. The JS classes
 * and their encoding are the same ones `hdr.build({ useWebAssembly: false })` returns, and encode to the
 * same base64 (readable by `hdr.decodeFromCompressedBase64`).
 */
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
// Also installs encodeIntoCompressedBase64 on the JS histograms.
import { decompress, doDecode } from 'hdr-histogram-js/dist/JsHistogram.encoding.js';
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';

export type Histogram = JsHistogram;

/** 32-bit counters, as `hdr.build`'s default. */
const Int32Histogram = constructorFromBucketSize(32);

export function createHistogram(highestTrackableValue: number): Histogram {
  const histogram = new Int32Histogram(1, highestTrackableValue, 2);
  histogram.autoResize = false;
  return histogram;
}

export function recordClamped(histogram: Histogram, value: number, count = 1): void {
  const top = histogram.highestTrackableValue;
  const clamped = value < 0 ? 0 : value > top ? top : Math.round(value);
  histogram.recordValueWithCount(clamped, count);
}

/** Compressed base64 (the V2 encoding every HdrHistogram implementation reads). */
export function encodeHistogram(histogram: Histogram): string {
  return histogram.encodeIntoCompressedBase64();
}

/** The histogram `encodeHistogram` (or `hdr.encodeIntoCompressedBase64`) wrote; throws on anything else. */
export function decodeHistogram(encoded: string): Histogram {
  return doDecode(decompress(Buffer.from(encoded.trim(), 'base64')));
}
