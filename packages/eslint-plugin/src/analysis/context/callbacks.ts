import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { calleeText, memberName, stringValue, unwrapExpression } from './ast.js';

/**
 * What happens to a function passed as an argument to a call.
 *
 * The general rule: a function handed to another function is kept and called later, from the event
 * loop (timers, emitters, servers, routers, promise reactions, stream implementations...). That is the
 * only sound default, since nothing else can call it before start-up ends. The exceptions are APIs known
 * to call their argument synchronously before they return (array iteration, `new Promise` executors,
 * string replacers, `AsyncLocalStorage#run`...): their callbacks run in the caller's own context.
 */
export type CallbackFate =
  /** `known`: a timer, listener, route or promise reaction, not only "some API took it". */
  | { kind: 'deferred'; owner: string; known: boolean }
  | { kind: 'immediate' }
  /**
   * Called once while a server starts, before it takes a request (see server-start.ts), and `'listening'`
   * listeners: it runs where the code that started the server runs.
   */
  | { kind: 'server-start' }
  | { kind: 'exempt'; reason: string };

/** Whether an argument, as written, is one a server calls while it starts (see server-start.ts). */
export type ServerStartTest = (argument: TSESTree.Node) => boolean;

/** Methods that call their function argument synchronously, before returning. */
const SYNC_INVOKING_METHODS: ReadonlySet<string> = new Set([
  'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast',
  'findLastIndex', 'flatMap', 'sort', 'toSorted', 'replace', 'replaceAll',
  // Array.from(items, mapFn), JSON.parse(text, reviver), JSON.stringify(value, replacer)
  'from', 'parse', 'stringify',
  // AsyncLocalStorage#run/exit, OpenTelemetry context.with / tracer.startActiveSpan, AsyncResource
  'run', 'exit', 'with', 'startActiveSpan', 'runInAsyncScope',
  // fn.call(...) / fn.apply(...) / Reflect.apply(fn, ...)
  'call', 'apply',
]);

/** Plain functions that call their argument synchronously. */
const SYNC_INVOKING_FUNCTIONS: ReadonlySet<string> = new Set(['Promise']);

const EMITTER_METHODS: ReadonlySet<string> = new Set([
  'on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener',
]);

const ROUTE_METHODS: ReadonlySet<string> = new Set([
  'get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all', 'use', 'route',
]);

const PROMISE_REACTIONS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);

/** Process events whose handlers must be synchronous: Node runs them and exits, no loop turn follows. */
const SYNC_PROCESS_EVENTS: ReadonlySet<string> = new Set(['exit']);

/** Namespaces whose functions only store their object arguments (`Object.assign(x, { m() {} })`). */
const NON_INVOKING_NAMESPACES: ReadonlySet<string> = new Set(['Object', 'Reflect', 'JSON']);

function isProcess(node: TSESTree.Node): boolean {
  const inner = unwrapExpression(node);
  return inner.type === AST_NODE_TYPES.Identifier && inner.name === 'process';
}

/** The fate of a function passed at `call.arguments[index]`. */
export function callbackFate(
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  index: number,
  isServerStartCallback: ServerStartTest,
): CallbackFate {
  const callee = unwrapExpression(call.callee);
  const method = callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
  const first = stringValue(call.arguments[0]);
  const argument = call.arguments[index];

  if (argument !== undefined && isServerStartCallback(argument)) return { kind: 'server-start' };

  if (callee.type === AST_NODE_TYPES.Identifier && SYNC_INVOKING_FUNCTIONS.has(callee.name)) {
    return call.type === AST_NODE_TYPES.NewExpression && index === 0 ? { kind: 'immediate' } : deferred(call);
  }
  if (method !== undefined && call.type === AST_NODE_TYPES.CallExpression && SYNC_INVOKING_METHODS.has(method)) {
    return { kind: 'immediate' };
  }
  if (method !== undefined && EMITTER_METHODS.has(method)) {
    if (callee.type === AST_NODE_TYPES.MemberExpression && isProcess(callee.object) && first !== undefined && SYNC_PROCESS_EVENTS.has(first)) {
      return { kind: 'exempt', reason: `process.${method}('${first}') handler` };
    }
    // net.Server's and dgram.Socket's event, once per listen(): not the DOM's addEventListener.
    if (first === 'listening' && method !== 'addEventListener') return { kind: 'server-start' };
    return { kind: 'deferred', owner: first !== undefined ? `'${first}' listener` : `${calleeText(callee)} listener`, known: true };
  }
  if (method !== undefined && PROMISE_REACTIONS.has(method)) return { kind: 'deferred', owner: `.${method} callback`, known: true };
  // Routes look like paths: `session.post('Profiler.stop', cb)` is a plain callback, not a route.
  if (method !== undefined && ROUTE_METHODS.has(method) && first !== undefined && /^[/*]/.test(first) && index > 0) {
    return { kind: 'deferred', owner: `${calleeText(callee)}('${first}') handler`, known: true };
  }
  return deferred(call);
}

const TIMERS: ReadonlySet<string> = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'nextTick']);

function deferred(call: TSESTree.CallExpression | TSESTree.NewExpression): CallbackFate {
  const prefix = call.type === AST_NODE_TYPES.NewExpression ? 'new ' : '';
  const callee = unwrapExpression(call.callee);
  const name = callee.type === AST_NODE_TYPES.Identifier ? callee.name : callee.type === AST_NODE_TYPES.MemberExpression ? memberName(callee) : undefined;
  const known = name !== undefined && TIMERS.has(name);
  return { kind: 'deferred', owner: `${prefix}${calleeText(call.callee)} callback`, known };
}

/**
 * The fate of a method of an object literal passed at `call.arguments[index]`
 * (`new Transform({ transform(chunk) {...} })`, `app.route({ handler(req) {...} })`): deferred like a
 * callback, except for functions that merely store the object.
 */
export function objectArgumentFate(
  call: TSESTree.CallExpression | TSESTree.NewExpression,
  key: string,
): CallbackFate | undefined {
  const callee = unwrapExpression(call.callee);
  if (callee.type === AST_NODE_TYPES.MemberExpression) {
    const object = unwrapExpression(callee.object);
    if (object.type === AST_NODE_TYPES.Identifier && NON_INVOKING_NAMESPACES.has(object.name)) return undefined;
  }
  const prefix = call.type === AST_NODE_TYPES.NewExpression ? 'new ' : '';
  return { kind: 'deferred', owner: `${key}() passed to ${prefix}${calleeText(call.callee)}`, known: false };
}
