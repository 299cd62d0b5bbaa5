// The same tools, written so that waiting happens off the event loop: other sessions keep running.
import { exec } from 'node:child_process';
import { readFile as readFileAsync } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serviceDir } from './config.js';

const execAsync = promisify(exec);

/** Tool `read_file`: returns a file from the service's knowledge folder. */
export async function readFile({ path }) {
  const text = await readFileAsync(join(serviceDir, path), 'utf8');
  return { path, text };
}

/** Tool `shell`: runs a shell command (a build, a test run, a git query) and returns its output. */
export async function shell({ command }) {
  const { stdout } = await execAsync(command, { encoding: 'utf8' });
  return { command, output: stdout.trim() };
}
