import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { normalizeModuleName } from '@agent-lag/catalog';
import type { BlockingCall } from '../analysis/engine.js';
import { enclosingFunction } from '../util/functions.js';
import { addBindings, findExistingBinding, isNameTaken, type NeededBinding } from './imports.js';

type SourceCode = Readonly<TSESLint.SourceCode>;

/** A suggestion ready for `context.report({ suggest })`. */
export interface AsyncSuggestion {
  readonly messageId: 'useAsyncEquivalent';
  readonly data: { readonly replacement: string; readonly module: string };
  readonly fix: TSESLint.ReportFixFunction;
}

/** `await x` must be parenthesised where it is the object, callee, tag or `**` base. */
function needsParentheses(node: TSESTree.Node): boolean {
  const parent = node.parent;
  switch (parent?.type) {
    case AST_NODE_TYPES.MemberExpression:
      return parent.object === node;
    case AST_NODE_TYPES.CallExpression:
    case AST_NODE_TYPES.NewExpression:
      return parent.callee === node;
    case AST_NODE_TYPES.TaggedTemplateExpression:
      return parent.tag === node;
    case AST_NODE_TYPES.BinaryExpression:
      return parent.operator === '**' && parent.left === node;
    default:
      return false;
  }
}

/**
 * Resolves a module-level name for `binding`: an existing import, or a new one when the name is free.
 * Undefined when the name is taken by something else (the suggestion is then not offered).
 */
function bindingName(sourceCode: SourceCode, at: TSESTree.Node, binding: NeededBinding, missing: NeededBinding[]) {
  const existing = findExistingBinding(sourceCode.ast, binding);
  if (existing !== undefined) return existing;
  if (isNameTaken(sourceCode, at, binding.name)) return undefined;
  missing.push(binding);
  return binding.name;
}

/** `fs.gzipSync` where `fs` is the module object itself: `fs.gzip` reuses it without a new import. */
function sameModuleMember(call: BlockingCall, asyncModule: string, asyncName: string, sourceCode: SourceCode) {
  const reference = call.reference;
  if (
    call.specifier === null ||
    call.path.length !== 1 ||
    normalizeModuleName(call.specifier) !== normalizeModuleName(asyncModule) ||
    reference.type !== AST_NODE_TYPES.MemberExpression ||
    reference.computed ||
    reference.optional ||
    reference.object.type !== AST_NODE_TYPES.Identifier
  ) {
    return undefined;
  }
  return `${sourceCode.getText(reference.object)}.${asyncName}`;
}

/**
 * The `await` form of a blocking call, where the catalog names an async equivalent with the same
 * meaning and the call sits directly in an async function (a sync callback cannot await).
 */
export function suggestAsyncEquivalent(sourceCode: SourceCode, call: BlockingCall): AsyncSuggestion | undefined {
  const equivalent = call.api.asyncEquivalent;
  const node = call.node;
  if (!equivalent || call.via !== 'call' || node.type !== AST_NODE_TYPES.CallExpression) return undefined;
  if (node.optional || node.parent.type === AST_NODE_TYPES.ChainExpression || call.reference !== node.callee) {
    return undefined;
  }
  if (!enclosingFunction(node)?.async) return undefined;

  const missing: NeededBinding[] = [];
  let callee: string | undefined;
  if (equivalent.style === 'promise') {
    callee = bindingName(sourceCode, node, { module: equivalent.module, name: equivalent.name }, missing);
  } else {
    const fn =
      sameModuleMember(call, equivalent.module, equivalent.name, sourceCode) ??
      bindingName(sourceCode, node, { module: equivalent.module, name: equivalent.name }, missing);
    const promisify = bindingName(sourceCode, node, { module: 'node:util', name: 'promisify' }, missing);
    callee = fn !== undefined && promisify !== undefined ? `${promisify}(${fn})` : undefined;
  }
  if (callee === undefined) return undefined;

  const openParen = sourceCode.getTokenAfter(node.typeArguments ?? node.callee, ASTUtils.isOpeningParenToken);
  const closeParen = sourceCode.getLastToken(node);
  if (!openParen || !closeParen) return undefined;
  const argumentsText = sourceCode.text.slice(openParen.range[1], closeParen.range[0]);
  const alreadyAwaited = node.parent.type === AST_NODE_TYPES.AwaitExpression;
  let text = `${alreadyAwaited ? '' : 'await '}${callee}(${argumentsText})`;
  if (!alreadyAwaited && needsParentheses(node) && !ASTUtils.isParenthesized(node, sourceCode)) text = `(${text})`;

  // The message names what the fix writes (an existing alias, `promisify(crypto.scrypt)`), not the catalog's name.
  return {
    messageId: 'useAsyncEquivalent',
    data: { replacement: callee, module: equivalent.module },
    fix: (fixer) => {
      const fixes = [fixer.replaceText(node, text)];
      const imports = addBindings(sourceCode, fixer, missing);
      if (imports) fixes.unshift(imports);
      return fixes;
    },
  };
}
