// The app of the start-up benchmark: loads no agent SDK (a common package and Node's http instead) and
// says whether the monitor installed its require() hook (require-in-the-middle in the CommonJS cache).
import { createRequire } from 'node:module';
import 'node:http';

const require = createRequire(import.meta.url);
if (process.env.LOAD_ZOD === '1') await import('zod');
const { _cache: cache } = require('node:module');
console.log(JSON.stringify({ requireHook: Object.keys(cache).some((path) => path.includes('require-in-the-middle')) }));
