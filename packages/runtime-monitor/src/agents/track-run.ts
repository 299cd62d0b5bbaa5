import type { MonitorContext } from '../types.js';
import { withContext } from '../context/index.js';
import { AGENT_NAME_KEY, OPERATION_KEY, RUN_ID_KEY, SDK_KEY, TENANT_KEY, TOOL_CALL_ID_KEY, TOOL_NAME_KEY, type AgentOperation, type AgentSdk } from './attributes.js';

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
  /** `gen_ai.tool.call.id`, where the SDK has one (an MCP request id, a model's tool call id). */
  toolCallId?: string;
  /** `agent_lag.run.id`: the caller's id of this run; default: none. */
  runId?: string;
  /** `agent_lag.tenant`: a label from a bounded set (overflow is counted as `other`). */
  tenant?: string;
  /** Further context fields: strings, numbers, booleans or null. */
  context?: MonitorContext;
}

function runContext(run: AgentRun): MonitorContext {
  const context: MonitorContext = { [OPERATION_KEY]: run.operation };
  if (run.sdk !== undefined) context[SDK_KEY] = run.sdk;
  if (run.toolName !== undefined) context[TOOL_NAME_KEY] = run.toolName;
  if (run.agentName !== undefined) context[AGENT_NAME_KEY] = run.agentName;
  if (run.toolCallId !== undefined) context[TOOL_CALL_ID_KEY] = run.toolCallId;
  if (run.runId !== undefined) context[RUN_ID_KEY] = run.runId;
  if (run.tenant !== undefined) context[TENANT_KEY] = run.tenant;
  return run.context === undefined ? context : { ...run.context, ...context };
}

/**
 * Runs `fn` as `run`: a block inside it — before or after an await — names the tool, agent and run it
 * interrupted, merged over the enclosing context (a tool call inside an agent run keeps the agent's name).
 * Returns what `fn` returns; a returned promise is the run's end.
 */
export function trackRun<T>(run: AgentRun, fn: () => T): T {
  return withContext(runContext(run), fn);
}
