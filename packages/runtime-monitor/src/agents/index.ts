export { trackRun, type AgentRun } from './track-run.js';
export * from './attributes.js';
export { instrumentMcpServer } from './adapters/mcp.js';
export { instrumentOpenAIAgent } from './adapters/openai-agents.js';
export { PHASE_KEY } from './adapters/patch.js';
