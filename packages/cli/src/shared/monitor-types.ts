// The monitor's data contract (event log lines, snapshots, socket messages), in one place so the
// CLI follows @agent-lag/runtime-monitor's types.ts rather than a copy of it.
export type {
  BlockEvent,
  CheckpointEvent,
  InFlightCall,
  LagEvent,
  LagFigures,
  MonitorContext,
  MonitorEvent,
  MonitorSnapshot,
  OngoingStall,
  SlaEvent,
  StackFrame,
  StackSummary,
  StallFigures,
  SummaryEvent,
  SyncCallSite,
  ThreadPoolFigures,
  WorstStall,
} from '@agent-lag/runtime-monitor';

// A block's own start and end: a stall published as ongoing keeps its last sign of life as `startedAt`.
export { blockEndOf, blockStartOf } from '@agent-lag/runtime-monitor/events';

// The agents section (per-tool figures, agent runs in flight) is published by the monitor's agents module.
export type { AgentSectionEntry, AgentsSection, ToolSectionEntry } from '@agent-lag/runtime-monitor/agents';
