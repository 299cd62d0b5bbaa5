/**
 * One agent run (a tool call, an agent invocation, a model call) in the in-flight table, beside the
 * HTTP requests. Like a request's record it is its own async-context store: its context is built when a
 * block report reads it, so entering a run costs this one object.
 */
import type { MonitorContext } from '../types.js';
import { sanitizeContext, type LiveContext } from '../context/index.js';
import { InFlightRecord } from '../middleware/in-flight.js';
import { AGENT_NAME_KEY, OPERATION_KEY, RUN_ID_KEY, SDK_KEY, TENANT_KEY, TOOL_CALL_ID_KEY, TOOL_NAME_KEY, type AgentOperation, type AgentSdk } from './attributes.js';
import type { RunFigures } from './run-figures.js';

/** One unit of agent work: a tool call, an agent run, a model call. */
export interface AgentRun {
  /** `gen_ai.operation.name`. */
  operation: AgentOperation | (string & {});
  /** The adapter that tracks it (`agent_lag.sdk`), or any name for hand-written calls. */
  sdk?: AgentSdk | (string & {});
  /** `gen_ai.tool.name`. */
  toolName?: string;
  /** `gen_ai.agent.name`. */
  agentName?: string;
  /**
   * `gen_ai.tool.call.id`, where the SDK has one (an MCP request id, a model's tool call id). A number (a
   * JSON-RPC id) is written as a string when a report reads it, not when the run starts.
   */
  toolCallId?: string | number;
  /** `agent_lag.run.id`: the caller's id of this run; default: none. */
  runId?: string;
  /** `agent_lag.tenant`: a label from a bounded set (overflow is counted as `other`). */
  tenant?: string;
  /** Further context fields: strings, numbers, booleans or null. */
  context?: MonitorContext;
}

/** A field of a run as given, when it is a string; anything else (an SDK's unexpected value) is left out. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Whether a store is a run already: tracked, or its fields merged into a plain context by withContext. */
function isRun(store: MonitorContext | LiveContext | undefined): boolean {
  if (store === undefined) return false;
  if (store instanceof RunRecord) return true;
  return typeof (store as Record<string, unknown>)[OPERATION_KEY] === 'string';
}

export class RunRecord extends InFlightRecord {
  declare readonly operation: string;
  declare readonly sdk: string | undefined;
  declare readonly toolName: string | undefined;
  declare readonly agentName: string | undefined;
  private declare readonly givenToolCallId: string | number | undefined;
  declare readonly runId: string | undefined;
  declare readonly tenant: string | undefined;
  private declare readonly extra: MonitorContext | undefined;
  /** Inside another run (a tool call inside an agent run): counted as part of it, not as a run of its own. */
  declare readonly nested: boolean;
  /** The bounded labels the run's in-flight figures are counted under (see RunFigures). */
  declare readonly agentLabel: string;
  declare readonly tenantLabel: string;
  declare ended: boolean;
  /** Entered with the synchronous store only (async context 'auto' before it was needed, or off). */
  declare syncContext: boolean;

  /** `enclosing`: the store current where the run starts (its fields come first in the run's context). */
  constructor(run: AgentRun, enclosing: MonitorContext | LiveContext | undefined, figures: RunFigures) {
    super();
    this.enclosing = enclosing;
    this.operation = text(run.operation) ?? 'unknown';
    this.sdk = text(run.sdk);
    this.toolName = text(run.toolName);
    this.agentName = text(run.agentName);
    this.givenToolCallId = typeof run.toolCallId === 'number' ? run.toolCallId : text(run.toolCallId);
    this.runId = text(run.runId);
    this.tenant = text(run.tenant);
    this.extra = run.context !== null && typeof run.context === 'object' ? run.context : undefined;
    this.nested = isRun(enclosing);
    this.agentLabel = figures.agentLabel(this.agentName);
    this.tenantLabel = figures.tenantLabel(this.tenant);
    this.ended = false;
    this.syncContext = false;
  }

  /** `gen_ai.tool.call.id` as a string. */
  get toolCallId(): string | undefined {
    const id = this.givenToolCallId;
    return typeof id === 'number' ? String(id) : id;
  }

  override get isRun(): boolean {
    return true;
  }

  isFinished(): boolean {
    return this.ended;
  }

  protected ownContext(): MonitorContext {
    // The GenAI keys win over the caller's extra fields; sanitised here, when a report reads it, not per run.
    const context: MonitorContext = { [OPERATION_KEY]: this.operation };
    if (this.sdk !== undefined) context[SDK_KEY] = this.sdk;
    if (this.toolName !== undefined) context[TOOL_NAME_KEY] = this.toolName;
    if (this.agentName !== undefined) context[AGENT_NAME_KEY] = this.agentName;
    const toolCallId = this.toolCallId;
    if (toolCallId !== undefined) context[TOOL_CALL_ID_KEY] = toolCallId;
    if (this.runId !== undefined) context[RUN_ID_KEY] = this.runId;
    if (this.tenant !== undefined) context[TENANT_KEY] = this.tenant;
    let extra: MonitorContext = {};
    if (this.extra !== undefined) {
      try {
        extra = sanitizeContext(this.extra);
      } catch {
        // Not a plain object after all: its fields are left out.
      }
    }
    return sanitizeContext({ ...extra, ...context });
  }

  /**
   * Whether a stall whose context is `blocker` ran in this run (it did not wait through it): same tool,
   * and the same call or run id where both sides have one.
   */
  isBlocker(blocker: MonitorContext | null): boolean {
    if (blocker === null || this.toolName === undefined || blocker[TOOL_NAME_KEY] !== this.toolName) return false;
    const callId = blocker[TOOL_CALL_ID_KEY];
    const toolCallId = this.toolCallId;
    if (toolCallId !== undefined && typeof callId === 'string' && callId !== toolCallId) return false;
    const runId = blocker[RUN_ID_KEY];
    if (this.runId !== undefined && typeof runId === 'string' && runId !== this.runId) return false;
    return true;
  }
}
