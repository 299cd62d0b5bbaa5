import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { isClassNode, isFunctionNode, isLoop, memberName, outerExpression, stringValue, unwrapExpression } from './ast.js';
import { pushChildren } from '../../util/walk.js';

/**
 * Exit paths: code after which the process ends before the event loop turns again.
 *
 * A blocking call there starves nothing: whatever waits on the loop would never run anyway. Writing
 * `./error.log` synchronously before `process.exit(1)` is the right call (the same as in an `'exit'`
 * listener). A node is on an exit path when, within its own function, every way on from it reaches a
 * statement that ends the process, with no `await`/`yield` in between (a suspension lets the loop
 * turn) and no `return`, `break`, `continue` or `throw` that could leave the way first. Calls that
 * throw are not ways on: a throwing `writeFileSync` ends the path either way.
 *
 * A statement ends the process when it is (see docs/context.md):
 * - `process.exit(…)` or `process.abort()` (also `return process.exit(1)`, `void process.exit()`),
 *   where `process` is the global or an import of `node:process`;
 * - a `throw` directly in a `process.on('uncaughtException', …)` listener, outside any `try` with a
 *   `catch`: Node ends the process with code 7 when that listener throws;
 * - a block, `if`/`else` or `try` all of whose ways end the process.
 * Not: `process.exitCode = 1` (the process lives on), `process.kill(…)`, an exit on one branch only,
 * an exit inside a nested callback, an exit in a helper function (`die()`; calls are not followed).
 */

type StatementList = TSESTree.Statement[] | TSESTree.ProgramStatement[];

/** What happens after a statement list's statement `i` when it starts: ends the process, falls off the end, or neither for sure. */
type Outcome = 'exits' | 'falls-through' | 'unknown';

const PROCESS_MODULES: ReadonlySet<string> = new Set(['process', 'node:process']);
const EXIT_METHODS: ReadonlySet<string> = new Set(['exit', 'abort']);
const EMITTER_METHODS: ReadonlySet<string> = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

// Cheap test before any walk: most files never end the process themselves.
const MAY_EXIT = /\b(?:exit|abort|uncaughtException)\b/;

export class ExitPathAnalysis {
  private readonly enabled: boolean;
  private readonly completes = new Map<TSESTree.Node, boolean>();
  private readonly outcomes = new Map<StatementList, Map<boolean, Outcome[]>>();
  private readonly processRefs = new Map<TSESTree.Identifier, boolean>();

  constructor(private readonly sourceCode: Readonly<TSESLint.SourceCode>) {
    this.enabled = MAY_EXIT.test(sourceCode.text);
  }

  /** True when the process surely ends after `node` runs, before the event loop turns again. */
  endsProcessAfter(node: TSESTree.Node): boolean {
    if (!this.enabled) return false;
    // Where a function declaration stands says nothing about when it runs: it is hoisted.
    if (node.type === AST_NODE_TYPES.FunctionDeclaration) return false;
    let child: TSESTree.Node = node;
    let statement: TSESTree.Node | undefined;
    // Up to the innermost statement around the node: the rest of its expression runs first.
    for (let current = node.parent; current; child = current, current = current.parent) {
      if (this.isExitCall(current) && child !== current.callee) return true;
      if (isFunctionNode(current) || isClassNode(current)) return false;
      if (isStatement(current)) {
        statement = current;
        break;
      }
    }
    if (!statement) return false;
    const throwEnds = this.throwEndsProcessAt(statement);
    if (this.exits(statement, throwEnds)) return true;
    if (!this.completesNormally(statement)) return false;
    return this.endsAfterStatement(statement);
  }

  /** What runs once `statement` has completed normally ends the process. */
  private endsAfterStatement(start: TSESTree.Node): boolean {
    let child = start;
    for (let parent = child.parent; parent; child = parent, parent = parent.parent) {
      switch (parent.type) {
        case AST_NODE_TYPES.Program:
        case AST_NODE_TYPES.BlockStatement:
        case AST_NODE_TYPES.StaticBlock: {
          const body = parent.body;
          const index = (body as TSESTree.Node[]).indexOf(child);
          const outcome = this.outcomeFrom(body, index + 1, this.throwEndsProcessAt(parent));
          if (outcome !== 'falls-through') return outcome === 'exits';
          // Falling off a nested block goes on after it; off a function's body (the next parent), the
          // program or a static block, the caller's code runs next: not followed.
          if (parent.type !== AST_NODE_TYPES.BlockStatement) return false;
          continue;
        }
        case AST_NODE_TYPES.SwitchCase: {
          const index = parent.consequent.indexOf(child as TSESTree.Statement);
          if (index < 0) return false;
          // The rest of this case, then the cases it falls into, up to a `break` (which goes on after the switch).
          const cases = parent.parent.cases;
          const rest = [
            ...parent.consequent.slice(index + 1),
            ...cases.slice(cases.indexOf(parent) + 1).flatMap((next) => next.consequent),
          ];
          const breakAt = rest.findIndex((statement) => statement.type === AST_NODE_TYPES.BreakStatement && !statement.label);
          const outcome = this.sequenceOutcome(breakAt < 0 ? rest : rest.slice(0, breakAt), this.throwEndsProcessAt(parent));
          if (outcome !== 'falls-through') return outcome === 'exits';
          return this.endsAfterStatement(parent.parent);
        }
        case AST_NODE_TYPES.IfStatement:
        case AST_NODE_TYPES.LabeledStatement:
        case AST_NODE_TYPES.CatchClause:
        case AST_NODE_TYPES.ExportNamedDeclaration:
        case AST_NODE_TYPES.ExportDefaultDeclaration:
          continue;
        case AST_NODE_TYPES.TryStatement: {
          if (child !== parent.finalizer && parent.finalizer) {
            const throwEnds = this.throwEndsProcessAt(parent);
            if (this.exits(parent.finalizer, throwEnds)) return true;
            if (!this.completesNormally(parent.finalizer)) return false;
          }
          continue;
        }
        default:
          // A loop runs its body again (fine, if nothing in it leaves or suspends), then goes on after it.
          if (isLoop(parent)) {
            if (!this.completesNormally(parent)) return false;
            continue;
          }
          return false;
      }
    }
    return false;
  }

  /** The outcome of running `body` from `index` on; computed once per list, from its end. */
  private outcomeFrom(body: StatementList, index: number, throwEnds: boolean): Outcome {
    let byThrow = this.outcomes.get(body);
    if (!byThrow) {
      byThrow = new Map();
      this.outcomes.set(body, byThrow);
    }
    let outcomes = byThrow.get(throwEnds);
    if (!outcomes) {
      outcomes = new Array<Outcome>(body.length + 1);
      outcomes[body.length] = 'falls-through';
      for (let i = body.length - 1; i >= 0; i--) {
        const statement = body[i]!;
        outcomes[i] = this.exits(statement, throwEnds) ? 'exits' : this.completesNormally(statement) ? outcomes[i + 1]! : 'unknown';
      }
      byThrow.set(throwEnds, outcomes);
    }
    return outcomes[index] ?? 'falls-through';
  }

  private sequenceOutcome(statements: readonly TSESTree.Node[], throwEnds: boolean): Outcome {
    for (const statement of statements) {
      if (this.exits(statement, throwEnds)) return 'exits';
      if (!this.completesNormally(statement)) return 'unknown';
    }
    return 'falls-through';
  }

  /** True when every way through `statement` ends the process. */
  private exits(statement: TSESTree.Node, throwEnds: boolean): boolean {
    switch (statement.type) {
      // An `await` in what is evaluated first (`process.exit(await code())`) lets the loop turn.
      case AST_NODE_TYPES.ExpressionStatement:
        return this.isExitExpression(statement.expression) && !this.suspendsIn(statement.expression);
      case AST_NODE_TYPES.ReturnStatement:
        return statement.argument !== null && this.isExitExpression(statement.argument) && !this.suspendsIn(statement.argument);
      case AST_NODE_TYPES.ThrowStatement:
        return throwEnds && !this.suspendsIn(statement.argument);
      case AST_NODE_TYPES.BlockStatement:
        return this.outcomeFrom(statement.body, 0, throwEnds) === 'exits';
      case AST_NODE_TYPES.IfStatement:
        return (
          statement.alternate !== null &&
          this.completesNormally(statement.test) &&
          this.exits(statement.consequent, throwEnds) &&
          this.exits(statement.alternate, throwEnds)
        );
      case AST_NODE_TYPES.LabeledStatement:
        return this.exits(statement.body, throwEnds);
      case AST_NODE_TYPES.TryStatement: {
        if (statement.finalizer && this.exits(statement.finalizer, throwEnds)) return true;
        // Inside a `try` with a `catch`, a throw is caught: it no longer ends the process.
        const blockExits = this.exits(statement.block, throwEnds && !statement.handler);
        return blockExits && (!statement.handler || this.exits(statement.handler.body, throwEnds));
      }
      default:
        return false;
    }
  }

  /** An `await`/`yield` in an expression (outside nested functions): `await process.exit()` aside, it runs first. */
  private suspendsIn(expression: TSESTree.Node): boolean {
    let inner = unwrapExpression(expression);
    while (inner.type === AST_NODE_TYPES.AwaitExpression || (inner.type === AST_NODE_TYPES.UnaryExpression && inner.operator === 'void')) {
      inner = unwrapExpression(inner.argument);
    }
    return !this.completesNormally(inner);
  }

  /** `process.exit(…)` / `process.abort()`, looking through `void`, `await` and TS wrappers. */
  private isExitExpression(expression: TSESTree.Node): boolean {
    let current = unwrapExpression(expression);
    while (
      (current.type === AST_NODE_TYPES.UnaryExpression && current.operator === 'void') ||
      current.type === AST_NODE_TYPES.AwaitExpression
    ) {
      current = unwrapExpression(current.argument);
    }
    return this.isExitCall(current);
  }

  private isExitCall(node: TSESTree.Node): node is TSESTree.CallExpression {
    if (node.type !== AST_NODE_TYPES.CallExpression) return false;
    const callee = unwrapExpression(node.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    const method = memberName(callee);
    return method !== undefined && EXIT_METHODS.has(method) && this.isProcess(callee.object);
  }

  /** The global `process`, or an import / require of `node:process`: not a local that shadows it. */
  private isProcess(node: TSESTree.Node): boolean {
    const inner = unwrapExpression(node);
    if (inner.type !== AST_NODE_TYPES.Identifier || inner.name !== 'process') return false;
    let known = this.processRefs.get(inner);
    if (known === undefined) {
      const variable = ASTUtils.findVariable(this.sourceCode.getScope(inner), inner);
      known = !variable || variable.defs.length === 0 || variable.defs.every((def) => isProcessModuleBinding(def.node));
      this.processRefs.set(inner, known);
    }
    return known;
  }

  /** True when a `throw` at `node` ends the process: directly in an uncaughtException listener, not inside a try-with-catch. */
  private throwEndsProcessAt(node: TSESTree.Node): boolean {
    let child: TSESTree.Node = node;
    for (let current = node.parent; current; child = current, current = current.parent) {
      if (current.type === AST_NODE_TYPES.TryStatement && current.handler && child === current.block) return false;
      if (isFunctionNode(current)) return this.isUncaughtExceptionListener(current);
      if (isClassNode(current)) return false;
    }
    return false;
  }

  private isUncaughtExceptionListener(fn: TSESTree.Node): boolean {
    const self = isFunctionNode(fn) ? outerExpression(fn) : fn;
    const call = self.parent;
    if (call?.type !== AST_NODE_TYPES.CallExpression || call.arguments[1] !== self) return false;
    const callee = unwrapExpression(call.callee);
    if (callee.type !== AST_NODE_TYPES.MemberExpression) return false;
    const method = memberName(callee);
    return (
      method !== undefined &&
      EMITTER_METHODS.has(method) &&
      this.isProcess(callee.object) &&
      stringValue(call.arguments[0]) === 'uncaughtException'
    );
  }

  /**
   * True when `statement` can only end by running to its end (or by ending the process): nothing in
   * it, outside nested functions, returns, throws, breaks or continues out of it, or suspends.
   */
  private completesNormally(statement: TSESTree.Node): boolean {
    let known = this.completes.get(statement);
    if (known === undefined) {
      known = !leavesOrSuspendsWithin(statement, this.sourceCode.visitorKeys);
      this.completes.set(statement, known);
    }
    return known;
  }
}

function isStatement(node: TSESTree.Node): boolean {
  return node.type.endsWith('Statement') || node.type === AST_NODE_TYPES.VariableDeclaration;
}

/** Walks `root` without entering nested functions and classes (their code runs at another time). */
function leavesOrSuspendsWithin(root: TSESTree.Node, visitorKeys: TSESLint.SourceCode.VisitorKeys): boolean {
  const stack: TSESTree.Node[] = [root];
  for (let node = stack.pop(); node; node = stack.pop()) {
    // A declaration (of the root too) only defines its function or class.
    if (isFunctionNode(node) || isClassNode(node)) continue;
    if (leavesOrSuspends(node, root)) return true;
    pushChildren(node, visitorKeys, stack);
  }
  return false;
}

function leavesOrSuspends(node: TSESTree.Node, root: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.AwaitExpression:
    case AST_NODE_TYPES.YieldExpression:
    case AST_NODE_TYPES.ReturnStatement:
    case AST_NODE_TYPES.ThrowStatement:
      return true;
    case AST_NODE_TYPES.ForOfStatement:
      return node.await;
    case AST_NODE_TYPES.BreakStatement:
    case AST_NODE_TYPES.ContinueStatement:
      return node.label !== null || !hasTargetWithin(node, root);
    default:
      return false;
  }
}

/** An unlabelled break/continue whose loop (or, for break, switch) is `root` or inside it. */
function hasTargetWithin(node: TSESTree.BreakStatement | TSESTree.ContinueStatement, root: TSESTree.Node): boolean {
  for (let current: TSESTree.Node | undefined = node.parent; current; current = current.parent) {
    if (isLoop(current)) return true;
    if (node.type === AST_NODE_TYPES.BreakStatement && current.type === AST_NODE_TYPES.SwitchStatement) return true;
    if (current === root) return false;
  }
  return false;
}

/** `import process from 'node:process'`, `import * as process from 'process'`, `const process = require('node:process')`. */
function isProcessModuleBinding(node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.ImportDefaultSpecifier || node.type === AST_NODE_TYPES.ImportNamespaceSpecifier) {
    return PROCESS_MODULES.has(node.parent.source.value);
  }
  if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.init) {
    const init = unwrapExpression(node.init);
    return (
      init.type === AST_NODE_TYPES.CallExpression &&
      init.callee.type === AST_NODE_TYPES.Identifier &&
      init.callee.name === 'require' &&
      PROCESS_MODULES.has(stringValue(init.arguments[0]) ?? '')
    );
  }
  return false;
}
