import type { Command } from 'commander';
import type { CommandResult } from '../main.js';

/** Registers `agent-lag watch`. */
export function registerWatchCommand(program: Command, result: CommandResult): void {
  void program;
  void result;
}
