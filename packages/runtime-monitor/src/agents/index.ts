export { trackRun, type AgentRun } from './track-run.js';
export * from './attributes.js';
