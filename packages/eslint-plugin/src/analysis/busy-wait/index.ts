import { ASTUtils, AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { isClassNode, isFunctionNode, isLoop, memberName, unwrapExpression } from '../context/ast.js';
import { walk } from '../../util/walk.js';

export interface BusyWait {
  /** The clock the loop spins on, as written in a report: `Date.now()`, `performance.now()`... */
  clock: string;
}

export type Loop = TSESTree.DoWhileStatement | TSESTree.ForStatement | TSESTree.WhileStatement;
type SourceCode = Readonly<TSESLint.SourceCode>;

/** Modules a clock global may also be imported from. */
const CLOCK_MODULES: Readonly<Record<string, readonly string[]>> = {
  performance: ['perf_hooks', 'node:perf_hooks'],
  process: ['process', 'node:process'],
};

/**
 * A busy-wait: a loop that spins until the clock says stop and never gives the event loop a turn.
 * The clock is read by the loop's condition (`while (Date.now() < end)`), through a variable the
 * loop updates (`while (now < end) now = Date.now()`), or, for `for (;;)` / `while (true)`, by an
 * `if` in the body that leaves the loop (`if (Date.now() > end) break`). Any `await`, `for await` or
 * `yield` in the loop gives the loop a turn, so such loops are not busy-waits.
 */
export function findBusyWait(loop: Loop, sourceCode: SourceCode): BusyWait | undefined {
  const clock = loopClock(loop, sourceCode);
  if (clock === undefined || suspends(loop, sourceCode.visitorKeys)) return undefined;
  return { clock };
}

function loopClock(loop: Loop, sourceCode: SourceCode): string | undefined {
  if (loop.test && !isConstantTrue(loop.test)) return readsClock(loop.test, loop, sourceCode);
  // for (;;) / while (true): look for the exit test in the body.
  let clock: string | undefined;
  walk(loop.body, sourceCode.visitorKeys, (node) => {
    if (clock !== undefined || node.type !== AST_NODE_TYPES.IfStatement || belongsToInnerScope(node, loop)) return;
    if (!leavesLoop(node.consequent, sourceCode)) return;
    clock = readsClock(node.test, loop, sourceCode);
  });
  return clock;
}

function isConstantTrue(test: TSESTree.Expression): boolean {
  return test.type === AST_NODE_TYPES.Literal && Boolean(test.value);
}

function leavesLoop(statement: TSESTree.Statement, sourceCode: SourceCode): boolean {
  let leaves = false;
  walk(statement, sourceCode.visitorKeys, (node) => {
    if (
      (node.type === AST_NODE_TYPES.BreakStatement && !node.label) ||
      node.type === AST_NODE_TYPES.ReturnStatement ||
      node.type === AST_NODE_TYPES.ThrowStatement
    ) {
      leaves = true;
    }
  });
  return leaves;
}

/** The clock `expression` reads, directly or through a variable that `loop` assigns from a clock. */
function readsClock(expression: TSESTree.Node, loop: Loop, sourceCode: SourceCode): string | undefined {
  const direct = clockIn(expression, sourceCode);
  if (direct !== undefined) return direct;
  let clock: string | undefined;
  walk(expression, sourceCode.visitorKeys, (node) => {
    if (clock !== undefined || node.type !== AST_NODE_TYPES.Identifier) return;
    const variable = ASTUtils.findVariable(sourceCode.getScope(node), node);
    for (const reference of variable?.references ?? []) {
      const written = reference.writeExpr;
      if (!written || !within(reference.identifier, loop)) continue;
      clock = clockIn(written, sourceCode);
      if (clock !== undefined) return;
    }
  });
  return clock;
}

function within(node: TSESTree.Node, outer: TSESTree.Node): boolean {
  return outer.range[0] <= node.range[0] && node.range[1] <= outer.range[1];
}

/** The first clock read inside `root`, as text for the report. */
function clockIn(root: TSESTree.Node, sourceCode: SourceCode): string | undefined {
  let clock: string | undefined;
  walk(root, sourceCode.visitorKeys, (node) => {
    if (clock === undefined) clock = clockRead(node, sourceCode);
  });
  return clock;
}

function clockRead(node: TSESTree.Node, sourceCode: SourceCode): string | undefined {
  if (node.type === AST_NODE_TYPES.NewExpression) {
    const callee = unwrapExpression(node.callee);
    if (callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Date' && node.arguments.length === 0 && isGlobal(callee, sourceCode)) {
      return 'new Date()';
    }
    return undefined;
  }
  if (node.type !== AST_NODE_TYPES.CallExpression) return undefined;
  const callee = unwrapExpression(node.callee);
  if (callee.type === AST_NODE_TYPES.Identifier) {
    return callee.name === 'Date' && isGlobal(callee, sourceCode) ? 'Date()' : undefined;
  }
  if (callee.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const name = memberName(callee);
  const object = unwrapExpression(callee.object);
  if (object.type === AST_NODE_TYPES.Identifier) {
    const clock =
      name === 'now' && (object.name === 'Date' || object.name === 'performance')
        ? `${object.name}.now()`
        : name === 'hrtime' && object.name === 'process'
          ? 'process.hrtime()'
          : undefined;
    return clock !== undefined && isGlobal(object, sourceCode) ? clock : undefined;
  }
  // process.hrtime.bigint()
  if (name === 'bigint' && object.type === AST_NODE_TYPES.MemberExpression && memberName(object) === 'hrtime') {
    const root = unwrapExpression(object.object);
    if (root.type === AST_NODE_TYPES.Identifier && root.name === 'process' && isGlobal(root, sourceCode)) return 'process.hrtime.bigint()';
  }
  return undefined;
}

/** The global (or its import from the module that also exports it), not a local of the same name. */
function isGlobal(identifier: TSESTree.Identifier, sourceCode: SourceCode): boolean {
  const variable = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier);
  if (!variable || variable.defs.length === 0) return true;
  const definition = variable.defs[0];
  const modules = CLOCK_MODULES[identifier.name];
  if (!definition || !modules || definition.node.type !== AST_NODE_TYPES.ImportSpecifier) return false;
  const declaration = definition.node.parent;
  return (
    declaration.type === AST_NODE_TYPES.ImportDeclaration &&
    modules.includes(declaration.source.value) &&
    ASTUtils.isIdentifier(definition.node.imported) &&
    definition.node.imported.name === identifier.name
  );
}

/** Whether the loop ever hands the event loop a turn: an `await`, `for await` or `yield` of its own. */
function suspends(loop: Loop, visitorKeys: TSESLint.SourceCode.VisitorKeys): boolean {
  const stack: TSESTree.Node[] = [loop];
  // A hand-rolled walk so that nested functions and classes (whose awaits are not the loop's) are skipped.
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node !== loop && (isFunctionNode(node) || isClassNode(node))) continue;
    if (
      node.type === AST_NODE_TYPES.AwaitExpression ||
      node.type === AST_NODE_TYPES.YieldExpression ||
      (node.type === AST_NODE_TYPES.ForOfStatement && node.await)
    ) {
      return true;
    }
    for (const key of visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) {
        for (const item of child as (TSESTree.Node | null)[]) if (item) stack.push(item);
      } else if (child && typeof (child as TSESTree.Node).type === 'string') stack.push(child as TSESTree.Node);
    }
  }
  return false;
}

function belongsToInnerScope(node: TSESTree.Node, loop: Loop): boolean {
  for (let current = node.parent; current && current !== loop; current = current.parent) {
    if (isFunctionNode(current) || isClassNode(current) || isLoop(current)) return true;
  }
  return false;
}
