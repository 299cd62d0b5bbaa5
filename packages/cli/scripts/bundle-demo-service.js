#!/usr/bin/env node
// `npm pack`/`npm publish` of agent-lag: the demo's agent service has one source, the repository's
// examples/agent-service. prepack copies it into the package as demo-service/ (where an installed
// `agent-lag demo` looks first); postpack (`--clean`) removes the copy so a checkout never runs a stale one.
import { cpSync, existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../../../examples/agent-service/', import.meta.url));
const target = fileURLToPath(new URL('../demo-service/', import.meta.url));

rmSync(target, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!existsSync(source)) {
    console.error(`bundle-demo-service: ${source} is missing; pack agent-lag from a full checkout`);
    process.exit(1);
  }
  cpSync(source, target, { recursive: true, filter: (path) => !/[/\\]node_modules([/\\]|$)/.test(path) });
}
