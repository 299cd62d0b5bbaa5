import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  ASYNC_ONLY,
  BLOCKING_APIS,
  findBlockingApis,
  findBlockingCall,
  findBlockingGlobal,
  getApiById,
  INSTANCE_SOURCES,
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

describe('instance sources', () => {
  it('make every type that has method entries, and only such types or their makers', () => {
    const key = (module: string, typeName: string): string => `${module} ${typeName}`;
    const withMethods = new Set(BLOCKING_APIS.filter((api) => api.kind === 'method').map((api) => key(api.module, api.typeName!)));
    const made = new Set(INSTANCE_SOURCES.map((source) => key(source.module, source.typeName)));
    expect([...withMethods].filter((type) => !made.has(type))).toEqual([]);
    for (const source of INSTANCE_SOURCES) {
      expect(withMethods.has(key(source.module, source.typeName)), key(source.module, source.typeName)).toBe(true);
      if (source.from.kind === 'method') {
        // The method that makes it is itself a listed blocking method (prepare compiles the SQL there and then).
        expect(BLOCKING_APIS.some((api) => api.module === source.module && api.typeName === (source.from as { typeName: string }).typeName && api.method === (source.from as { method: string }).method)).toBe(true);
      }
    }
  });

  // node:sqlite is Node 22.5 and later: Node 20 has no module to check against.
  const sqlite = process.getBuiltinModule('node:sqlite') as { DatabaseSync: new (file: string) => Record<string, (sql: string) => unknown> } | undefined;
  it.skipIf(sqlite === undefined)('name node:sqlite instances and methods as this Node has them (Node 20 has no node:sqlite)', () => {
    const { DatabaseSync } = sqlite!;
    const database = new DatabaseSync(':memory:');
    const statement = database.prepare!('select 1 as one') as object;
    expect(statement.constructor.name).toBe('StatementSync');
    for (const api of BLOCKING_APIS.filter((entry) => entry.module === 'sqlite' && entry.kind === 'method')) {
      const instance = api.typeName === 'DatabaseSync' ? database : statement;
      expect(typeof (instance as Record<string, unknown>)[api.method!], api.id).toBe('function');
    }
  });
});
