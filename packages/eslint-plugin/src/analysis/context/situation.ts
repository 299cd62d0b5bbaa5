import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { walk } from '../../util/walk.js';
import { callbackFate, objectArgumentFate } from './callbacks.js';
import { ExitPathAnalysis } from './exit-paths.js';
import { isBootLifecycleHook } from './lifecycle-hooks.js';
import { findServerStartCallbacks } from './server-start.js';
import type { CallbackFate } from './callbacks.js';
import { className, isClassNode, isFunctionNode, isLoop, memberName, outerExpression, staticName } from './ast.js';
import type { ClassNode, FunctionNode } from './ast.js';

/**
 * Where a node runs, before reachability is considered. `sync-function` means "inside a synchronous
 * function (or constructor) whose callers decide": start-up unless event-loop code calls it.
 */
export type Situation =
  | { kind: 'event-loop'; owner: string }
  | { kind: 'startup' }
  | { kind: 'exempt'; reason: string }
  | { kind: 'sync-function'; unit: FunctionNode | ClassNode; name: string };

const STARTUP: Situation = { kind: 'startup' };

/** After it the process ends before the loop turns again: it starves nothing (see exit-paths.ts). */
const EXIT_PATH: Situation = { kind: 'exempt', reason: 'exit path: the process ends right after it' };

type CallbackFateOf = (call: TSESTree.CallExpression | TSESTree.NewExpression, index: number) => CallbackFate;

/** How a function is placed in the code, which decides who calls it and when. */
type Position =
  | { kind: 'callback'; fate: CallbackFate; call: TSESTree.CallExpression | TSESTree.NewExpression }
  | { kind: 'iife'; call: TSESTree.CallExpression }
  | { kind: 'method'; name: string; constructorOf?: ClassNode; owner: TSESTree.Node }
  | { kind: 'handler-property'; name: string }
  | { kind: 'plain'; name: string | undefined };

function keyName(node: TSESTree.Property | TSESTree.MethodDefinition | TSESTree.PropertyDefinition): string {
  return staticName(node.key, node.computed) ?? '[computed]';
}

/** The name of the object literal an object method belongs to: `tools` in `const tools = { run() {} }`. */
function objectName(object: TSESTree.ObjectExpression): string | undefined {
  const parent = object.parent;
  if (parent.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  if (parent.type === AST_NODE_TYPES.AssignmentExpression) return assignmentTargetName(parent.left);
  if (parent.type === AST_NODE_TYPES.ExportDefaultDeclaration) return 'default export';
  return undefined;
}

function assignmentTargetName(node: TSESTree.Node): string | undefined {
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression) {
    const property = memberName(node);
    const object = assignmentTargetName(node.object) ?? (node.object.type === AST_NODE_TYPES.ThisExpression ? 'this' : undefined);
    return property === undefined ? undefined : object === undefined ? property : `${object}.${property}`;
  }
  return undefined;
}

function positionOf(fn: FunctionNode, fateOf: CallbackFateOf): Position {
  const self = outerExpression(fn);
  const parent = self.parent;
  if (!parent) return { kind: 'plain', name: undefined };
  switch (parent.type) {
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression: {
      if (parent.callee === self) {
        return parent.type === AST_NODE_TYPES.CallExpression ? { kind: 'iife', call: parent } : { kind: 'plain', name: undefined };
      }
      const index = parent.arguments.indexOf(self as TSESTree.CallExpressionArgument);
      return { kind: 'callback', fate: fateOf(parent, index), call: parent };
    }
    case AST_NODE_TYPES.MemberExpression: {
      // (function () {...}).call(this) runs at once, like an IIFE.
      const call = parent.parent;
      const name = memberName(parent);
      if ((name === 'call' || name === 'apply') && call.type === AST_NODE_TYPES.CallExpression && call.callee === parent) {
        return { kind: 'iife', call };
      }
      return { kind: 'plain', name: undefined };
    }
    case AST_NODE_TYPES.MethodDefinition:
    case AST_NODE_TYPES.PropertyDefinition: {
      const cls = parent.parent.parent;
      const name = `${className(cls)}.${keyName(parent)}`;
      if (parent.type === AST_NODE_TYPES.MethodDefinition && parent.kind === 'constructor') {
        return { kind: 'method', name: `${className(cls)} constructor`, constructorOf: cls, owner: cls };
      }
      return { kind: 'method', name, owner: cls };
    }
    case AST_NODE_TYPES.Property: {
      const object = parent.parent;
      if (object.type !== AST_NODE_TYPES.ObjectExpression) return { kind: 'plain', name: undefined };
      const key = keyName(parent);
      const holder = object.parent;
      if (
        (holder.type === AST_NODE_TYPES.CallExpression || holder.type === AST_NODE_TYPES.NewExpression) &&
        holder.arguments.includes(object)
      ) {
        const fate = objectArgumentFate(holder, key);
        if (fate) return { kind: 'callback', fate, call: holder };
      }
      const owner = objectName(object);
      return { kind: 'method', name: owner === undefined ? key : `${owner}.${key}`, owner: object };
    }
    case AST_NODE_TYPES.VariableDeclarator:
      return { kind: 'plain', name: parent.id.type === AST_NODE_TYPES.Identifier ? parent.id.name : undefined };
    case AST_NODE_TYPES.AssignmentExpression: {
      const name = assignmentTargetName(parent.left);
      // ws.onmessage = (event) => {...}: an event handler property, called by the emitter later.
      const property = parent.left.type === AST_NODE_TYPES.MemberExpression ? memberName(parent.left) : undefined;
      if (property !== undefined && /^on[a-z]/.test(property)) return { kind: 'handler-property', name: name ?? property };
      return { kind: 'plain', name };
    }
    case AST_NODE_TYPES.ExportDefaultDeclaration:
      return { kind: 'plain', name: fn.id?.name ?? 'default export' };
    default:
      return { kind: 'plain', name: fn.id?.name };
  }
}

function functionName(fn: FunctionNode, position: Position): string | undefined {
  if (fn.type !== AST_NODE_TYPES.ArrowFunctionExpression && fn.id) {
    if (position.kind === 'method') return position.name;
    return fn.id.name;
  }
  if (position.kind === 'method' || position.kind === 'plain' || position.kind === 'handler-property') return position.name;
  return undefined;
}

function describeAsync(fn: FunctionNode, position: Position): string {
  const name = functionName(fn, position);
  const generator = fn.generator ? 'generator ' : '';
  if (position.kind === 'method') return `async ${generator}method ${position.name}`;
  if (position.kind === 'iife') return 'async IIFE';
  if (name !== undefined) return `async ${generator}function ${name}`;
  return fn.type === AST_NODE_TYPES.ArrowFunctionExpression ? 'async arrow function' : `async ${generator}function`;
}

/** Computes and caches the situation of every function asked about in one file. */
export class SituationAnalysis {
  private readonly functions = new Map<FunctionNode, Situation>();
  private readonly firstAwaits = new Map<FunctionNode, TSESTree.Node | null>();
  private readonly classes = new Map<ClassNode, Situation>();

  private readonly inProgress = new Set<FunctionNode>();
  private readonly exitPaths: ExitPathAnalysis;
  private serverStartCallbacks: ReadonlySet<TSESTree.Node> | undefined;

  constructor(private readonly sourceCode: Readonly<TSESLint.SourceCode>) {
    this.exitPaths = new ExitPathAnalysis(sourceCode);
  }

  private get visitorKeys(): TSESLint.SourceCode.VisitorKeys {
    return this.sourceCode.visitorKeys;
  }

  /** What becomes of a function passed at `call.arguments[index]`. */
  readonly fateOf = (call: TSESTree.CallExpression | TSESTree.NewExpression, index: number): CallbackFate =>
    callbackFate(call, index, this.isServerStartCallback);

  // Traced only for a file that passes a function to a call.
  private readonly isServerStartCallback = (argument: TSESTree.Node): boolean => {
    this.serverStartCallbacks ??= findServerStartCallbacks(this.sourceCode);
    return this.serverStartCallbacks.has(argument);
  };

  /** The situation of code at `node`. */
  of(node: TSESTree.Node): Situation {
    if (this.exitPaths.endsProcessAfter(node)) return EXIT_PATH;
    let child: TSESTree.Node = node;
    for (let current = node.parent; current; child = current, current = current.parent) {
      if (isFunctionNode(current)) {
        if (current.async && !current.generator && this.isInSyncPrefixOfStartupIife(current, node)) return STARTUP;
        return this.ofFunction(current);
      }
      if (current.type === AST_NODE_TYPES.StaticBlock) return this.ofClass(current.parent.parent);
      if (current.type === AST_NODE_TYPES.PropertyDefinition && current.value === child) {
        const cls = current.parent.parent;
        // Static initialisers run when the class is defined; instance ones when it is constructed.
        return current.static ? this.ofClass(cls) : this.ofConstructor(cls);
      }
    }
    return STARTUP;
  }

  /** Whether the class body runs on the loop (a class declared inside an async function, say). */
  private ofClass(cls: ClassNode): Situation {
    let situation = this.classes.get(cls);
    if (!situation) {
      situation = this.of(cls);
      this.classes.set(cls, situation);
    }
    return situation;
  }

  private ofConstructor(cls: ClassNode): Situation {
    const outer = this.ofClass(cls);
    if (outer.kind === 'event-loop' || outer.kind === 'exempt') return outer;
    return { kind: 'sync-function', unit: cls, name: `${className(cls)} constructor` };
  }

  ofFunction(fn: FunctionNode): Situation {
    let situation = this.functions.get(fn);
    if (!situation) {
      // Mutually calling async functions: the one asked again mid-question is taken as event-loop code.
      if (this.inProgress.has(fn)) return { kind: 'event-loop', owner: describeAsync(fn, positionOf(fn, this.fateOf)) };
      this.inProgress.add(fn);
      situation = this.computeFunction(fn);
      this.inProgress.delete(fn);
      this.functions.set(fn, situation);
    }
    return situation;
  }

  private computeFunction(fn: FunctionNode): Situation {
    const position = positionOf(fn, this.fateOf);
    if (position.kind === 'callback') {
      switch (position.fate.kind) {
        case 'exempt':
          return { kind: 'exempt', reason: position.fate.reason };
        case 'deferred':
          return { kind: 'event-loop', owner: position.fate.owner };
        case 'immediate':
          return fn.async ? { kind: 'event-loop', owner: describeAsync(fn, position) } : this.of(position.call);
        case 'server-start':
          // After its awaits too, as main's lines after `await app.listen()` are.
          return this.of(position.call);
      }
    }
    // NestJS's onModuleInit and onApplicationBootstrap: awaited before the application listens.
    if (position.kind === 'method' && isBootLifecycleHook(this.sourceCode, fn)) return STARTUP;
    if (fn.async) {
      return this.isStartupMain(fn) ? STARTUP : { kind: 'event-loop', owner: describeAsync(fn, position) };
    }
    if (position.kind === 'handler-property') return { kind: 'event-loop', owner: `${position.name} handler` };
    if (position.kind === 'iife') return this.of(position.call);
    if (position.kind === 'method' && position.constructorOf) return this.ofConstructor(position.constructorOf);
    // A sync function defined inside event-loop code can only run once that code has run.
    const outer = position.kind === 'method' ? this.of(position.owner) : this.of(fn);
    if (outer.kind === 'event-loop' || outer.kind === 'exempt') return outer;
    return { kind: 'sync-function', unit: fn, name: functionName(fn, position) ?? anonymousName(fn) };
  }

  /**
   * `async function main() {…}  main();` is the CommonJS spelling of top-level await: an async function
   * of this file, not exported, whose every use is a call from start-up code (or a function a server calls as it
   * starts, given there: see server-start.ts), is start-up code too.
   */
  private isStartupMain(fn: FunctionNode): boolean {
    const declaration =
      fn.type === AST_NODE_TYPES.FunctionDeclaration
        ? fn
        : fn.parent.type === AST_NODE_TYPES.VariableDeclarator && fn.parent.init === fn && fn.parent.parent.kind === 'const'
          ? fn.parent
          : undefined;
    if (!declaration) return false;
    const statement = declaration.type === AST_NODE_TYPES.FunctionDeclaration ? declaration : declaration.parent;
    if (statement.parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || statement.parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) {
      return false;
    }
    const variable = this.sourceCode.getDeclaredVariables(declaration)[0];
    const uses = variable?.references.filter((reference) => !reference.init) ?? [];
    return (
      uses.length > 0 &&
      uses.every((reference) => {
        const identifier = reference.identifier;
        const call = identifier.parent;
        if (call?.type !== AST_NODE_TYPES.CallExpression) return false;
        // `server.listen(port, main)`, `app.register(routes)`: called once as the server starts, where that call is.
        if (call.callee !== identifier) {
          const index = call.arguments.findIndex((argument) => argument === identifier);
          if (index < 0 || this.fateOf(call, index).kind !== 'server-start') return false;
        }
        if (fn.range[0] <= call.range[0] && call.range[1] <= fn.range[1]) return false;
        // `main(); process.exit(0)`: main runs up to its first await at start-up, and never after.
        const caller = this.of(call).kind;
        return caller === 'startup' || caller === 'exempt';
      })
    );
  }

  /**
   * An async IIFE run at start-up executes synchronously up to its first `await`:
   * `(async () => { const cfg = readFileSync(p); await serve(cfg); })()`.
   */
  private isInSyncPrefixOfStartupIife(fn: FunctionNode, node: TSESTree.Node): boolean {
    const position = positionOf(fn, this.fateOf);
    if (position.kind !== 'iife') return false;
    const outer = this.of(position.call);
    if (outer.kind !== 'startup') return false;
    const firstAwait = this.firstAwait(fn);
    if (!firstAwait) return true;
    if (node.range[1] > firstAwait.range[1]) return false;
    // A loop that awaits runs its later iterations after the suspension.
    for (let current = node.parent; current && current !== fn; current = current.parent) {
      if (isLoop(current) && current.range[0] <= firstAwait.range[0] && firstAwait.range[1] <= current.range[1]) return false;
    }
    return true;
  }

  private firstAwait(fn: FunctionNode): TSESTree.Node | null {
    let found = this.firstAwaits.get(fn);
    if (found === undefined) {
      found = findFirstSuspension(fn, this.visitorKeys);
      this.firstAwaits.set(fn, found);
    }
    return found;
  }
}

function anonymousName(fn: FunctionNode): string {
  const line = fn.loc.start.line;
  return fn.type === AST_NODE_TYPES.ArrowFunctionExpression ? `(arrow function at line ${line})` : `(function at line ${line})`;
}

/** The first `await` / `for await` in source order, not counting nested functions and classes. */
function findFirstSuspension(fn: FunctionNode, visitorKeys: TSESLint.SourceCode.VisitorKeys): TSESTree.Node | null {
  let best: TSESTree.Node | null = null;
  walk(fn.body, visitorKeys, (node) => {
    const isSuspension =
      node.type === AST_NODE_TYPES.AwaitExpression || (node.type === AST_NODE_TYPES.ForOfStatement && node.await);
    if (!isSuspension || (best && best.range[0] <= node.range[0])) return;
    if (insideNestedScope(node, fn)) return;
    best = node;
  });
  return best;
}

function insideNestedScope(node: TSESTree.Node, fn: FunctionNode): boolean {
  for (let current = node.parent; current && current !== fn; current = current.parent) {
    if (isFunctionNode(current) || isClassNode(current)) return true;
  }
  return false;
}
