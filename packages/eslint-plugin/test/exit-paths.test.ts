import { RuleTester } from '@typescript-eslint/rule-tester';
import { noSyncFs } from '../src/rules/no-sync-fs.js';

/*
 * Exit paths (docs/context.md): a blocking call after which the process surely ends, before the
 * event loop turns again, starves nothing and is quiet. The shapes are the ones real agents and CLIs
 * write: a `'close'` listener that logs then exits, a commander `.action` whose catch logs then exits,
 * a signal listener that saves state then exits. Every way on from the call must end the process;
 * anything less stays reported.
 */
const ruleTester = new RuleTester();
const why = 'waits for the file system on the main thread';
const cjs = { languageOptions: { sourceType: 'commonjs' as const } };

ruleTester.run('no-sync-fs: exit paths', noSyncFs, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: "'close' listener writes the error log, then exits",
      code: `
        import fs from 'node:fs';
        import { spawn } from 'node:child_process';
        const child = spawn('agent', ['--serve']);
        child.on('close', (code) => {
          fs.writeFileSync('./error.log', \`agent exited with \${code}\`);
          process.exit(1);
        });
      `,
    },
    {
      name: "catch of a commander program.action(async () => …) writes, then exits",
      code: `
        import { writeFileSync } from 'node:fs';
        import { Command } from 'commander';
        const program = new Command();
        program.action(async (options) => {
          try {
            await runAgent(options);
          } catch (error) {
            writeFileSync('./error.log', String(error));
            process.exit(1);
          }
        });
        program.parse();
      `,
    },
    {
      name: 'signal listener saves state, then exits (CommonJS, require of node:process)',
      ...cjs,
      code: `
        const fs = require('fs');
        const process = require('node:process');
        process.on('SIGTERM', () => {
          fs.writeFileSync('state.json', JSON.stringify(state));
          console.error('bye');
          process.exit(0);
        });
      `,
    },
    {
      name: 'return process.exit(1) at the end of an if block',
      code: `
        import fs from 'node:fs';
        export async function main(config: string) {
          const ok = await validate(config);
          if (!ok) {
            fs.writeFileSync('./error.log', 'invalid config');
            return process.exit(1);
          }
          await serve(config);
        }
      `,
    },
    {
      name: 'both branches exit; process.abort() counts',
      code: `
        import fs from 'node:fs';
        server.on('error', (error) => {
          fs.appendFileSync('./error.log', String(error));
          if (error.code === 'EADDRINUSE') {
            process.exit(2);
          } else {
            process.abort();
          }
        });
      `,
    },
    {
      name: 'a loop of deletes, then exit (and a sync callback of forEach)',
      code: `
        import { rmSync, unlinkSync } from 'node:fs';
        process.on('SIGINT', () => {
          for (const dir of tempDirs) {
            if (!dir) continue;
            rmSync(dir, { recursive: true, force: true });
          }
          sockets.forEach((path) => unlinkSync(path));
          process.exit(130);
        });
      `,
    },
    {
      name: 'exit in a finally',
      code: `
        import fs from 'node:fs';
        export async function shutdown() {
          try {
            fs.writeFileSync('state.json', '{}');
          } finally {
            process.exit(0);
          }
        }
      `,
    },
    {
      name: 'a case of a switch that writes, then exits',
      code: `
        import fs from 'node:fs';
        rl.on('line', (line) => {
          switch (line) {
            case 'quit':
              fs.writeFileSync('history.txt', history.join('\\n'));
              process.exit(0);
            default:
              history.push(line);
          }
        });
      `,
    },
    {
      name: 'a case that falls into the next one, which exits',
      code: `
        import fs from 'node:fs';
        rl.on('line', (line) => {
          switch (line) {
            case 'save':
              fs.writeFileSync('history.txt', history.join('\\n'));
            case 'quit':
              process.exit(0);
          }
        });
      `,
    },
    {
      name: "a throw at the top level of an 'uncaughtException' listener ends the process (code 7)",
      code: `
        import fs from 'node:fs';
        process.on('uncaughtException', (error) => {
          fs.writeFileSync('./crash.log', String(error.stack));
          throw error;
        });
      `,
    },
    {
      name: 'import process from node:process; the exit code computed by the blocking call itself',
      code: `
        import process from 'node:process';
        import fs from 'node:fs';
        emitter.on('done', () => {
          process.exit(fs.existsSync('./failed') ? 1 : 0);
        });
      `,
    },
    {
      name: 'strict: a helper called only on the way out is not reached from event-loop code',
      options: [{ reachability: true }],
      code: `
        import fs from 'node:fs';
        function dumpState() {
          fs.writeFileSync('state.json', JSON.stringify(state));
        }
        child.on('close', () => {
          dumpState();
          process.exit(1);
        });
      `,
    },
  ],
  invalid: [
    {
      name: 'exit on one branch only: the other branch goes back to the loop',
      code: `
        import fs from 'node:fs';
        child.on('close', (code) => {
          fs.writeFileSync('./error.log', \`agent exited with \${code}\`);
          if (code !== 0) process.exit(1);
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 71,
        },
      ],
    },
    {
      name: 'the exit is in a nested callback: it runs later, if ever',
      code: `
        import fs from 'node:fs';
        child.on('close', () => {
          fs.writeFileSync('./error.log', 'closed');
          logger.flush(() => process.exit(1));
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 52,
        },
      ],
    },
    {
      name: 'a write after process.exit is called in a nested callback',
      code: `
        import fs from 'node:fs';
        child.on('close', () => {
          setTimeout(() => process.exit(1), 1000);
          fs.writeFileSync('./error.log', 'closed');
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 5, column: 11, endLine: 5, endColumn: 52,
        },
      ],
    },
    {
      name: 'process.exitCode = 1 does not end the process',
      code: `
        import fs from 'node:fs';
        child.on('close', () => {
          fs.writeFileSync('./error.log', 'closed');
          process.exitCode = 1;
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 52,
        },
      ],
    },
    {
      name: 'an await before the exit lets the loop turn',
      code: `
        import fs from 'node:fs';
        export async function fail(error: Error) {
          fs.writeFileSync('./error.log', String(error));
          await telemetry.flush();
          process.exit(1);
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: 'async function fail' },
          line: 4, column: 11, endLine: 4, endColumn: 57,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'writeFile', module: 'node:fs/promises' },
              output: `
        import fs from 'node:fs';
import { writeFile } from 'node:fs/promises';
        export async function fail(error: Error) {
          await writeFile('./error.log', String(error));
          await telemetry.flush();
          process.exit(1);
        }
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'an await inside the exit statement or in the test of an if/else that exits',
      code: `
        import fs from 'node:fs';
        child.on('close', async () => {
          fs.writeFileSync('./error.log', 'closed');
          process.exit(await telemetry.exitCode());
        });
        child.on('exit', async () => {
          fs.writeFileSync('./error.log', 'exited');
          if (await telemetry.ok()) process.exit(0);
          else process.exit(1);
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 52,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'writeFile', module: 'node:fs/promises' },
              output: `
        import fs from 'node:fs';
import { writeFile } from 'node:fs/promises';
        child.on('close', async () => {
          await writeFile('./error.log', 'closed');
          process.exit(await telemetry.exitCode());
        });
        child.on('exit', async () => {
          fs.writeFileSync('./error.log', 'exited');
          if (await telemetry.ok()) process.exit(0);
          else process.exit(1);
        });
      `,
            },
          ],
        },
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'exit' listener" },
          line: 8, column: 11, endLine: 8, endColumn: 52,
          suggestions: [
            {
              messageId: 'useAsyncEquivalent',
              data: { replacement: 'writeFile', module: 'node:fs/promises' },
              output: `
        import fs from 'node:fs';
import { writeFile } from 'node:fs/promises';
        child.on('close', async () => {
          fs.writeFileSync('./error.log', 'closed');
          process.exit(await telemetry.exitCode());
        });
        child.on('exit', async () => {
          await writeFile('./error.log', 'exited');
          if (await telemetry.ok()) process.exit(0);
          else process.exit(1);
        });
      `,
            },
          ],
        },
      ],
    },
    {
      name: 'a return that can come first; a throw outside an uncaughtException listener',
      code: `
        import fs from 'node:fs';
        child.on('close', (code) => {
          fs.writeFileSync('./error.log', 'closed');
          if (code === 0) return;
          process.exit(1);
        });
        child.on('error', (error) => {
          fs.writeFileSync('./error.log', String(error));
          throw error;
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 52,
        },
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'error' listener" },
          line: 9, column: 11, endLine: 9, endColumn: 57,
        },
      ],
    },
    {
      name: 'an uncaughtException listener that does not end the process, or throws inside a try',
      code: `
        import fs from 'node:fs';
        process.on('uncaughtException', (error) => {
          fs.writeFileSync('./crash.log', String(error));
        });
        process.on('uncaughtException', (error) => {
          try {
            fs.writeFileSync('./crash.log', String(error));
            throw error;
          } catch {}
        });
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'uncaughtException' listener" },
          line: 4, column: 11, endLine: 4, endColumn: 57,
        },
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'uncaughtException' listener" },
          line: 8, column: 13, endLine: 8, endColumn: 59,
        },
      ],
    },
    {
      name: 'a local named process is not the process',
      code: `
        import fs from 'node:fs';
        export function watch(process: { exit(code: number): void }) {
          child.on('close', () => {
            fs.writeFileSync('./error.log', 'closed');
            process.exit(1);
          });
        }
      `,
      errors: [
        {
          messageId: 'blocking',
          data: { api: 'fs.writeFileSync', category: 'fs', why, owner: "'close' listener" },
          line: 5, column: 13, endLine: 5, endColumn: 54,
        },
      ],
    },
  ],
});
