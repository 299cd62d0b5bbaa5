/*
 * What a reader of the monitor's events needs without starting a monitor (the CLI's `run`, `watch` and
 * `report`): a block's span, and the owner-only file the event log is written to. A subpath of its own so
 * that importing these does not load the monitor, its middleware and the agent adapters (the root does).
 */
export { blockStartOf, blockEndOf } from './block-span.js';
export { openOwnedFile, type OpenOwnedFileOptions } from './owned-file.js';
