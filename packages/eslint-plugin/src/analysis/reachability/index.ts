import { ASTUtils, AST_NODE_TYPES, TSESLint } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { isClassNode, isFunctionNode, memberName, unwrapExpression } from '../context/ast.js';
import type { ClassNode, FunctionNode } from '../context/ast.js';
import type { SituationAnalysis } from '../context/situation.js';
import { walk } from '../../util/walk.js';

/** A function, method or class (its constructor and field initialisers) that code in the file can call. */
export type Unit = FunctionNode | ClassNode;

export interface Reachability {
  /** The event-loop code that (transitively) calls `unit`, if any: "async function runTool". */
  callerOf(unit: Unit): string | undefined;
}

type Site =
  | { kind: 'call'; node: TSESTree.CallExpression | TSESTree.NewExpression; target: Unit }
  | { kind: 'value'; call: TSESTree.CallExpression | TSESTree.NewExpression; index: number; target: Unit };

/**
 * Same-file call graph, built in one walk when first asked. Calls are resolved through the scope
 * manager (so declaration order, hoisting and shadowing are handled), plus `this.method()` inside a
 * class or object literal, `Name.method()` on a local class (its static methods) or object literal, and
 * `store.method()` on a `const store = new Store()` of a local class (its instance methods). A helper passed as a
 * value (`setTimeout(flush)`, `items.map(load)`) counts as called where the callback would be.
 */
export function buildReachability(sourceCode: Readonly<TSESLint.SourceCode>, situations: SituationAnalysis): Reachability {
  const sites = collectSites(sourceCode);
  const edges = new Map<Unit, Unit[]>();
  const reached = new Map<Unit, string>();
  const queue: Unit[] = [];

  const reach = (target: Unit, caller: string): void => {
    if (reached.has(target)) return;
    reached.set(target, caller);
    queue.push(target);
  };

  for (const site of sites) {
    let situation;
    if (site.kind === 'call') situation = situations.of(site.node);
    else {
      const fate = situations.fateOf(site.call, site.index);
      // A named function handed to an unknown API may only be stored, wrapped or inspected
      // (`inherits(Ctor, Base)`, `promisify(fn)`): only known callback positions count.
      if (fate.kind === 'exempt' || (fate.kind === 'deferred' && !fate.known)) continue;
      situation = fate.kind === 'deferred' ? { kind: 'event-loop' as const, owner: fate.owner } : situations.of(site.call);
    }
    if (situation.kind === 'event-loop') reach(site.target, situation.owner);
    else if (situation.kind === 'sync-function') {
      const list = edges.get(situation.unit);
      if (list) list.push(site.target);
      else edges.set(situation.unit, [site.target]);
    }
  }
  for (let unit = queue.shift(); unit; unit = queue.shift()) {
    const caller = reached.get(unit) ?? '';
    for (const next of edges.get(unit) ?? []) reach(next, caller);
  }
  return { callerOf: (unit) => reached.get(unit) };
}

function collectSites(sourceCode: Readonly<TSESLint.SourceCode>): Site[] {
  const sites: Site[] = [];
  walk(sourceCode.ast, sourceCode.visitorKeys, (node) => {
    if (node.type !== AST_NODE_TYPES.CallExpression && node.type !== AST_NODE_TYPES.NewExpression) return;
    const target = resolveCallee(sourceCode, node.callee, node.type === AST_NODE_TYPES.NewExpression);
    if (target) sites.push({ kind: 'call', node, target });
    node.arguments.forEach((argument, index) => {
      if (argument.type !== AST_NODE_TYPES.Identifier && argument.type !== AST_NODE_TYPES.MemberExpression) return;
      const value = resolveCallee(sourceCode, argument, false);
      if (value) sites.push({ kind: 'value', call: node, index, target: value });
    });
  });
  // Source order, so that a helper reached from several places names the first caller.
  return sites.sort((a, b) => siteStart(a) - siteStart(b));
}

function siteStart(site: Site): number {
  return site.kind === 'call' ? site.node.range[0] : site.call.range[0];
}

/** The same-file unit a callee expression refers to, if it is one. */
function resolveCallee(sourceCode: Readonly<TSESLint.SourceCode>, callee: TSESTree.Node, construct: boolean): Unit | undefined {
  const inner = unwrapExpression(callee);
  if (inner.type === AST_NODE_TYPES.Identifier) {
    const definition = resolveIdentifier(sourceCode, inner);
    if (!definition) return undefined;
    if (isFunctionNode(definition)) return construct ? undefined : definition;
    return construct && isClassNode(definition) ? definition : undefined;
  }
  if (inner.type !== AST_NODE_TYPES.MemberExpression || construct) return undefined;
  const name = memberName(inner);
  if (name === undefined) return undefined;
  const object = unwrapExpression(inner.object);
  if (object.type === AST_NODE_TYPES.ThisExpression) {
    const container = thisContainer(inner);
    return container && findMember(sourceCode, container, name, 'any');
  }
  if (object.type !== AST_NODE_TYPES.Identifier) return undefined;
  const container = resolveIdentifier(sourceCode, object);
  if (container) return findMember(sourceCode, container, name, 'static');
  const instanceOf = constructedClass(sourceCode, object);
  return instanceOf && findMember(sourceCode, instanceOf, name, 'instance');
}

/** The local class a name is bound to an instance of: `const store = new Store()`, never written again. */
function constructedClass(sourceCode: Readonly<TSESLint.SourceCode>, identifier: TSESTree.Identifier): ClassNode | undefined {
  const init = neverReassignedInit(sourceCode, identifier);
  if (init?.type !== AST_NODE_TYPES.NewExpression) return undefined;
  const callee = unwrapExpression(init.callee);
  if (callee.type !== AST_NODE_TYPES.Identifier) return undefined;
  const constructed = resolveIdentifier(sourceCode, callee);
  return constructed && isClassNode(constructed) ? constructed : undefined;
}

/** What a local name is bound to: a function, a class, an object literal (through `const x = ...`). */
function resolveIdentifier(sourceCode: Readonly<TSESLint.SourceCode>, identifier: TSESTree.Identifier): TSESTree.Node | undefined {
  const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (!definition) return undefined;
  const node = definition.node as TSESTree.Node;
  if (definition.type === TSESLint.Scope.DefinitionType.FunctionName || definition.type === TSESLint.Scope.DefinitionType.ClassName) {
    return isFunctionNode(node) || isClassNode(node) ? node : undefined;
  }
  const init = neverReassignedInit(sourceCode, identifier);
  return init && (isFunctionNode(init) || isClassNode(init) || init.type === AST_NODE_TYPES.ObjectExpression) ? init : undefined;
}

/** The initialiser of the variable a name refers to (`const x = ...`), when it is never written again. */
function neverReassignedInit(sourceCode: Readonly<TSESLint.SourceCode>, identifier: TSESTree.Identifier): TSESTree.Node | undefined {
  const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
  const definition = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (definition?.type !== TSESLint.Scope.DefinitionType.Variable) return undefined;
  const node = definition.node as TSESTree.Node;
  if (node.type !== AST_NODE_TYPES.VariableDeclarator || node.id.type !== AST_NODE_TYPES.Identifier || !node.init) return undefined;
  // A `let` reassigned later could be anything; only trust bindings that are never written again.
  if (variable!.references.some((reference) => reference.isWrite() && reference.identifier !== node.id)) return undefined;
  return unwrapExpression(node.init);
}

/** The class or object literal `this` refers to at `node`, when it is one written in this file. */
function thisContainer(node: TSESTree.Node): TSESTree.Node | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === AST_NODE_TYPES.PropertyDefinition || current.type === AST_NODE_TYPES.StaticBlock) {
      return current.parent.parent;
    }
    if (current.type === AST_NODE_TYPES.FunctionDeclaration) return undefined;
    if (current.type === AST_NODE_TYPES.FunctionExpression) {
      const parent = current.parent;
      if (parent.type === AST_NODE_TYPES.MethodDefinition) return parent.parent.parent;
      if (parent.type === AST_NODE_TYPES.Property && parent.parent.type === AST_NODE_TYPES.ObjectExpression) return parent.parent;
      return undefined;
    }
  }
  return undefined;
}

/** Classes a member is looked up through: the class, then its local base classes. */
const MAX_CLASS_CHAIN = 8;

/**
 * The method `name` of a local class or object literal, a class's own or inherited from a base class
 * written in this file. `side`: a class's static members (through its name), its instance members
 * (through an instance), or either (through `this`).
 */
function findMember(sourceCode: Readonly<TSESLint.SourceCode>, container: TSESTree.Node, name: string, side: 'static' | 'instance' | 'any'): Unit | undefined {
  if (isClassNode(container)) {
    let current: ClassNode | undefined = container;
    for (let depth = 0; current !== undefined && depth < MAX_CLASS_CHAIN; depth++) {
      const own = ownMethod(current, name, side);
      if (own !== undefined) return own;
      current = localBaseClass(sourceCode, current);
    }
    return undefined;
  }
  if (container.type === AST_NODE_TYPES.ObjectExpression) {
    for (const property of container.properties) {
      if (property.type !== AST_NODE_TYPES.Property || property.kind !== 'init') continue;
      if (memberKey(property) !== name) continue;
      const value = unwrapExpression(property.value);
      if (isFunctionNode(value)) return value;
    }
  }
  return undefined;
}

/** The class's own method `name` on `side` (an overload's signature passed over for its body). */
function ownMethod(klass: ClassNode, name: string, side: 'static' | 'instance' | 'any'): Unit | undefined {
  for (const member of klass.body.body) {
    if (member.type !== AST_NODE_TYPES.MethodDefinition && member.type !== AST_NODE_TYPES.PropertyDefinition) continue;
    if (member.type === AST_NODE_TYPES.MethodDefinition && member.kind !== 'method') continue;
    if (side !== 'any' && member.static !== (side === 'static')) continue;
    if (memberKey(member) !== name || !member.value) continue;
    const value = unwrapExpression(member.value);
    if (isFunctionNode(value)) return value;
  }
  return undefined;
}

/** The class `klass` extends, when it is a class written in this file (`class Sub extends Base`). */
function localBaseClass(sourceCode: Readonly<TSESLint.SourceCode>, klass: ClassNode): ClassNode | undefined {
  const base = klass.superClass && unwrapExpression(klass.superClass);
  if (base?.type !== AST_NODE_TYPES.Identifier) return undefined;
  const resolved = resolveIdentifier(sourceCode, base);
  return resolved && isClassNode(resolved) ? resolved : undefined;
}

function memberKey(member: TSESTree.MethodDefinition | TSESTree.Property | TSESTree.PropertyDefinition): string | undefined {
  if (member.key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${member.key.name}`;
  if (!member.computed && member.key.type === AST_NODE_TYPES.Identifier) return member.key.name;
  if (member.key.type === AST_NODE_TYPES.Literal) return String(member.key.value);
  return undefined;
}
