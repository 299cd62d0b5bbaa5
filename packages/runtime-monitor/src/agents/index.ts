export { trackRun, configureAgentRuns, type AgentRun, type AgentRunsOptions, type RunAsyncContext, type RunLimits } from './track-run.js';
export { AGENTS_SECTION, OTHER_LABEL, type AgentsSection, type AgentSectionEntry, type ToolSectionEntry } from './run-figures.js';
export * from './attributes.js';
export { instrumentMcpServer } from './adapters/mcp.js';
export { instrumentOpenAIAgent } from './adapters/openai-agents.js';
export { instrumentAiSdk } from './adapters/ai-sdk.js';
export { instrumentLangChain } from './adapters/langchain.js';
export { PHASE_KEY } from './adapters/patch.js';
