import type { Command } from 'commander';
import type { CommandResult } from '../main.js';

/** Registers `agent-lag run`. */
export function registerRunCommand(program: Command, result: CommandResult): void {
  void program;
  void result;
}
