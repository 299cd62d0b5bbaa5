// Whether Node's process.nextTick is TurboFan-optimized in a Fastify server at full speed (no valgrind),
// after 1,000 to 100,000 requests: instructions.js sets aside the runs where it was not (see its header).
// Run: node --allow-natives-syntax bench/middleware/next-tick-tier.mjs
import autocannon from 'autocannon';
import Fastify from 'fastify';

if (!process.execArgv.includes('--allow-natives-syntax')) {
  console.error('next-tick-tier: run it with node --allow-natives-syntax');
  process.exit(2);
}
const isOptimized = new Function('fn', 'return (%GetOptimizationStatus(fn) & 16) !== 0'); // V8's kOptimized bit
const app = Fastify();
app.get('/users/:id', async () => ({ ok: true, items: [1, 2, 3] }));
await app.listen({ port: 0, host: '127.0.0.1' });
const url = `http://127.0.0.1:${app.server.address().port}/users/42`;
for (const amount of [1000, 5000, 20000, 100000]) {
  await autocannon({ url, amount, connections: 4 });
  console.log(`after ${amount} more requests: process.nextTick ${isOptimized(process.nextTick) ? 'optimized' : 'NOT optimized'}`);
}
await app.close();
