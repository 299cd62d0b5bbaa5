#!/usr/bin/env node
// A committed launcher, so npm can link an executable bin before `dist/` is built.
import { main } from '../dist/main.js';

// `agent-lag report log.ndjson | head` closes our stdout early: that is the reader's choice, not an
// error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv);
