import type { Command } from 'commander';
import type { CommandResult } from '../main.js';

/** Registers `agent-lag lint`. */
export function registerLintCommand(program: Command, result: CommandResult): void {
  void program;
  void result;
}
