import { UsageError } from '../errors.js';

/** A positive number of milliseconds from an option, or one clear usage error naming the option. */
export function parsePositiveMs(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${option} expects a positive number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** Zero or a positive number of milliseconds (a grace period that may be switched off). */
export function parseNonNegativeMs(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) {
    throw new UsageError(`${option} expects 0 or a positive number of milliseconds, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** A positive number of seconds (watch --duration). */
export function parsePositiveSeconds(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${option} expects a positive number of seconds, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** What the monitor accepts as `thresholdMs` (its options refuse anything else). */
export const THRESHOLD_RANGE_MS = { min: 1, max: 600_000 } as const;

/**
 * A stall threshold the monitor will take. Refused here, before anything runs: the preload would only
 * warn about a bad AGENT_LAG_THRESHOLD_MS and fall back to its default, silently measuring something else.
 */
export function parseThresholdMs(value: string | undefined, option: string): number | undefined {
  return parseMsInRange(value, option, THRESHOLD_RANGE_MS);
}

/** What the monitor accepts as `inFlightSlaMs` (a day at most; 0, its "off", is the option left out). */
export const SLA_RANGE_MS = { min: 1, max: 86_400_000 } as const;

/** An in-flight SLA the monitor will take, refused here for the same reason as a bad threshold. */
export function parseSlaMs(value: string | undefined, option: string): number | undefined {
  return parseMsInRange(value, option, SLA_RANGE_MS);
}

function parseMsInRange(value: string | undefined, option: string, { min, max }: { min: number; max: number }): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < min || number > max) {
    throw new UsageError(`${option} expects a number of milliseconds from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}
