import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import { TSESLint } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import type { CostFactor } from '@agent-lag/catalog';
import type { BlockingCall } from '../analysis/engine.js';
import { staticName, unwrapExpression } from '../analysis/context/ast.js';

/*
 * Size-aware catalog entries (`cheapUpTo`): `randomBytes(16)` takes microseconds and is not reported;
 * `randomBytes(n)` is, unless `n` is a constant within the bound. A number counts only when it is a
 * constant at the call site: a literal, simple arithmetic on literals (`64 * 1024`, `2 ** 14`), or a
 * `const` bound to one, resolved through the scope manager (a `let`, a parameter or a call is not).
 */

type SourceCode = Readonly<TSESLint.SourceCode>;

/** Bytes per element of the typed arrays whose length `new X(n)` sets. */
const TYPED_ARRAY_BYTES: Readonly<Record<string, number>> = {
  Int8Array: 1, Uint8Array: 1, Uint8ClampedArray: 1, Int16Array: 2, Uint16Array: 2, Int32Array: 4,
  Uint32Array: 4, Float32Array: 4, Float64Array: 8, BigInt64Array: 8, BigUint64Array: 8,
};

const BUFFER_ALLOCATORS: ReadonlySet<string> = new Set(['alloc', 'allocUnsafe', 'allocUnsafeSlow']);
const BUFFER_MODULES: ReadonlySet<string> = new Set(['buffer', 'node:buffer']);

// `const A = B; const B = A` cannot happen (TDZ), but a chain of consts is bounded all the same.
const MAX_DEPTH = 8;

/** True when the catalog bounds `call`'s cost and its arguments are constants within the bound. */
export function isCheapCall(sourceCode: SourceCode, call: BlockingCall): boolean {
  const bound = call.api.cheapUpTo;
  if (!bound) return false;
  const args = argumentsOf(call);
  if (!args || args.some((arg) => arg.type === AST_NODE_TYPES.SpreadElement)) return false;
  let product = 1;
  for (const factor of bound.factors) {
    const value = readFactor(sourceCode, args, factor);
    if (value === undefined) return false;
    product *= value;
  }
  return product <= bound.max;
}

/** The arguments the blocking function receives: shifted by `.call(thisArg, …)`; unknown through `.apply` or as a value. */
function argumentsOf(call: BlockingCall): readonly TSESTree.CallExpressionArgument[] | undefined {
  if (call.via === 'call' || call.via === 'new') return call.node.arguments;
  if (call.via === 'indirect-call') {
    const callee = unwrapExpression(call.node.callee);
    const method = callee.type === AST_NODE_TYPES.MemberExpression ? staticName(callee.property, callee.computed) : undefined;
    return method === 'call' ? call.node.arguments.slice(1) : undefined;
  }
  return undefined;
}

function readFactor(sourceCode: SourceCode, args: readonly TSESTree.CallExpressionArgument[], factor: CostFactor): number | undefined {
  const absent = () =>
    typeof factor.whenAbsent === 'object' ? readFactor(sourceCode, args, factor.whenAbsent) : factor.whenAbsent;
  const arg = args[factor.argument];
  if (!arg || isUndefined(arg)) return absent();
  let valueNode: TSESTree.Node = arg;
  if (factor.property) {
    const object = constantObject(sourceCode, arg);
    if (!object) return undefined;
    const property = findProperty(object, factor.property);
    if (property === null) return undefined;
    if (property === undefined) return absent();
    valueNode = property;
  }
  const value = factor.read === 'buffer-bytes' ? bufferBytes(sourceCode, valueNode, 0) : constantNumber(sourceCode, valueNode, 0);
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function isUndefined(node: TSESTree.Node): boolean {
  const inner = unwrapExpression(node);
  return inner.type === AST_NODE_TYPES.Identifier && inner.name === 'undefined';
}

/**
 * The value of the last property named one of `names` (`{ N: 1024 }`); `undefined` when none is there,
 * `null` when it cannot be told (a spread, a computed key).
 */
function findProperty(object: TSESTree.ObjectExpression, names: readonly string[]): TSESTree.Node | null | undefined {
  let found: TSESTree.Node | undefined;
  for (const property of object.properties) {
    if (property.type === AST_NODE_TYPES.SpreadElement) return null;
    const key = staticName(property.key, property.computed);
    if (key === undefined) return null;
    if (names.includes(key)) found = property.value;
  }
  return found;
}

/** The initialiser of a `const` binding (`const N = 1024`), not destructured, seen from `identifier`. */
function constInit(sourceCode: SourceCode, identifier: TSESTree.Identifier): TSESTree.Expression | undefined {
  const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
  const def = variable?.defs.length === 1 ? variable.defs[0] : undefined;
  if (def?.type !== TSESLint.Scope.DefinitionType.Variable || def.parent.kind !== 'const') return undefined;
  const declarator = def.node;
  return declarator.id.type === AST_NODE_TYPES.Identifier && declarator.init ? declarator.init : undefined;
}

/** An object literal at `node` or bound to a `const` that nothing writes a property of. */
function constantObject(sourceCode: SourceCode, node: TSESTree.Node): TSESTree.ObjectExpression | undefined {
  const inner = unwrapExpression(node);
  if (inner.type === AST_NODE_TYPES.ObjectExpression) return inner;
  if (inner.type !== AST_NODE_TYPES.Identifier) return undefined;
  const init = constInit(sourceCode, inner);
  const object = init && unwrapExpression(init);
  if (object?.type !== AST_NODE_TYPES.ObjectExpression) return undefined;
  const variable = ASTUtils.findVariable(sourceCode.getScope(inner), inner);
  const written = variable?.references.some((reference) => {
    const parent = reference.identifier.parent;
    return parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === reference.identifier && isWriteTarget(parent);
  });
  return written === false ? object : undefined;
}

function isWriteTarget(node: TSESTree.MemberExpression): boolean {
  const parent = node.parent;
  return (
    (parent.type === AST_NODE_TYPES.AssignmentExpression && parent.left === node) ||
    (parent.type === AST_NODE_TYPES.UpdateExpression && parent.argument === node) ||
    (parent.type === AST_NODE_TYPES.UnaryExpression && parent.operator === 'delete')
  );
}

/** A number literal, arithmetic on constants, or a `const` bound to one. */
function constantNumber(sourceCode: SourceCode, node: TSESTree.Node, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const inner = unwrapExpression(node);
  switch (inner.type) {
    case AST_NODE_TYPES.Literal:
      return typeof inner.value === 'number' ? inner.value : undefined;
    case AST_NODE_TYPES.Identifier: {
      const init = constInit(sourceCode, inner);
      return init && constantNumber(sourceCode, init, depth + 1);
    }
    case AST_NODE_TYPES.UnaryExpression: {
      const value = inner.operator === '+' || inner.operator === '-' ? constantNumber(sourceCode, inner.argument, depth + 1) : undefined;
      return value === undefined ? undefined : inner.operator === '-' ? -value : value;
    }
    case AST_NODE_TYPES.BinaryExpression: {
      if (inner.left.type === AST_NODE_TYPES.PrivateIdentifier) return undefined;
      const left = constantNumber(sourceCode, inner.left, depth + 1);
      const right = left === undefined ? undefined : constantNumber(sourceCode, inner.right, depth + 1);
      if (left === undefined || right === undefined) return undefined;
      switch (inner.operator) {
        case '+': return left + right;
        case '-': return left - right;
        case '*': return left * right;
        case '/': return left / right;
        case '**': return left ** right;
        case '<<': return left << right;
        default: return undefined;
      }
    }
    default:
      return undefined;
  }
}

/** The byte length of a buffer allocated at `node` (or bound to a `const` there): `Buffer.alloc(n)`, `new Uint8Array(n)`. */
function bufferBytes(sourceCode: SourceCode, node: TSESTree.Node, depth: number): number | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const inner = unwrapExpression(node);
  if (inner.type === AST_NODE_TYPES.Identifier) {
    const init = constInit(sourceCode, inner);
    return init && bufferBytes(sourceCode, init, depth + 1);
  }
  if (inner.type === AST_NODE_TYPES.CallExpression) {
    const callee = unwrapExpression(inner.callee);
    if (
      callee.type !== AST_NODE_TYPES.MemberExpression ||
      !BUFFER_ALLOCATORS.has(staticName(callee.property, callee.computed) ?? '') ||
      !isGlobalOrImported(sourceCode, callee.object, 'Buffer')
    ) {
      return undefined;
    }
    const size = inner.arguments[0];
    return size && size.type !== AST_NODE_TYPES.SpreadElement ? constantNumber(sourceCode, size, depth + 1) : undefined;
  }
  if (inner.type === AST_NODE_TYPES.NewExpression) {
    const callee = unwrapExpression(inner.callee);
    const bytes = callee.type === AST_NODE_TYPES.Identifier ? TYPED_ARRAY_BYTES[callee.name] : undefined;
    const length = inner.arguments[0];
    if (bytes === undefined || !length || length.type === AST_NODE_TYPES.SpreadElement || !isGlobalOrImported(sourceCode, callee, callee.type === AST_NODE_TYPES.Identifier ? callee.name : '')) {
      return undefined;
    }
    const count = constantNumber(sourceCode, length, depth + 1);
    return count === undefined ? undefined : count * bytes;
  }
  return undefined;
}

/** `Buffer` (or a typed array) as the global, or imported from `node:buffer`: not a local of that name. */
function isGlobalOrImported(sourceCode: SourceCode, node: TSESTree.Node, name: string): boolean {
  const inner = unwrapExpression(node);
  if (inner.type !== AST_NODE_TYPES.Identifier || inner.name !== name) return false;
  const variable = ASTUtils.findVariable(sourceCode.getScope(inner), inner);
  if (!variable || variable.defs.length === 0) return true;
  return variable.defs.every(
    (def) => def.type === TSESLint.Scope.DefinitionType.ImportBinding && def.parent.type === AST_NODE_TYPES.ImportDeclaration && BUFFER_MODULES.has(def.parent.source.value),
  );
}
