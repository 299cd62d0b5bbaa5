/**
 * `@agent-lag/runtime-monitor/exporters`: the monitor's figures as Prometheus text, into a prom-client
 * registry, as OpenTelemetry instruments, or from the watchdog worker's own HTTP endpoint.
 */
export { renderPrometheus, renderFamilies, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';
export { buildFamilies, describeFamilies, STALL_BUCKETS_SECONDS, EVENT_LOOP_SECTION } from './families.js';
// The `agents` section as a reader of a snapshot (the CLI's per-tool table) finds it, checked.
export { agentsSectionOf } from './snapshot-sections.js';
export type { EventLoopTime, FamilyDescriptor, FamilyOptions, FamilyType, MetricFamily, Sample } from './families.js';
export { registerPromClientMetrics } from './prom-client.js';
export type { PromClientExport, PromClientExportOptions, PromClientLike, PromRegistryLike } from './prom-client.js';
export { registerOtelMetrics } from './otel.js';
export type { OtelExport, OtelExportOptions, OtelMeterLike } from './otel.js';
export { startHttpEndpoint } from './http-endpoint.js';
export type { HttpEndpoint, HttpEndpointOptions } from './http-endpoint.js';
export { publishEventLoopTime, readEventLoopTime, withEventLoopTime } from './event-loop-time.js';
