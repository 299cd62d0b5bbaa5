/*
 * Names the blocking built-in in flight during a stall, and aggregates sync calls per call site.
 * The main thread installs the wrappers; the watchdog worker only reads the record (readInFlight, callInFlight,
 * the reports) and marks the call it saw stall (markStallSeen).
 */
export { createInFlightBuffer, readInFlight, callInFlight, markStallSeen, readReport, readUnseenReport, HINT_BYTES, REPORT_BYTES } from './record.js';
export { installSyncWrappers, type SyncWrapperOptions, type SyncWrappers } from './wrappers.js';
export { MAX_SITES } from './call-sites.js';
export { WRAPPED_APIS, type WrappedApi } from './table.js';
