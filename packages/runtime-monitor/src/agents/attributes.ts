/*
 * Context keys a block event carries for the agent work it interrupted: OpenTelemetry's GenAI semantic
 * conventions where one exists (https://opentelemetry.io/docs/specs/semconv/gen-ai/), `agent_lag.*` otherwise.
 */
export const OPERATION_KEY = 'gen_ai.operation.name';
export const TOOL_NAME_KEY = 'gen_ai.tool.name';
export const TOOL_CALL_ID_KEY = 'gen_ai.tool.call.id';
export const AGENT_NAME_KEY = 'gen_ai.agent.name';
export const SDK_KEY = 'agent_lag.sdk';
export const RUN_ID_KEY = 'agent_lag.run.id';
export const TENANT_KEY = 'agent_lag.tenant';
/** The active OpenTelemetry span's ids (W3C trace-context hex), when the host traces with OpenTelemetry. */
export const TRACE_ID_KEY = 'trace_id';
export const SPAN_ID_KEY = 'span_id';

/** `gen_ai.operation.name` values used by the adapters (the semantic conventions' well-known ones). */
export type AgentOperation = 'execute_tool' | 'invoke_agent' | 'chat' | 'create_agent' | 'embeddings' | 'generate_content' | 'text_completion';

/** The SDKs an adapter exists for; a hand-written `trackRun` may name any other. */
export type AgentSdk = 'mcp' | 'openai-agents' | 'ai-sdk' | 'langchain';
