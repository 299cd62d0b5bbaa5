import { RuleTester } from '@typescript-eslint/rule-tester';
import { contextProbe } from './context-probe.js';

/*
 * The context analysis as a spec: each `block()` call below is reported with where it runs.
 * Valid cases are start-up code (not reported). See docs/context.md for the decision table.
 */
const ruleTester = new RuleTester();
const cjs = { languageOptions: { sourceType: 'commonjs' as const } };

ruleTester.run('context: start-up code', contextProbe, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    { name: 'module top level', code: 'block();' },
    {
      name: 'top-level await is still start-up',
      code: `
        await setup();
        block();
      `,
    },
    {
      name: 'sync function called only from top level',
      code: `
        function load() {
          block();
        }
        load();
      `,
    },
    {
      name: 'sync function never called in the file (exported helper)',
      code: `
        export function load() {
          return block();
        }
      `,
    },
    {
      name: 'IIFE at top level',
      code: `
        (function () {
          block();
        })();
      `,
    },
    { name: 'arrow IIFE at top level', code: '(() => block())();' },
    {
      name: '.call IIFE at top level',
      code: `
        (function () {
          block();
        }).call(this);
      `,
    },
    {
      name: 'class static initialiser',
      code: `
        class Config {
          static data = block();
        }
      `,
    },
    {
      name: 'class static block',
      code: `
        class Config {
          static {
            block();
          }
        }
      `,
    },
    {
      name: 'instance field initialiser of a class built at start-up',
      code: `
        class Store {
          data = block();
        }
        new Store();
      `,
    },
    {
      name: 'sync method',
      code: `
        class Agent {
          load() {
            return block();
          }
        }
      `,
    },
    { name: 'array iteration at top level runs immediately', code: '[1, 2].forEach(() => block());' },
    { name: 'new Promise executor at top level runs immediately', code: 'new Promise((resolve) => resolve(block()));' },
    {
      name: 'sync prefix of an async IIFE at start-up',
      code: `
        (async () => {
          const cfg = block();
          await serve(cfg);
        })();
      `,
    },
    {
      name: 'async main called only from the top level (CommonJS top-level await)',
      ...cjs,
      code: `
        async function main() {
          block();
          await listen();
          block();
        }
        main().catch(console.error);
      `,
    },
    {
      name: 'const async start called only from the top level',
      code: `
        const start = async () => {
          block();
        };
        void start();
      `,
    },
    {
      name: 'CommonJS top level',
      ...cjs,
      code: `
        const fs = require('fs');
        block();
        module.exports = function load() {
          block();
        };
      `,
    },
    {
      name: 'JavaScript module top level',
      filename: 'file.js',
      code: `
        block();
        export const x = block();
      `,
    },
    {
      name: 'object literal method not passed anywhere',
      code: `
        const tools = {
          load() {
            return block();
          },
        };
      `,
    },
    {
      name: 'Object.assign only stores methods',
      code: `
        Object.assign(exports, {
          load() {
            return block();
          },
        });
      `,
    },
    {
      name: 'TS namespace body',
      code: `
        namespace Config {
          export const data = block();
        }
      `,
    },
  ],
  invalid: [],
});

ruleTester.run('context: a server started at start-up', contextProbe, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: "listen's callback on a node:http server",
      code: `
        import http from 'node:http';
        http.createServer(handle).listen(3000, () => block());
      `,
    },
    {
      name: "listen's callback on an express app, after its await too",
      code: `
        import express from 'express';
        const app = express();
        app.listen(process.env.PORT, async () => {
          await announce();
          block();
        });
      `,
    },
    {
      name: "listen's callback on Koa, Fastify and net servers",
      code: `
        import Koa from 'koa';
        import { fastify } from 'fastify';
        import * as net from 'node:net';
        new Koa().listen(3000, () => block());
        fastify().listen({ port: 3001 }, (error) => block());
        const ipc = new net.Server();
        ipc.listen('/run/agent.sock', () => block());
      `,
    },
    {
      name: "@hono/node-server's serve callback",
      code: `
        import { serve } from '@hono/node-server';
        serve({ fetch: app.fetch, port: 8787 }, (info) => block(info.port));
      `,
    },
    {
      name: 'CommonJS: a required factory, a named callback',
      ...cjs,
      code: `
        const express = require('express');
        const app = express();
        function writePidFile() {
          block();
        }
        app.listen(3000, writePidFile);
      `,
    },
    {
      name: 'an async function given only as a listen callback at start-up',
      code: `
        import { createServer } from 'node:https';
        async function onListening() {
          await register();
          block();
        }
        createServer(options, handle).listen(443, onListening);
      `,
    },
    {
      name: 'strict reachability: a helper given to listen and to a listening listener is start-up code',
      options: [{ reachability: true }],
      code: `
        import http from 'node:http';
        function writePidFile() {
          block();
        }
        const server = http.createServer(handle);
        server.on('listening', writePidFile);
        server.listen(3000, writePidFile);
      `,
    },
    {
      name: 'Fastify plugins, nested ones, fastify-plugin, after, ready and the onReady and onListen hooks boot with the app',
      code: `
        import Fastify from 'fastify';
        import fp from 'fastify-plugin';
        const app = Fastify();
        app.register(async (instance, options) => {
          block();
          await instance.register(async (child) => {
            block();
          });
        });
        export const db = fp(async function connect(fastify) {
          block();
          fastify.after(() => block());
        });
        async function routes(fastify) {
          await loadSchemas();
          block();
        }
        app.register(routes);
        app.ready(() => block());
        app.addHook('onReady', async function warmUp() {
          await connect();
          block();
        });
        app.addHook('onListen', () => block());
      `,
    },
    {
      name: "NestJS's onModuleInit and onApplicationBootstrap, awaited before the application listens",
      code: `
        import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
        @Injectable()
        export class PromptStore {
          async onModuleInit() {
            block();
            await this.warm();
            block();
          }
        }
        export class ToolRegistry implements OnApplicationBootstrap {
          onApplicationBootstrap() {
            block();
          }
        }
      `,
    },
    {
      name: "a 'listening' listener",
      code: `
        server.once('listening', () => block());
        server.on('listening', function () {
          block();
        });
      `,
    },
  ],
  invalid: [
    {
      name: 'listen of something that is not a server this file made: called per notification',
      code: `
        import postgres from 'postgres';
        const sql = postgres();
        sql.listen('jobs', (payload) => block(payload));
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: sql.listen callback' },
          line: 4, column: 41, endLine: 4, endColumn: 55,
        },
      ],
    },
    {
      name: "a Fastify plugin's routes and request hooks run per request; onClose at shutdown",
      code: `
        import Fastify from 'fastify';
        const app = Fastify();
        app.register(async (instance) => {
          instance.get('/tools', async (request) => block());
          instance.addHook('onRequest', async (request) => block());
        });
        app.addHook('onClose', async () => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: instance.get('/tools') handler" },
          line: 5, column: 53, endLine: 5, endColumn: 60,
        },
        {
          messageId: 'where',
          data: { where: 'event-loop: instance.addHook callback' },
          line: 6, column: 60, endLine: 6, endColumn: 67,
        },
        {
          messageId: 'where',
          data: { where: 'event-loop: app.addHook callback' },
          line: 8, column: 44, endLine: 8, endColumn: 51,
        },
      ],
    },
    {
      name: "register on anything but a Fastify app: a tool registry's handler runs per call",
      code: `
        registry.register('search', async (query) => block(query));
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: registry.register callback' },
          line: 2, column: 54, endLine: 2, endColumn: 66,
        },
      ],
    },
    {
      name: 'NestJS: the hook names only in a class NestJS manages; its other methods and shutdown hooks run on the loop',
      code: `
        import { Controller } from '@nestjs/common';
        export class Cache {
          async onModuleInit() {
            block();
          }
        }
        @Controller('runs')
        export class RunsController {
          async findAll() {
            return block();
          }
          async onModuleDestroy() {
            block();
          }
        }
      `,
      errors: [
        { messageId: 'where', data: { where: 'event-loop: async method Cache.onModuleInit' }, line: 5, column: 13, endLine: 5, endColumn: 20 },
        { messageId: 'where', data: { where: 'event-loop: async method RunsController.findAll' }, line: 11, column: 20, endLine: 11, endColumn: 27 },
        { messageId: 'where', data: { where: 'event-loop: async method RunsController.onModuleDestroy' }, line: 14, column: 13, endLine: 14, endColumn: 20 },
      ],
    },
    {
      name: 'a server started by a request runs its callback on the loop',
      code: `
        import http from 'node:http';
        app.post('/preview', async (req, res) => {
          http.createServer(handle).listen(0, () => block());
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: app.post('/preview') handler" },
          line: 4, column: 53, endLine: 4, endColumn: 60,
        },
      ],
    },
    {
      name: 'a request handler is not the listen callback',
      code: `
        import http from 'node:http';
        http.createServer((req, res) => block()).listen(3000);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: http.createServer callback' },
          line: 3, column: 41, endLine: 3, endColumn: 48,
        },
      ],
    },
  ],
});

ruleTester.run('context: async functions', contextProbe, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [],
  invalid: [
    {
      name: 'async function declaration',
      code: `
        async function runTool() {
          block();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function runTool' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'await of a sync call still blocks',
      code: `
        async function runTool() {
          await block();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function runTool' },
          line: 3, column: 17, endLine: 3, endColumn: 24,
        },
      ],
    },
    {
      name: 'async arrow in a const',
      code: `
        const runTool = async () => block();
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function runTool' },
          line: 2, column: 37, endLine: 2, endColumn: 44,
        },
      ],
    },
    {
      name: 'async function expression',
      code: `
        const f = async function named() {
          block();
        };
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function named' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'async method',
      code: `
        class Agent {
          async step() {
            block();
          }
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async method Agent.step' },
          line: 4, column: 13, endLine: 4, endColumn: 20,
        },
      ],
    },
    {
      name: 'async private method',
      code: `
        class Agent {
          async #step() {
            block();
          }
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async method Agent.#step' },
          line: 4, column: 13, endLine: 4, endColumn: 20,
        },
      ],
    },
    {
      name: 'async class field arrow',
      code: `
        class Agent {
          step = async () => {
            block();
          };
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async method Agent.step' },
          line: 4, column: 13, endLine: 4, endColumn: 20,
        },
      ],
    },
    {
      name: 'async object method',
      code: `
        const tools = {
          async read() {
            block();
          },
        };
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async method tools.read' },
          line: 4, column: 13, endLine: 4, endColumn: 20,
        },
      ],
    },
    {
      name: 'async generator',
      code: `
        async function* stream() {
          yield block();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async generator function stream' },
          line: 3, column: 17, endLine: 3, endColumn: 24,
        },
      ],
    },
    {
      name: 'async generator method',
      code: `
        class Agent {
          async *events() {
            yield block();
          }
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async generator method Agent.events' },
          line: 4, column: 19, endLine: 4, endColumn: 26,
        },
      ],
    },
    {
      name: 'default-exported anonymous async function',
      code: `
        export default async function () {
          block();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function default export' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'CommonJS exports assignment',
      ...cjs,
      code: `
        exports.handler = async (event) => block();
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function exports.handler' },
          line: 2, column: 44, endLine: 2, endColumn: 51,
        },
      ],
    },
    {
      name: 'an exported async function may be called by anyone',
      code: `
        export async function main() {
          block();
        }
        main();
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function main' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'an async function also used as a callback',
      code: `
        async function main() {
          block();
        }
        main();
        process.on('SIGHUP', main);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function main' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'an async function called from a handler',
      code: `
        async function reload() {
          block();
        }
        reload();
        server.on('request', () => reload());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function reload' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'sync callback of array iteration inherits',
      code: `
        async function all(files) {
          files.map((f) => block(f));
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function all' },
          line: 3, column: 28, endLine: 3, endColumn: 36,
        },
      ],
    },
    {
      name: 'new Promise executor inside async code inherits',
      code: `
        async function run() {
          return new Promise((resolve) => resolve(block()));
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function run' },
          line: 3, column: 51, endLine: 3, endColumn: 58,
        },
      ],
    },
    {
      name: 'sync function nested in async code',
      code: `
        async function run() {
          function inner() {
            block();
          }
          inner();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function run' },
          line: 4, column: 13, endLine: 4, endColumn: 20,
        },
      ],
    },
    {
      name: 'after the first await of an async IIFE',
      code: `
        (async () => {
          await ready();
          block();
        })();
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async IIFE' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
        },
      ],
    },
    {
      name: 'a loop that awaits runs later iterations on the loop',
      code: `
        (async () => {
          for (const x of xs) {
            block();
            await next();
          }
        })();
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async IIFE' },
          line: 4, column: 13, endLine: 4, endColumn: 20,
        },
      ],
    },
    {
      name: 'in a class declared inside async code',
      code: `
        async function make() {
          return class {
            static x = block();
          };
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function make' },
          line: 4, column: 24, endLine: 4, endColumn: 31,
        },
      ],
    },
    {
      name: 'TS wrappers do not hide the function',
      code: `
        const run = (async () => {
          block();
        }) as () => Promise<void>;
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: async function run' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
  ],
});

ruleTester.run('context: callbacks passed to calls are deferred', contextProbe, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [],
  invalid: [
    {
      name: 'setTimeout',
      code: `
        setTimeout(() => block(), 10);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: setTimeout callback' },
          line: 2, column: 26, endLine: 2, endColumn: 33,
        },
      ],
    },
    {
      name: 'setImmediate',
      code: `
        setImmediate(function () {
          block();
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: setImmediate callback' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'queueMicrotask',
      code: `
        queueMicrotask(() => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: queueMicrotask callback' },
          line: 2, column: 30, endLine: 2, endColumn: 37,
        },
      ],
    },
    {
      name: 'process.nextTick',
      code: `
        process.nextTick(() => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: process.nextTick callback' },
          line: 2, column: 32, endLine: 2, endColumn: 39,
        },
      ],
    },
    {
      name: 'emitter listener',
      code: `
        stream.on('data', (chunk) => block(chunk));
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: 'data' listener" },
          line: 2, column: 38, endLine: 2, endColumn: 50,
        },
      ],
    },
    {
      name: 'once listener',
      code: `
        socket.once('close', () => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: 'close' listener" },
          line: 2, column: 36, endLine: 2, endColumn: 43,
        },
      ],
    },
    {
      name: 'process signal handler',
      code: `
        process.on('SIGTERM', () => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: 'SIGTERM' listener" },
          line: 2, column: 37, endLine: 2, endColumn: 44,
        },
      ],
    },
    {
      name: 'http.createServer',
      code: `
        import http from 'node:http';
        http.createServer((req, res) => {
          block();
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: http.createServer callback' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
        },
      ],
    },
    {
      name: 'route handler',
      code: `
        app.get('/tools', (req, res) => {
          block();
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: app.get('/tools') handler" },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'a method named like a route whose first argument is no path',
      code: `
        session.post('Profiler.stop', (err, res) => {
          block();
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: session.post callback' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'async route handler',
      code: `
        router.post('/run', async (req, res) => {
          block();
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: router.post('/run') handler" },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: '.then callback',
      code: `
        load().then((x) => block(x));
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: .then callback' },
          line: 2, column: 28, endLine: 2, endColumn: 36,
        },
      ],
    },
    {
      name: '.catch callback',
      code: `
        load().catch(() => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: .catch callback' },
          line: 2, column: 28, endLine: 2, endColumn: 35,
        },
      ],
    },
    {
      name: 'bound function passed as a listener',
      code: `
        emitter.on('tick', function () {
          block();
        }.bind(this));
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: 'tick' listener" },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'unknown API: functions handed over are called later',
      code: `
        schedule(() => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: schedule callback' },
          line: 2, column: 24, endLine: 2, endColumn: 31,
        },
      ],
    },
    {
      name: 'array iteration inside a deferred callback inherits it',
      code: `
        setInterval(() => {
          items.forEach((i) => block(i));
        }, 1000);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: setInterval callback' },
          line: 3, column: 32, endLine: 3, endColumn: 40,
        },
      ],
    },
    {
      name: 'object method passed to a constructor',
      code: `
        new Transform({
          transform(chunk, enc, cb) {
            cb(null, block(chunk));
          },
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: transform() passed to new Transform' },
          line: 4, column: 22, endLine: 4, endColumn: 34,
        },
      ],
    },
    {
      name: 'listener registered in a sync setup function',
      code: `
        function setup(server) {
          server.on('request', () => block());
        }
        setup(s);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "event-loop: 'request' listener" },
          line: 3, column: 38, endLine: 3, endColumn: 45,
        },
      ],
    },
    {
      name: 'on* handler property',
      code: `
        ws.onmessage = (event) => block(event);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: ws.onmessage handler' },
          line: 2, column: 35, endLine: 2, endColumn: 47,
        },
      ],
    },
    {
      name: 'CommonJS',
      ...cjs,
      code: `
        const http = require('http');
        http.createServer(function (req, res) {
          block();
        }).listen(3000);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: http.createServer callback' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
        },
      ],
    },
    {
      name: 'TSX: a hook callback is deferred, the component body is not',
      filename: 'file.tsx',
      code: `
        export function App() {
          const data = block();
          useEffect(() => {
            block();
          });
          return <div>{data}</div>;
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: useEffect callback' },
          line: 5, column: 13, endLine: 5, endColumn: 20,
        },
      ],
    },
    {
      name: 'JavaScript ESM',
      filename: 'file.js',
      code: `
        import { setTimeout as wait } from 'node:timers';
        wait(() => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'event-loop: wait callback' },
          line: 3, column: 20, endLine: 3, endColumn: 27,
        },
      ],
    },
  ],
});

ruleTester.run('context: exempt code', contextProbe, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [],
  invalid: [
    {
      name: "process.on('exit') must be synchronous",
      code: `
        process.on('exit', () => block());
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "exempt: process.on('exit') handler" },
          line: 2, column: 34, endLine: 2, endColumn: 41,
        },
      ],
    },
    {
      name: "process.once('exit')",
      code: `
        process.once('exit', function () {
          block();
        });
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "exempt: process.once('exit') handler" },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
  ],
});
