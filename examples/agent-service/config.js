// Start-up code: reading the config synchronously here is fine (nothing else is running yet),
// and `agent-lag lint` stays quiet about it.
import { readFileSync } from 'node:fs';

const configUrl = new URL('./config.json', import.meta.url);

/** @type {{ model: string, modelLatencyMs: number, knowledgeFile: string, checkCommand: string }} */
export const config = JSON.parse(readFileSync(configUrl, 'utf8'));

/** Where the tools look for files: relative paths in the config are relative to this folder. */
export const serviceDir = new URL('.', import.meta.url).pathname;
