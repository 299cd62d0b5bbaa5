import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { buildReachability } from '../reachability/index.js';
import type { Reachability } from '../reachability/index.js';
import { SituationAnalysis } from './situation.js';

/** Where a node runs, as far as the event loop is concerned. See docs/context.md for the rules. */
export type LoopContext =
  /** Runs on the event loop after start-up; `owner` names the async function or handler. */
  | { kind: 'event-loop'; owner: string }
  /** Inside sync function `helper`, called (transitively) from event-loop code `caller`. */
  | { kind: 'reachable-helper'; helper: string; caller: string }
  | { kind: 'startup' }
  /** Where blocking is required or harmless, e.g. a `process.on('exit')` handler. */
  | { kind: 'exempt'; reason: string };

export interface ContextAnalysis {
  classify(node: TSESTree.Node, options: { reachability: boolean }): LoopContext;
}

const STARTUP: LoopContext = { kind: 'startup' };

class FileContextAnalysis implements ContextAnalysis {
  private readonly situations: SituationAnalysis;
  private reachability: Reachability | undefined;

  constructor(private readonly sourceCode: Readonly<TSESLint.SourceCode>) {
    this.situations = new SituationAnalysis(sourceCode);
  }

  classify(node: TSESTree.Node, options: { reachability: boolean }): LoopContext {
    const situation = this.situations.of(node);
    if (situation.kind !== 'sync-function') return situation;
    if (!options.reachability) return STARTUP;
    // The call graph costs a walk of the file: only strict-mode rules that found something pay for it.
    this.reachability ??= buildReachability(this.sourceCode, this.situations);
    const caller = this.reachability.callerOf(situation.unit);
    return caller === undefined ? STARTUP : { kind: 'reachable-helper', helper: situation.name, caller };
  }
}

const cache = new WeakMap<TSESTree.Program, ContextAnalysis>();

/** The context analysis of one file, built lazily and shared by every rule that asks. */
export function getContextAnalysis(sourceCode: Readonly<TSESLint.SourceCode>): ContextAnalysis {
  let analysis = cache.get(sourceCode.ast);
  if (!analysis) {
    analysis = new FileContextAnalysis(sourceCode);
    cache.set(sourceCode.ast, analysis);
  }
  return analysis;
}
