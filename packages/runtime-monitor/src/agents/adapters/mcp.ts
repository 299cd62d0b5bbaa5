import type { MonitorContext } from '../../types.js';
import { LiveContext, runInSyncContext, runWithLiveContext, sanitizeContext } from '../../context/index.js';
import { describeError, warnOnce } from '../../warnings.js';
import { runReportedSection } from '../../inflight/sections.js';
import { OPERATION_KEY, SDK_KEY, TOOL_CALL_ID_KEY, TOOL_NAME_KEY } from '../attributes.js';
import { runsUseAsyncContext, trackStep, type AgentRun } from '../track-run.js';
import { PHASE_KEY, isPatched, markPatched, wrapMethod } from './patch.js';

/*
 * MCP TypeScript SDK (@modelcontextprotocol/sdk 1.x): the request handlers of a server — tools/call,
 * resources/read, prompts/get — run as agent runs, and a transport sending one of their results runs with
 * the call's keys and `agent_lag.phase: 'serialize_response'` (the stdio transport JSON-encodes and writes
 * the whole result at once: 800 ms for a 38 MB directory tree).
 *
 * Patched on the base class, Protocol, which Server (and McpServer's server) extend: setRequestHandler
 * wraps each handler, connect wraps the transport's send. Server's own tools/call wrapper (result
 * validation) is inside ours, so the result we see is the object the transport is given.
 */

type Handler = (this: unknown, request: unknown, extra: unknown) => unknown;

interface RequestLike {
  method?: unknown;
  id?: unknown;
  params?: { name?: unknown; uri?: unknown } | null;
}

interface TransportLike {
  send?: unknown;
}

interface ProtocolLike {
  _requestHandlers?: unknown;
  transport?: TransportLike;
}

/** The methods whose handlers are runs. Other requests (initialize, tools/list, ping) pass through. */
const TRACKED_METHODS = ['tools/call', 'resources/read', 'prompts/get'] as const;

/** Whether `method` is one of TRACKED_METHODS: compared, not hashed (a Set lookup was ≈ 240 instructions of an in-memory call; callgrind, Node 24). */
function isTrackedMethod(method: string): boolean {
  return method === 'tools/call' || method === 'resources/read' || method === 'prompts/get';
}

/**
 * A server's tracked requests whose responses it has not sent yet, by JSON-RPC request id: a response's `id`
 * finds its call. One table per Protocol (a server and its one transport), as the SDK itself maps responses
 * to requests: two sessions' requests of the same id (every client counts from 0) are two servers'. Entered
 * when the request starts (not when its result is ready: that needed a promise a call), taken when the
 * response is sent.
 *
 * The newest request is a pair of fields: a server answering one request at a time (a stdio agent's) never
 * touches a table; a Map's entry added and deleted a call made V8 reallocate its storage (≈ 500 instructions
 * of an in-memory call, callgrind). The others wait in a Map keyed by the id, a primitive: an entry per call
 * in a WeakMap is an ephemeron the garbage collector processes at every scavenge, which cost an in-memory
 * call 10%. Bounded: a request never answered (cancelled, or its connection closed first) stays until
 * MAX_PENDING_SENDS newer ones push it out.
 */
class PendingSends {
  #newestId: string | number | undefined = undefined;
  #newest: McpCall | undefined = undefined;
  readonly #older = new Map<string | number, McpCall>();

  remember(id: string | number, run: McpCall): void {
    if (this.#newest !== undefined) this.#keepOlder(this.#newestId!, this.#newest);
    this.#newestId = id;
    this.#newest = run;
  }

  /** The run whose response `message` is, forgotten from here on; undefined for any other message (a request or notification of the server's own). */
  take(message: { id?: unknown; method?: unknown } | undefined): McpCall | undefined {
    const id = message?.id;
    if ((typeof id !== 'string' && typeof id !== 'number') || message!.method !== undefined) return undefined;
    const newest = this.#newest;
    if (newest !== undefined && this.#newestId === id) {
      this.#newest = undefined;
      this.#newestId = undefined;
      return newest;
    }
    const older = this.#older;
    if (older.size === 0) return undefined;
    const run = older.get(id);
    if (run !== undefined) older.delete(id);
    return run;
  }

  #keepOlder(id: string | number, run: McpCall): void {
    const older = this.#older;
    if (older.size >= MAX_PENDING_SENDS) {
      const oldest = older.keys().next();
      if (oldest.done !== true) older.delete(oldest.value);
    }
    older.set(id, run);
  }
}

const MAX_PENDING_SENDS = 10_000;
const pendingSendsOfServer = new WeakMap<object, PendingSends>();

/** The table of `protocol`'s pending responses (created on first use; one a server, not a call). */
function pendingSendsOf(protocol: object): PendingSends {
  let pending = pendingSendsOfServer.get(protocol);
  if (pending === undefined) {
    pending = new PendingSends();
    pendingSendsOfServer.set(protocol, pending);
  }
  return pending;
}

/** Handlers Protocol registered while its setRequestHandler was patched: ours already (see instrumentMcpServer). */
const trackedEntries = new WeakSet<object>();

/**
 * One tracked request: the AgentRun its handler runs as and, once its result is sent, the live store of that
 * send (its keys and `agent_lag.phase`). One object a call rather than two, of one shape for every method.
 */
class McpCall extends LiveContext implements AgentRun {
  declare readonly operation: string;
  declare readonly sdk: 'mcp';
  declare readonly toolName: string | undefined;
  declare readonly toolCallId: string | number | undefined;
  declare readonly context: MonitorContext | undefined;

  constructor(operation: string, toolName: string | undefined, toolCallId: string | number | undefined, context: MonitorContext | undefined) {
    super();
    this.operation = operation;
    this.sdk = 'mcp';
    this.toolName = toolName;
    this.toolCallId = toolCallId;
    this.context = context;
  }

  /** The send's context: its call's keys (not a new run: the call already ended) and the phase. */
  protected ownContext(): MonitorContext {
    const context: MonitorContext = { ...this.context, [OPERATION_KEY]: this.operation, [SDK_KEY]: 'mcp', [PHASE_KEY]: 'serialize_response' };
    if (this.toolName !== undefined) context[TOOL_NAME_KEY] = this.toolName;
    if (this.toolCallId !== undefined) context[TOOL_CALL_ID_KEY] = String(this.toolCallId);
    return sanitizeContext(context);
  }
}

function runOf(request: RequestLike, extra: unknown): McpCall | undefined {
  const method = request.method;
  if (typeof method !== 'string' || !isTrackedMethod(method)) return undefined;
  const params = request.params ?? undefined;
  // The JSON-RPC id: Protocol passes it as extra.requestId (the parsed request no longer has it).
  const toolCallId = requestIdOf(request, extra);
  if (method === 'tools/call') return new McpCall('execute_tool', typeof params?.name === 'string' ? params.name : undefined, toolCallId, undefined);
  // No GenAI operation exists for these: the MCP method is the operation (and `mcp.method.name`, as OTel's MCP conventions name it).
  const context: MonitorContext = { 'mcp.method.name': method };
  if (method === 'resources/read' && typeof params?.uri === 'string') context['mcp.resource.uri'] = params.uri;
  if (method === 'prompts/get' && typeof params?.name === 'string') context['gen_ai.prompt.name'] = params.name;
  return new McpCall(method, undefined, toolCallId, context);
}

/** The JSON-RPC id of the request a handler answers: Protocol passes it as extra.requestId. */
function requestIdOf(request: RequestLike, extra: unknown): string | number | undefined {
  const id = (extra as { requestId?: unknown } | undefined)?.requestId ?? request.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/**
 * `handler`, registered on `protocol`, as a run per tracked request, its response awaited by the transport's
 * send. Protocol chains the promise a handler returns to the sending of its response or error: its rejection
 * is always handled (trackStep's rejectionHandled).
 */
function trackedHandler(handler: Handler, protocol: object): Handler {
  const pending = pendingSendsOf(protocol);
  return markPatched(function agentLagMcpHandler(this: unknown, request: unknown, extra: unknown): unknown {
    const run = request !== null && typeof request === 'object' ? runOf(request, extra) : undefined;
    if (run === undefined) return handler.call(this, request, extra);
    // A run's toolCallId is its request's JSON-RPC id: the id its response will carry.
    if (run.toolCallId !== undefined) pending.remember(run.toolCallId, run);
    return trackStep(run, handler, this, request, extra, true);
  });
}

type Send = (this: unknown, message: unknown, options: unknown) => unknown;

/** Wraps the send of `protocol`'s transport: a response to a tracked request is sent in its call's context. */
function wrapTransportSend(transport: unknown, protocol: object): void {
  if (transport === null || typeof transport !== 'object') return;
  const pending = pendingSendsOf(protocol);
  try {
    wrapMethod(transport as TransportLike, 'send', (original) => {
      // Transport.send(message, options?): both passed on as they came.
      const send = original as Send;
      // A reported section: its write of a large response blocks in native code, where no pause lands.
      const sendReported = function (this: unknown, message: never, options: never): unknown {
        return runReportedSection(agentLagMcpSend, send, this, message, options);
      };
      function agentLagMcpSend(this: unknown, message: never, options: never): unknown {
        const run = pending.take(message);
        if (run === undefined) return send.call(this, message, options);
        // A transport serialises in send's synchronous part (stdio, streamable HTTP); what it awaits after is I/O.
        return runsUseAsyncContext() ? runWithLiveContext(run, sendReported, this, message, options) : runInSyncContext(run, sendReported, this, message, options);
      }
      return agentLagMcpSend;
    });
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS_mcp_transport', `an MCP transport's send not instrumented (response serialisation will not name its tool): ${describeError(error)}`);
  }
}

function handlerMap(protocol: ProtocolLike): Map<string, unknown> | undefined {
  return protocol._requestHandlers instanceof Map ? (protocol._requestHandlers as Map<string, unknown>) : undefined;
}

function patchProtocolPrototype(prototype: object): void {
  wrapMethod(prototype, 'setRequestHandler', (setRequestHandler) =>
    function agentLagSetRequestHandler(this: unknown, ...args: never[]): unknown {
      const [schema, handler] = args as unknown as [unknown, unknown];
      if (typeof handler !== 'function' || this === null || typeof this !== 'object') return setRequestHandler.apply(this, args);
      const handlers = handlerMap(this);
      const before = handlers === undefined ? undefined : TRACKED_METHODS.map((method) => handlers.get(method));
      const returned = setRequestHandler.call(this, ...([schema, trackedHandler(handler as Handler, this)] as never[]));
      // Remember the entry Protocol made around our wrapper, so instrumentMcpServer does not wrap it twice.
      if (handlers !== undefined && before !== undefined) {
        TRACKED_METHODS.forEach((method, index) => {
          const entry = handlers.get(method);
          if (entry !== before[index] && typeof entry === 'function') trackedEntries.add(entry);
        });
      }
      return returned;
    },
  );
  wrapMethod(prototype, 'connect', (connect) =>
    function agentLagConnect(this: unknown, ...args: never[]): unknown {
      if (this !== null && typeof this === 'object') wrapTransportSend(args[0], this);
      return connect.apply(this, args);
    },
  );
}

/** The hook's patch: the module `shared/protocol.js` of either build, which exports Protocol. */
export function patchMcpProtocol(exports: Record<string, unknown>): void {
  const Protocol = exports.Protocol;
  if (typeof Protocol !== 'function') throw new TypeError('shared/protocol.js exports no Protocol class (an SDK version this adapter does not know)');
  patchProtocolPrototype(Protocol.prototype as object);
}

/** The prototype at the root of `instance`'s class chain: Protocol's, for a Server or a Client. */
function basePrototype(instance: object): object {
  let prototype = Object.getPrototypeOf(instance) as object | null;
  while (prototype !== null) {
    const parent = Object.getPrototypeOf(prototype) as object | null;
    if (parent === null || parent === Object.prototype) return prototype;
    prototype = parent;
  }
  throw new TypeError('not an MCP server');
}

/**
 * Names the MCP tool, resource or prompt call behind every block in `server`'s handlers, and the sending
 * of their results — for apps that do not run under the preload. One line, before or after registering
 * tools: `instrumentMcpServer(server)` with an `McpServer` or a low-level `Server`. It instruments the SDK
 * copy the server comes from (every server of that copy). Returns `server`; never throws (one warning).
 */
export function instrumentMcpServer<T extends object>(server: T): T {
  try {
    const inner = (server as { server?: unknown }).server;
    // McpServer holds the Protocol (a Server) in `.server`.
    const protocol = (inner !== null && typeof inner === 'object' ? inner : server) as ProtocolLike & object;
    patchProtocolPrototype(basePrototype(protocol));
    // Handlers registered before this call (McpServer registers tools/call on the first registerTool).
    const handlers = handlerMap(protocol);
    if (handlers !== undefined) {
      for (const method of TRACKED_METHODS) {
        const entry = handlers.get(method);
        if (typeof entry === 'function' && !trackedEntries.has(entry) && !isPatched(entry)) handlers.set(method, trackedHandler(entry as Handler, protocol));
      }
    }
    // A server already connected: its transport was connected before connect was patched.
    const transport = protocol.transport;
    if (transport !== undefined) wrapTransportSend(transport, protocol);
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS_mcp', `MCP server not instrumented: ${describeError(error)}`);
  }
  return server;
}
