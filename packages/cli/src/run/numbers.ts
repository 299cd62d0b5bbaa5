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
