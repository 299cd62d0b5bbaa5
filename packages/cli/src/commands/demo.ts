import type { Command } from 'commander';
import type { CommandResult } from '../main.js';

/** Registers `agent-lag demo`. */
export function registerDemoCommand(program: Command, result: CommandResult): void {
  void program;
  void result;
}
