export { cliVersion, createProgram, main, type CommandResult } from './main.js';
export { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
