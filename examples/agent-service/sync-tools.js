// The tools as they are often first written: async handlers that call blocking built-ins.
// Each call freezes the whole process, so every other agent session waits for this one.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceDir } from './config.js';

/** Tool `read_file`: returns a file from the service's knowledge folder. */
export async function readFile({ path }) {
  const text = readFileSync(join(serviceDir, path), 'utf8'); // planted: fs.readFileSync
  return { path, text };
}

/** Tool `shell`: runs a shell command (a build, a test run, a git query) and returns its output. */
export async function shell({ command }) {
  const output = execSync(command, { encoding: 'utf8' }); // planted: child_process.execSync
  return { command, output: output.trim() };
}
