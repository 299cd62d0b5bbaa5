import { RuleTester } from '@typescript-eslint/rule-tester';
import { noBusyWait } from '../src/rules/no-busy-wait.js';

const ruleTester = new RuleTester();

ruleTester.run('no-busy-wait', noBusyWait, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'start-up busy-wait is not reported by default',
      code: `
        const end = Date.now() + 50;
        while (Date.now() < end) {}
      `,
    },
    {
      name: 'a loop that awaits a timer',
      code: `
        async function poll(end) {
          while (Date.now() < end) {
            await sleep(10);
          }
        }
      `,
    },
    {
      name: 'await in the condition',
      code: `
        async function poll(end) {
          while (Date.now() < end && !(await ready())) {}
        }
      `,
    },
    {
      name: 'for await',
      code: `
        async function f(end, it) {
          while (Date.now() < end) {
            for await (const x of it) use(x);
          }
        }
      `,
    },
    {
      name: 'yield in an async generator',
      code: `
        async function* ticks(end) {
          while (Date.now() < end) yield tick();
        }
      `,
    },
    {
      name: 'a counting loop does not read the clock',
      code: `
        async function f(n) {
          for (let i = 0; i < n; i++) work(i);
        }
      `,
    },
    {
      name: 'a local named Date is not the clock',
      code: `
        async function f(Date, end) {
          while (Date.now() < end) {}
        }
      `,
    },
    {
      name: 'clock read only once, before the loop',
      code: `
        async function f(items) {
          const t = Date.now();
          while (items.length) items.pop(t);
        }
      `,
    },
    {
      name: 'while (true) leaving on another condition',
      code: `
        async function f(q) {
          while (true) {
            const t = Date.now();
            if (q.done) break;
            log(t);
          }
        }
      `,
    },
    {
      name: 'exit handler',
      code: `
        process.on('exit', () => {
          const end = Date.now() + 10;
          while (Date.now() < end) {}
        });
      `,
    },
    {
      name: 'helper without reachability',
      code: `
        function sleep(ms) {
          const end = Date.now() + ms;
          while (Date.now() < end) {}
        }
        async function f() {
          sleep(5);
        }
      `,
    },
    {
      name: 'await inside a nested function does not count',
      code: `
        function g() {
          while (Date.now() < end) {
            const f = async () => {
              await x;
            };
          }
        }
      `,
    },
  ],
  invalid: [
    {
      name: 'Date.now() in the condition of an async function',
      code: `
        async function runTool(ms) {
          const end = Date.now() + ms;
          while (Date.now() < end) {}
        }
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'Date.now()', owner: 'async function runTool' },
          line: 4, column: 11, endLine: 4, endColumn: 38,
          suggestions: [],
        },
      ],
    },
    {
      name: 'performance.now() in a for loop',
      code: `
        async function wait(ms) {
          for (const start = performance.now(); performance.now() - start < ms; ) {}
        }
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'performance.now()', owner: 'async function wait' },
          line: 3, column: 11, endLine: 3, endColumn: 85,
          suggestions: [],
        },
      ],
    },
    {
      name: 'performance imported from node:perf_hooks',
      code: `
        import { performance } from 'node:perf_hooks';
        setTimeout(() => {
          do {
            spin();
          } while (performance.now() < deadline);
        });
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'performance.now()', owner: 'setTimeout callback' },
          line: 4, column: 11, endLine: 6, endColumn: 50,
          suggestions: [],
        },
      ],
    },
    {
      name: 'process.hrtime.bigint()',
      code: `
        server.on('request', () => {
          const end = process.hrtime.bigint() + 1000n;
          while (process.hrtime.bigint() < end);
        });
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'process.hrtime.bigint()', owner: "'request' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 49,
          suggestions: [],
        },
      ],
    },
    {
      name: 'new Date() comparison',
      code: `
        class Agent {
          async step(until) {
            while (new Date() < until) {}
          }
        }
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'new Date()', owner: 'async method Agent.step' },
          line: 4, column: 13, endLine: 4, endColumn: 42,
          suggestions: [],
        },
      ],
    },
    {
      name: 'clock read through a variable the loop updates',
      code: `
        async function f(end) {
          let now = Date.now();
          while (now < end) {
            now = Date.now();
          }
        }
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'Date.now()', owner: 'async function f' },
          line: 4, column: 11, endLine: 6, endColumn: 12,
          suggestions: [],
        },
      ],
    },
    {
      name: 'while (true) with a clock exit test',
      code: `
        async function f(start, ms) {
          while (true) {
            if (Date.now() - start > ms) break;
          }
        }
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'Date.now()', owner: 'async function f' },
          line: 3, column: 11, endLine: 5, endColumn: 12,
          suggestions: [],
        },
      ],
    },
    {
      name: 'for (;;) returning on the clock',
      code: `
        app.get("/x", (req, res) => {
          for (;;) {
            if (Date.now() > req.deadline) return res.end();
          }
        });
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'Date.now()', owner: "app.get('/x') handler" },
          line: 3, column: 11, endLine: 5, endColumn: 12,
          suggestions: [],
        },
      ],
    },
    {
      name: 'reachable sync sleep helper in strict mode',
      options: [{ reachability: true }],
      code: `
        function sleep(ms) {
          const end = Date.now() + ms;
          while (Date.now() < end) {}
        }
        async function retry() {
          sleep(100);
        }
      `,
      errors: [
        {
          messageId: 'busyWaitInHelper',
          data: { clock: 'Date.now()', helper: 'sleep', caller: 'async function retry' },
          line: 4, column: 11, endLine: 4, endColumn: 38,
          suggestions: [],
        },
      ],
    },
    {
      name: 'start-up busy-wait with checkStartup',
      options: [{ checkStartup: true }],
      code: `
        const end = Date.now() + 50;
        while (Date.now() < end) {}
      `,
      errors: [
        {
          messageId: 'busyWaitAtStartup',
          data: { clock: 'Date.now()' },
          line: 3, column: 9, endLine: 3, endColumn: 36,
          suggestions: [],
        },
      ],
    },
    {
      name: 'CommonJS',
      languageOptions: { sourceType: 'commonjs' },
      code: `
        module.exports = async function handler() {
          const t = Date.now();
          while (Date.now() - t < 100) {}
        };
      `,
      errors: [
        {
          messageId: 'busyWait',
          data: { clock: 'Date.now()', owner: 'async function handler' },
          line: 4, column: 11, endLine: 4, endColumn: 42,
          suggestions: [],
        },
      ],
    },
  ],
});
