import { describe, expect, it } from 'vitest';
import { BLOCKING_APIS, getApiById } from '../src/index.js';
import type { BlockingApi, CostFactor } from '../src/index.js';

// The size-aware entries are plain data the plugin reads (docs/rules/no-sync-crypto.md shows the same bounds).
describe('cheapUpTo: size- and cost-dependent entries', () => {
  const cheap = BLOCKING_APIS.filter((api) => api.cheapUpTo !== undefined).map((api) => api.id).sort();

  it('is set on exactly the calls whose cost an argument decides', () => {
    expect(cheap).toEqual(['crypto.pbkdf2Sync', 'crypto.randomBytes', 'crypto.randomFillSync', 'crypto.scryptSync']);
  });

  it('has the documented bounds and units', () => {
    const bound = (id: string) => {
      const { max, unit } = (getApiById(id) as BlockingApi).cheapUpTo!;
      return { max, unit };
    };
    expect(bound('crypto.randomBytes')).toEqual({ max: 65_536, unit: 'bytes' });
    expect(bound('crypto.randomFillSync')).toEqual({ max: 65_536, unit: 'bytes' });
    expect(bound('crypto.pbkdf2Sync')).toEqual({ max: 32_000, unit: 'iterations × key bytes' });
    expect(bound('crypto.scryptSync')).toEqual({ max: 2_048, unit: 'N × r × p' });
  });

  it("scryptSync's defaults are Node's, and above the bound", () => {
    const { factors, max } = (getApiById('crypto.scryptSync') as BlockingApi).cheapUpTo!;
    expect(factors.map((factor) => [factor.property, factor.whenAbsent])).toEqual([
      [['N', 'cost'], 16_384],
      [['r', 'blockSize'], 8],
      [['p', 'parallelization'], 1],
    ]);
    expect(16_384 * 8 * 1).toBeGreaterThan(max);
  });

  it('every factor reads an argument index and falls back to a number or another factor', () => {
    const check = (factor: CostFactor): void => {
      expect(Number.isInteger(factor.argument) && factor.argument >= 0).toBe(true);
      if (typeof factor.whenAbsent === 'object') check(factor.whenAbsent);
      else if (factor.whenAbsent !== undefined) expect(factor.whenAbsent).toBeGreaterThan(0);
    };
    for (const api of BLOCKING_APIS) for (const factor of api.cheapUpTo?.factors ?? []) check(factor);
  });
});
