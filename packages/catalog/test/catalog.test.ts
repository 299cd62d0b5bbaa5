import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  ASYNC_ONLY,
  BLOCKING_APIS,
  findBlockingApis,
  findBlockingCall,
  findBlockingGlobal,
  getApiById,
  isSameModule,
} from '../src/index.js';

const require = createRequire(import.meta.url);

function syncExports(module: string): string[] {
  return Object.keys(require(module) as object).filter((name) => name.endsWith('Sync'));
}

describe('catalog of blocking built-ins', () => {
  it.each(['fs', 'zlib', 'crypto', 'child_process'])('lists every *Sync export of %s on this Node', (module) => {
    const listed = new Set(BLOCKING_APIS.filter((api) => api.module === module).map((api) => api.path[0]));
    const missing = syncExports(module).filter((name) => !listed.has(name));
    expect(missing).toEqual([]);
  });

  it('names async equivalents that exist in this Node (or only in newer Nodes for newer APIs)', () => {
    for (const api of BLOCKING_APIS) {
      const equivalent = api.asyncEquivalent;
      if (!api.builtin || !equivalent) continue;
      const target = require(equivalent.module) as Record<string, unknown>;
      const blocking = api.path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], require(api.module));
      // zstd (Node >=22.15) and lchmod (macOS only) may be absent; then the sync form is too.
      if (blocking === undefined) continue;
      expect(typeof target[equivalent.name], `${api.id} → ${equivalent.module}.${equivalent.name}`).toBe('function');
    }
  });

  it('matches built-ins with and without node:, but node:sqlite only with it', () => {
    expect(findBlockingCall('node:fs', ['readFileSync'])?.id).toBe('fs.readFileSync');
    expect(findBlockingCall('fs', ['readFileSync'])?.id).toBe('fs.readFileSync');
    expect(findBlockingCall('node:sqlite', ['DatabaseSync'])?.kind).toBe('construct');
    expect(findBlockingCall('sqlite', ['DatabaseSync'])).toBeUndefined();
    expect(isSameModule('node:child_process', 'child_process')).toBe(true);
    expect(isSameModule('sqlite', 'sqlite')).toBe(false);
  });

  it('never lists pure helpers or the promise APIs', () => {
    expect(findBlockingApis('path', ['join'])).toEqual([]);
    expect(findBlockingApis('module', ['syncBuiltinESMExports'])).toEqual([]);
    expect(findBlockingApis('fs/promises', ['readFile'])).toEqual([]);
    expect(ASYNC_ONLY).toContainEqual({ module: 'fs', path: ['promises'] });
  });

  it('knows Atomics.wait but not Atomics.waitAsync', () => {
    expect(findBlockingGlobal(['Atomics', 'wait'])?.category).toBe('atomics');
    expect(findBlockingGlobal(['Atomics', 'waitAsync'])).toBeUndefined();
  });

  it('gives every entry a unique id', () => {
    const ids = BLOCKING_APIS.map((api) => api.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(getApiById('child_process.execSync')?.category).toBe('child-process');
  });
});

describe('method entries', () => {
  it('name the declaring type, so type-aware tools can match a receiver', () => {
    const methods = BLOCKING_APIS.filter((api) => api.kind === 'method');
    expect(methods.length).toBeGreaterThan(0);
    for (const api of methods) expect(api.typeName, api.id).toMatch(/^[A-Z]\w+$/);
    expect(getApiById('better-sqlite3.Statement#get')).toMatchObject({ typeName: 'Statement', method: 'get' });
  });
});
