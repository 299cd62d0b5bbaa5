/** What kind of blocking an API does; every category can be switched off on its own. */
export type BlockingCategory =
  | 'fs'
  | 'child-process'
  | 'crypto'
  | 'zlib'
  | 'atomics'
  | 'sqlite'
  | 'busy-wait'
  | 'third-party';

/**
 * How the blocking API is reached from its module:
 * - `call`: `path` names a function export, called directly (`fs.readFileSync(...)`).
 * - `construct`: `path` names a class whose constructor blocks (`new DatabaseSync(...)`).
 * - `method`: `path` names a class or factory export and `method` a blocking method of its
 *   instances (`fs.opendirSync(p).readSync()`); only resolvable with type information or by
 *   tracking the receiver.
 */
export type BlockingApiKind = 'call' | 'construct' | 'method';

/** The non-blocking replacement, when one exists with the same meaning. */
export interface AsyncEquivalent {
  /** Module to import it from, e.g. `node:fs/promises`. */
  readonly module: string;
  /** Export name in that module, e.g. `readFile`. */
  readonly name: string;
  /**
   * `promise`: the export already returns a promise with the same arguments.
   * `promisify`: callback API; `util.promisify(module[name])` has the same arguments.
   */
  readonly style: 'promise' | 'promisify';
}

export interface BlockingApi {
  /** Canonical id shown to users and written by the runtime monitor, e.g. `fs.readFileSync`. */
  readonly id: string;
  /** Module specifier without the `node:` prefix for built-ins (`fs`, `child_process`, `fs-extra`). */
  readonly module: string;
  /** True for built-ins; they are matched with and without `node:`. */
  readonly builtin: boolean;
  /** Export path inside the module; `[]` is the default export (or the CommonJS module value). */
  readonly path: readonly string[];
  readonly kind: BlockingApiKind;
  /** For `kind: 'method'`: the blocking instance method. */
  readonly method?: string;
  /**
   * For `kind: 'method'`: the name of the class or interface that declares the method in the module's
   * type declarations (`Dir`, `Database`, `Statement`), so type-aware tools can match a receiver's type.
   */
  readonly typeName?: string;
  readonly category: BlockingCategory;
  /**
   * Present when the same API is asynchronous given a callback (`crypto.randomBytes(n, cb)`):
   * the call blocks only when no function argument is passed.
   */
  readonly blockingUnless?: 'callback';
  /**
   * Present when the call's cost grows with its arguments: it takes microseconds, and is not worth
   * reporting, when the product of the factors is a constant at most `max` (`randomBytes(16)`).
   */
  readonly cheapUpTo?: CheapUpTo;
  readonly asyncEquivalent?: AsyncEquivalent;
  /**
   * Index of the argument worth showing as a hint at run time (a path, a command), if any.
   * The runtime monitor records a bounded prefix of it while the call is in flight.
   */
  readonly hintArgument?: number;
  /** True when the runtime monitor wraps this API to name it while it is in flight. */
  readonly wrapAtRuntime: boolean;
  /** One sentence on why it blocks, for messages and docs. */
  readonly why: string;
}

/**
 * Where a call site gives one number its cost grows with: an argument (`randomBytes(16)`), a property
 * of an options-object argument (`scryptSync(p, s, 64, { N: 1024 })`), or the byte size of a buffer
 * argument allocated there (`randomFillSync(Buffer.alloc(16))`). A tool reads it only when it is a
 * constant (a literal, or a `const` bound to one); anything else counts as not cheap.
 */
export interface CostFactor {
  /** Index of the argument. */
  readonly argument: number;
  /** The options object's property holding the number, with its aliases (`['N', 'cost']`). */
  readonly property?: readonly string[];
  /** `buffer-bytes`: the argument is a buffer; its byte length is the number. Default `number`. */
  readonly read?: 'number' | 'buffer-bytes';
  /** When the argument (or property) is left out: Node's documented default, or another place to read. */
  readonly whenAbsent?: number | CostFactor;
}

/** The bound under which a size- or cost-dependent call is cheap: the product of `factors` at most `max`. */
export interface CheapUpTo {
  readonly factors: readonly CostFactor[];
  /** Inclusive; chosen so that the call takes at most about a millisecond at `max` (see apis.ts). */
  readonly max: number;
  /** What the product counts, for messages and docs: `bytes`, `iterations × key bytes`, `N × r × p`. */
  readonly unit: string;
}

/** A global (no import) whose call blocks, such as `Atomics.wait`. */
export interface BlockingGlobal {
  readonly id: string;
  /** Path from the global object, e.g. `['Atomics', 'wait']`. */
  readonly path: readonly string[];
  readonly category: BlockingCategory;
  readonly wrapAtRuntime: boolean;
  readonly why: string;
}

/** A module whose exports are all non-blocking even when a sibling module blocks (`fs/promises`). */
export interface AsyncOnlyModule {
  readonly module: string;
  /** When set, only this export path of `module` is async (`fs.promises`). */
  readonly path?: readonly string[];
}

/**
 * Where a value of a type with blocking methods comes from (`new Database(file)`, `db.prepare(sql)`), so that a
 * tool without type information can follow a receiver from the call that made it to the methods called on it.
 */
export interface InstanceSource {
  /** Module specifier, as `BlockingApi.module`. */
  readonly module: string;
  /** The type of the value made: the `typeName` of its method entries (`Database`, `Statement`). */
  readonly typeName: string;
  /** An export of the module called or constructed (`path` as `BlockingApi.path`), or a method of another instance. */
  readonly from:
    | { readonly kind: 'call' | 'construct'; readonly path: readonly string[] }
    | { readonly kind: 'method'; readonly typeName: string; readonly method: string };
}
