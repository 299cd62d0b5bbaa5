import { normalizeModuleName } from '@agent-lag/catalog';
import type { ApiInfo } from './index.js';

/** One entry of `no-blocking-api`'s `apis` option, like flake8-async's ASYNC200 mapping. */
export interface UserApiOption {
  /** Module specifier, e.g. `my-db` or `node:fs` (built-ins match with and without `node:`). */
  readonly module: string;
  /**
   * Export path pattern: dotted (`Client.querySync`), `*` matches within one segment (`*Sync`);
   * `default` (or an empty string) is the module value itself.
   */
  readonly export: string;
  /** Shown in the report, e.g. "use queryAsync() instead". */
  readonly message?: string;
}

export interface UserApiMatcher {
  readonly modules: ReadonlySet<string>;
  match(specifier: string, path: readonly string[]): ApiInfo | undefined;
}

function segmentPattern(segment: string): RegExp {
  const escaped = segment.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^.]*')}$`);
}

/** Compiles the user's list once per rule configuration. */
export function compileUserApis(options: readonly UserApiOption[]): UserApiMatcher {
  const entries = options.map((option) => {
    const text = option.export === 'default' ? '' : option.export;
    return {
      option,
      module: normalizeModuleName(option.module),
      segments: text === '' ? [] : text.split('.').map(segmentPattern),
    };
  });
  return {
    modules: new Set(entries.map((entry) => entry.module)),
    match(specifier, path) {
      const module = normalizeModuleName(specifier);
      const entry = entries.find(
        (candidate) =>
          candidate.module === module &&
          candidate.segments.length === path.length &&
          candidate.segments.every((pattern, index) => pattern.test(path[index] ?? '')),
      );
      if (!entry) return undefined;
      const id = [entry.option.module, ...path].join('.');
      return { id, category: 'user', why: entry.option.message ?? 'listed as blocking in no-blocking-api options', kind: 'call' };
    },
  };
}
