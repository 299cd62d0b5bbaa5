import { describeError, warnOnce } from '../../warnings.js';
import { trackMethodCall } from '../track-run.js';
import { isPatched, wrapMethod } from './patch.js';

/*
 * OpenAI Agents JS (@openai/agents 0.x, its core @openai/agents-core): a Runner's run() is an agent run
 * (`invoke_agent`), each function tool's invoke() a tool call (`execute_tool`, with the model's call id and
 * the agent the tool belongs to), each handoff's onInvokeHandoff a call of its transfer tool. Only the SDK's
 * public shapes are used: Runner.prototype.run, agent.tools[].invoke, agent.handoffs.
 */

type AnyFunction = (this: unknown, ...args: never[]) => unknown;

interface FunctionToolLike {
  type?: unknown;
  name?: unknown;
  invoke?: unknown;
}

interface HandoffLike {
  toolName?: unknown;
  agentName?: unknown;
  agent?: unknown;
  onInvokeHandoff?: unknown;
}

interface AgentLike {
  name?: unknown;
  tools?: unknown;
  handoffs?: unknown;
}

const SDK = 'openai-agents';

function nameOf(value: { name?: unknown } | null | undefined): string | undefined {
  return typeof value?.name === 'string' ? value.name : undefined;
}

function instrumentTool(tool: FunctionToolLike, agentName: string | undefined): void {
  if (tool.type !== 'function' || typeof tool.invoke !== 'function' || isPatched(tool.invoke)) return;
  const toolName = nameOf(tool);
  wrapMethod(tool, 'invoke', (invoke) =>
    function agentLagToolInvoke(this: unknown, ...args: never[]): unknown {
      // invoke(runContext, input, details): details.toolCall is the model's function call.
      const details = args[2] as { toolCall?: { callId?: unknown } } | undefined;
      const callId = details?.toolCall?.callId;
      return trackMethodCall({ operation: 'execute_tool', sdk: SDK, toolName, agentName, toolCallId: typeof callId === 'string' ? callId : undefined }, invoke, this, args);
    },
  );
}

function instrumentHandoff(handoff: HandoffLike, fromAgent: string | undefined): void {
  if (typeof handoff.onInvokeHandoff !== 'function' || isPatched(handoff.onInvokeHandoff)) return;
  const toolName = typeof handoff.toolName === 'string' ? handoff.toolName : undefined;
  const toAgent = typeof handoff.agentName === 'string' ? handoff.agentName : undefined;
  wrapMethod(handoff, 'onInvokeHandoff', (onInvokeHandoff) =>
    function agentLagHandoff(this: unknown, ...args: never[]): unknown {
      return trackMethodCall(
        { operation: 'execute_tool', sdk: SDK, toolName, agentName: fromAgent, context: toAgent === undefined ? undefined : { 'agent_lag.handoff.to': toAgent } },
        onInvokeHandoff,
        this,
        args,
      );
    },
  );
}

/** Instruments `agent`'s tools and handoffs, and the agents it hands off to; `seen` stops at cycles. */
function instrumentAgentTree(agent: AgentLike, seen: Set<object>): void {
  if (seen.has(agent)) return;
  seen.add(agent);
  const agentName = nameOf(agent);
  if (Array.isArray(agent.tools)) {
    for (const tool of agent.tools as unknown[]) if (tool !== null && typeof tool === 'object') instrumentTool(tool, agentName);
  }
  if (Array.isArray(agent.handoffs)) {
    for (const entry of agent.handoffs as unknown[]) {
      if (entry === null || typeof entry !== 'object') continue;
      // An entry is an Agent or a Handoff (handoff(agent, options)) around one.
      if ('onInvokeHandoff' in entry) {
        instrumentHandoff(entry, agentName);
        const target = (entry as HandoffLike).agent;
        if (target !== null && typeof target === 'object') instrumentAgentTree(target, seen);
      } else {
        instrumentAgentTree(entry, seen);
      }
    }
  }
}

/**
 * Names the agent and tool call behind every block in `agent`'s function tools, its handoffs and the
 * agents it hands off to — for apps that do not run under the preload. One line, after building the agent
 * (tools added to it later are instrumented by calling it again). Returns `agent`; never throws (one warning).
 */
export function instrumentOpenAIAgent<T extends object>(agent: T): T {
  try {
    instrumentAgentTree(agent, new Set());
  } catch (error) {
    warnOnce('AGENT_LAG_AGENT_HOOKS_openai-agents', `OpenAI agent not instrumented: ${describeError(error)}`);
  }
  return agent;
}

/** The hook's patch: the module `run.{mjs,js}` of @openai/agents-core, which exports Runner. */
export function patchOpenAIAgentsRun(exports: Record<string, unknown>): void {
  const Runner = exports.Runner;
  if (typeof Runner !== 'function') throw new TypeError('run.js exports no Runner class (an SDK version this adapter does not know)');
  wrapMethod(Runner.prototype as object, 'run', (run: AnyFunction) =>
    function agentLagRunnerRun(this: unknown, ...args: never[]): unknown {
      const agent = args[0] as AgentLike | undefined;
      // Each run, so tools added to an agent since its last run are instrumented too (a walk of small arrays).
      if (agent !== null && typeof agent === 'object') instrumentOpenAIAgent(agent);
      return trackMethodCall({ operation: 'invoke_agent', sdk: SDK, agentName: nameOf(agent) }, run, this, args);
    },
  );
}
