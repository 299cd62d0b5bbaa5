export { startMonitor, getMonitor, type MonitorHandle, type MonitorEvents } from './monitor.js';
export type { MonitorOptions, MetricsEndpointOptions } from './options.js';
export { withContext, setContext, getContext } from './context/index.js';
export { controlSocketPath } from './control/socket-path.js';
export type * from './types.js';
export { trackRun, type AgentRun, type AgentOperation, type AgentSdk } from './agents/index.js';
export { openOwnedFile, type OpenOwnedFileOptions } from './events/owned-file.js';
export { blockStartOf, blockEndOf } from './events/block-span.js';
export { envFlag } from './env.js';
