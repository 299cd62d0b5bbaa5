import type * as ts from 'typescript';
import type { CostFactor } from '@agent-lag/catalog';
import type { ApiInfo } from './index.js';
import { skipOuterExpressions } from '../util/ts-expressions.js';

/*
 * The size-aware rule of cost.ts on TypeScript's AST, for analyses that see other files only through
 * the type checker (cross-file helpers). Same reading, the checker standing in for the scope manager: a
 * number is a literal, arithmetic on numbers, or anything the checker types as a number literal (a
 * `const` bound to one); an options object must be written at the call; anything else is not cheap.
 */

const TYPED_ARRAY_BYTES: Readonly<Record<string, number>> = {
  Int8Array: 1, Uint8Array: 1, Uint8ClampedArray: 1, Int16Array: 2, Uint16Array: 2, Int32Array: 4,
  Uint32Array: 4, Float32Array: 4, Float64Array: 8, BigInt64Array: 8, BigUint64Array: 8,
};

const BUFFER_ALLOCATORS: ReadonlySet<string> = new Set(['alloc', 'allocUnsafe', 'allocUnsafeSlow']);

/** True when the catalog bounds `api`'s cost and `node`'s arguments are constants within the bound. */
export function isCheapTsCall(
  typescript: typeof ts,
  checker: ts.TypeChecker,
  node: ts.CallExpression | ts.NewExpression,
  api: Pick<ApiInfo, 'cheapUpTo'>,
): boolean {
  const bound = api.cheapUpTo;
  const args = node.arguments ?? [];
  if (!bound || args.some((arg) => typescript.isSpreadElement(arg))) return false;
  const reader = new TsCostReader(typescript, checker);
  let product = 1;
  for (const factor of bound.factors) {
    const value = reader.factor(args, factor);
    if (value === undefined) return false;
    product *= value;
  }
  return product <= bound.max;
}

class TsCostReader {
  constructor(
    private readonly typescript: typeof ts,
    private readonly checker: ts.TypeChecker,
  ) {}

  factor(args: ts.NodeArray<ts.Expression> | readonly ts.Expression[], factor: CostFactor): number | undefined {
    const absent = () => (typeof factor.whenAbsent === 'object' ? this.factor(args, factor.whenAbsent) : factor.whenAbsent);
    const arg = args[factor.argument];
    if (!arg || (this.typescript.isIdentifier(arg) && arg.text === 'undefined')) return absent();
    let valueNode: ts.Expression = arg;
    if (factor.property) {
      const object = skipOuterExpressions(this.typescript, arg);
      if (!this.typescript.isObjectLiteralExpression(object)) return undefined;
      let found: ts.Expression | undefined;
      for (const property of object.properties) {
        if (!this.typescript.isPropertyAssignment(property)) return undefined;
        const name = this.typescript.isIdentifier(property.name) || this.typescript.isStringLiteral(property.name) ? property.name.text : undefined;
        if (name === undefined) return undefined;
        if (factor.property.includes(name)) found = property.initializer;
      }
      if (!found) return absent();
      valueNode = found;
    }
    const value = factor.read === 'buffer-bytes' ? this.bufferBytes(valueNode) : this.number(valueNode);
    return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
  }

  private number(node: ts.Expression): number | undefined {
    const ts = this.typescript;
    const inner = skipOuterExpressions(ts, node);
    if (ts.isNumericLiteral(inner)) return Number(inner.text);
    if (ts.isPrefixUnaryExpression(inner) && inner.operator === ts.SyntaxKind.MinusToken) {
      const value = this.number(inner.operand);
      return value === undefined ? undefined : -value;
    }
    if (ts.isBinaryExpression(inner)) {
      const left = this.number(inner.left);
      const right = left === undefined ? undefined : this.number(inner.right);
      if (left === undefined || right === undefined) return undefined;
      switch (inner.operatorToken.kind) {
        case ts.SyntaxKind.PlusToken: return left + right;
        case ts.SyntaxKind.MinusToken: return left - right;
        case ts.SyntaxKind.AsteriskToken: return left * right;
        case ts.SyntaxKind.SlashToken: return left / right;
        case ts.SyntaxKind.AsteriskAsteriskToken: return left ** right;
        case ts.SyntaxKind.LessThanLessThanToken: return left << right;
        default: return undefined;
      }
    }
    // `const N = 16`: the checker types N as the literal 16; a `let` or a parameter is `number`.
    const type = this.checker.getTypeAtLocation(inner);
    return type.isNumberLiteral() ? type.value : undefined;
  }

  private bufferBytes(node: ts.Expression): number | undefined {
    const ts = this.typescript;
    const inner = skipOuterExpressions(ts, node);
    if (ts.isCallExpression(inner)) {
      const callee = skipOuterExpressions(ts, inner.expression);
      if (!ts.isPropertyAccessExpression(callee) || !BUFFER_ALLOCATORS.has(callee.name.text)) return undefined;
      if (!this.isLibraryGlobal(callee.expression, 'Buffer')) return undefined;
      const size = inner.arguments[0];
      return size && !ts.isSpreadElement(size) ? this.number(size) : undefined;
    }
    if (ts.isNewExpression(inner)) {
      const callee = skipOuterExpressions(ts, inner.expression);
      const bytes = ts.isIdentifier(callee) ? TYPED_ARRAY_BYTES[callee.text] : undefined;
      const length = inner.arguments?.[0];
      if (bytes === undefined || !length || ts.isSpreadElement(length) || !this.isLibraryGlobal(callee, (callee as ts.Identifier).text)) {
        return undefined;
      }
      const count = this.number(length);
      return count === undefined ? undefined : count * bytes;
    }
    return undefined;
  }

  /** `Buffer` / `Uint8Array` declared by a library (lib.d.ts, @types/node), not a project local of that name. */
  private isLibraryGlobal(node: ts.Expression, name: string): boolean {
    if (!this.typescript.isIdentifier(node) || node.text !== name) return false;
    const symbol = this.checker.getSymbolAtLocation(node);
    const declarations = symbol?.declarations ?? [];
    return declarations.length > 0 && declarations.every((declaration) => declaration.getSourceFile().isDeclarationFile);
  }
}

