import type { Command } from 'commander';
import type { CommandResult } from '../main.js';

/** Registers `agent-lag report`. */
export function registerReportCommand(program: Command, result: CommandResult): void {
  void program;
  void result;
}
