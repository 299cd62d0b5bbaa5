import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { walk } from '../../util/walk.js';
import { staticKeyOf } from './static-key.js';

/** Where a traced value comes from: a module (as written: `node:fs`, `fs-extra`) or the global object. */
export type Origin = { readonly kind: 'module'; readonly specifier: string } | { readonly kind: 'global' };

/**
 * How a traced value is used:
 * - `call` / `new`: it is the callee (`fs.readFileSync(p)`, `fs.readFileSync.call(fs, p)`, `new DatabaseSync()`);
 * - `value`: it is passed as an argument, so the callee will call it (`paths.map(fs.readFileSync)`).
 */
export type UseKind = 'call' | 'new' | 'value';

export interface ValueUse {
  readonly origin: Origin;
  /** Export path from the origin, e.g. `['readFileSync']`; may end in `call`/`apply` for indirect calls. */
  readonly path: readonly string[];
  readonly kind: UseKind;
  /** The call or `new` expression to report. */
  readonly node: TSESTree.CallExpression | TSESTree.NewExpression;
  /** The expression whose value is the traced function (the callee, or the argument for `value`). */
  readonly reference: TSESTree.Node;
}

/**
 * Follows a value forward from where it enters the file (an import, a `require()`, a global) through
 * member reads, destructuring and variables, via the scope manager, and records every call, `new` and
 * argument use. Forward tracing costs time only for files that use a tracked module.
 */
export class ValueTracer {
  readonly uses: ValueUse[] = [];
  private readonly tracedPatterns = new Set<TSESTree.Node>();
  private readonly tracedMembers = new Map<TSESTree.Node, Set<string>>();

  constructor(private readonly sourceCode: Readonly<TSESLint.SourceCode>) {}

  /** Traces the value of `node` (an expression) whose value is `path` under `origin`. */
  traceValue(node: TSESTree.Node, origin: Origin, path: readonly string[]): void {
    const current = climbTransparentWrappers(node);
    const parent = current.parent;
    if (!parent) return;
    switch (parent.type) {
      case AST_NODE_TYPES.MemberExpression: {
        if (parent.object !== current) return;
        const key = staticKeyOf(parent.property, parent.computed);
        if (key === undefined) return;
        const outer = climbTransparentWrappers(parent);
        const call = outer.parent;
        const isCallee = call?.type === AST_NODE_TYPES.CallExpression && call.callee === outer;
        if (key === 'bind' && isCallee) {
          // A bound function does what the original does.
          this.traceValue(call, origin, path);
          return;
        }
        if (key === 'then' && isCallee) {
          // `import('node:fs').then((fs) => ...)`
          const callback = call.arguments[0];
          if (callback && isFunction(callback) && callback.params[0]) {
            this.tracePattern(callback.params[0], origin, path);
          }
          return;
        }
        this.traceValue(parent, origin, [...path, key]);
        return;
      }
      case AST_NODE_TYPES.CallExpression:
      case AST_NODE_TYPES.NewExpression: {
        if (parent.callee === current) {
          this.record(origin, path, parent.type === AST_NODE_TYPES.CallExpression ? 'call' : 'new', parent, current);
        } else if ((parent.arguments as TSESTree.Node[]).includes(current)) {
          this.record(origin, path, 'value', parent, current);
        }
        return;
      }
      case AST_NODE_TYPES.VariableDeclarator:
        if (parent.init === current) this.tracePattern(parent.id, origin, path);
        return;
      case AST_NODE_TYPES.AssignmentExpression:
        if (parent.right === current && parent.operator === '=') this.tracePattern(parent.left, origin, path);
        return;
      case AST_NODE_TYPES.PropertyDefinition:
        // `class Store { db = new Database(file) }`: read as `this.db` in the class's methods.
        if (parent.value === current && !parent.static) this.traceInstanceMember(parent.parent.parent, memberKeyOf(parent.key, parent.computed), origin, path);
        return;
      default:
        return;
    }
  }

  /**
   * Traces the reads of `this.<key>` (or `this.#key`) where `this` is an instance of `cls`: in its methods,
   * accessors, instance field initialisers and the arrows inside them; not in a nested function of its own
   * `this`, nor in a nested class.
   */
  private traceInstanceMember(cls: TSESTree.ClassDeclaration | TSESTree.ClassExpression, key: string | undefined, origin: Origin, path: readonly string[]): void {
    if (key === undefined) return;
    const traced = this.tracedMembers.get(cls) ?? new Set<string>();
    if (traced.has(key)) return;
    traced.add(key);
    this.tracedMembers.set(cls, traced);
    walk(cls.body, this.sourceCode.visitorKeys, (node) => {
      if (node.type !== AST_NODE_TYPES.MemberExpression || node.object.type !== AST_NODE_TYPES.ThisExpression) return;
      if (memberKeyOf(node.property, node.computed) !== key || instanceClassOf(node.object) !== cls) return;
      // The assignment that stored the value is not a read of it.
      const outer = node.parent;
      if (outer.type === AST_NODE_TYPES.AssignmentExpression && outer.left === node) return;
      this.traceValue(node, origin, path);
    });
  }

  /** Traces a binding pattern (`fs`, `{ readFileSync: read }`, `{ promises = x }`) bound to `path`. */
  tracePattern(pattern: TSESTree.Node, origin: Origin, path: readonly string[]): void {
    switch (pattern.type) {
      case AST_NODE_TYPES.Identifier: {
        if (this.tracedPatterns.has(pattern)) return;
        this.tracedPatterns.add(pattern);
        const variable = ASTUtils.findVariable(this.sourceCode.getScope(pattern), pattern);
        if (!variable) return;
        for (const reference of variable.references) {
          if (reference.identifier === pattern || !reference.isRead()) continue;
          this.traceValue(reference.identifier, origin, path);
        }
        return;
      }
      case AST_NODE_TYPES.ObjectPattern:
        for (const property of pattern.properties) {
          if (property.type !== AST_NODE_TYPES.Property) continue;
          const key = staticKeyOf(property.key, property.computed);
          if (key !== undefined) this.tracePattern(property.value, origin, [...path, key]);
        }
        return;
      case AST_NODE_TYPES.AssignmentPattern:
        this.tracePattern(pattern.left, origin, path);
        return;
      case AST_NODE_TYPES.MemberExpression: {
        // `this.db = new Database(file)` in a constructor or method.
        if (pattern.object.type !== AST_NODE_TYPES.ThisExpression) return;
        const cls = instanceClassOf(pattern.object);
        if (cls) this.traceInstanceMember(cls, memberKeyOf(pattern.property, pattern.computed), origin, path);
        return;
      }
      default:
        return;
    }
  }

  private record(
    origin: Origin,
    path: readonly string[],
    kind: UseKind,
    node: TSESTree.CallExpression | TSESTree.NewExpression,
    reference: TSESTree.Node,
  ): void {
    // ESM interop: `import fs from 'fs'`, `(await import('fs')).default` and `fs` are the same object.
    const normalized = origin.kind === 'module' && path[0] === 'default' ? path.slice(1) : path;
    this.uses.push({ origin, path: normalized, kind, node, reference });
  }
}

/** A member's key as `this.<key>` reads it: `db`, `#db` for a private name; undefined when computed at run time. */
function memberKeyOf(key: TSESTree.Node, computed: boolean): string | undefined {
  if (!computed && key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${key.name}`;
  return staticKeyOf(key, computed);
}

/**
 * The class whose instance `self` (a `this`) is: the nearest enclosing function that is not an arrow must be a
 * non-static method or accessor of that class, or `self` must be in a non-static field initialiser.
 */
function instanceClassOf(self: TSESTree.ThisExpression): TSESTree.ClassDeclaration | TSESTree.ClassExpression | undefined {
  let child: TSESTree.Node = self;
  for (let current: TSESTree.Node | undefined = self.parent; current; child = current, current = current.parent) {
    switch (current.type) {
      case AST_NODE_TYPES.ArrowFunctionExpression:
        break;
      case AST_NODE_TYPES.FunctionExpression: {
        const owner = current.parent;
        if (owner.type !== AST_NODE_TYPES.MethodDefinition || owner.value !== current || owner.static) return undefined;
        return owner.parent.parent;
      }
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.StaticBlock:
        return undefined;
      case AST_NODE_TYPES.PropertyDefinition:
        if (current.value !== child) break;
        return current.static ? undefined : current.parent.parent;
      default:
        break;
    }
  }
  return undefined;
}

function isFunction(
  node: TSESTree.Node,
): node is TSESTree.ArrowFunctionExpression | TSESTree.FunctionExpression {
  return node.type === AST_NODE_TYPES.ArrowFunctionExpression || node.type === AST_NODE_TYPES.FunctionExpression;
}

/**
 * Climbs wrappers that do not change the value: TS `as`/`!`/`satisfies`/`<T>`, optional chains, `await`
 * (of a module namespace promise) and the last operand of a sequence (`(0, fs.readFileSync)(p)`).
 */
export function climbTransparentWrappers(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return current;
    switch (parent.type) {
      case AST_NODE_TYPES.TSAsExpression:
      case AST_NODE_TYPES.TSNonNullExpression:
      case AST_NODE_TYPES.TSSatisfiesExpression:
      case AST_NODE_TYPES.TSTypeAssertion:
      case AST_NODE_TYPES.TSInstantiationExpression:
        if (parent.expression !== current) return current;
        break;
      case AST_NODE_TYPES.ChainExpression:
      case AST_NODE_TYPES.AwaitExpression:
        break;
      case AST_NODE_TYPES.SequenceExpression:
        if (parent.expressions.at(-1) !== current) return current;
        break;
      default:
        return current;
    }
    current = parent;
  }
}
