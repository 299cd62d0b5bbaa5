#!/usr/bin/env node
// A committed launcher, so npm can link an executable bin before `dist/` is built.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv);
