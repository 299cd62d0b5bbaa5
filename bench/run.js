// `npm run bench [-- <name>...]`: runs bench/<name>/run.js for each name (all of them by default).
// Benchmarks are not part of `npm test`; each prints a markdown table and its README says how to read it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(benchDir, entry.name, 'run.js')))
  .map((entry) => entry.name);
const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')} (available: ${available.join(', ')})`);
  process.exit(2);
}
for (const name of requested.length > 0 ? requested : available) {
  console.log(`\n## bench/${name}\n`);
  const { status } = spawnSync(process.execPath, [join(benchDir, name, 'run.js')], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
