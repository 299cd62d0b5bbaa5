/*
 * The CLI's hdr histograms: the monitors' stall histograms decoded, and the growing ones they are added
 * into. Only hdr-histogram-js's pure-JS modules are loaded, as the monitor loads them (its
 * lag/histogram.ts): the package's entry point also loads the WebAssembly build, which the CLI never
 * uses, ≈ 30 ms of every `agent-lag run` start.
 */
import type { JsHistogram } from 'hdr-histogram-js/dist/JsHistogram.js';
import { decompress, doDecode } from 'hdr-histogram-js/dist/JsHistogram.encoding.js';
import { constructorFromBucketSize } from 'hdr-histogram-js/dist/JsHistogramFactory.js';

export type Histogram = JsHistogram;

/** 32-bit counters, as the monitor's histograms and `hdr.build`'s default. */
const Int32Histogram = constructorFromBucketSize(32);

/**
 * An empty histogram that grows to take any value (a decoded one has exactly its own range and throws on
 * a larger value): `hdr.build()`, with `significantDigits` of precision.
 */
export function growingHistogram(significantDigits: 1 | 2 | 3 | 4 | 5 = 3): Histogram {
  const histogram = new Int32Histogram(1, 2, significantDigits);
  histogram.autoResize = true;
  return histogram;
}

/** A monitor's histogram from its compressed base64 (V2 encoding); null for an empty or damaged one. */
export function decodeHistogram(base64: string): Histogram | null {
  if (!base64) return null;
  try {
    return doDecode(decompress(Buffer.from(base64.trim(), 'base64')));
  } catch {
    return null;
  }
}
