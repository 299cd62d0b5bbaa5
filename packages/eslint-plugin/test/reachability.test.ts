import { RuleTester } from '@typescript-eslint/rule-tester';
import { contextProbe } from './context-probe.js';

/*
 * Reachability (strict mode): a sync helper in the same file that event-loop code calls, directly or
 * through other helpers, is reported at the blocking call, naming the helper and the async caller.
 */
const ruleTester = new RuleTester();
const strict = [{ reachability: true }] as [{ reachability: boolean }];

ruleTester.run('reachability', contextProbe, {
  assertionOptions: { requireLocation: true, requireData: true },
  valid: [
    {
      name: 'without the option, helpers are start-up',
      code: `
        function load() {
          block();
        }
        async function run() {
          load();
        }
      `,
    },
    {
      name: 'helper called only at start-up',
      options: strict,
      code: `
        function load() {
          block();
        }
        load();
      `,
    },
    {
      name: 'helper called from nowhere',
      options: strict,
      code: `
        export function load() {
          block();
        }
      `,
    },
    {
      name: 'helper called only from an exit handler',
      options: strict,
      code: `
        function flush() {
          block();
        }
        process.on('exit', () => flush());
      `,
    },
    {
      name: 'an instance reaches its instance methods only, a class name its static ones',
      options: strict,
      code: `
        class Store {
          static open() {
            block();
          }
          hash() {
            block();
          }
        }
        const store = new Store();
        async function handle() {
          store.open();
          Store.hash();
        }
      `,
    },
    {
      name: 'a let bound to an instance and assigned again could hold anything',
      options: strict,
      code: `
        class Store {
          hash() {
            block();
          }
        }
        let store = new Store();
        store = other;
        async function handle() {
          store.hash();
        }
      `,
    },
    {
      name: 'a shadowing local is another function',
      options: strict,
      code: `
        function load() {
          block();
        }
        async function run(load) {
          load();
        }
      `,
    },
    {
      name: 'a reassigned let could be anything',
      options: strict,
      code: `
        let load = () => block();
        load = () => 1;
        async function run() {
          load();
        }
      `,
    },
    {
      name: 'a named function handed to an unknown API is not assumed to be called back',
      options: strict,
      code: `
        function Stream() {
          block();
        }
        inherits(Stream, EventEmitter);
        const later = promisify(Stream);
      `,
    },
    {
      name: 'cycle between start-up helpers',
      options: strict,
      code: `
        function a(n) {
          if (n) b(n - 1);
          block();
        }
        function b(n) {
          a(n);
        }
        a(3);
      `,
    },
  ],
  invalid: [
    {
      name: 'helper declared after its async caller (hoisting)',
      options: strict,
      code: `
        async function runTool() {
          return load();
        }
        function load() {
          return block();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper load ← async function runTool' },
          line: 6, column: 18, endLine: 6, endColumn: 25,
        },
      ],
    },
    {
      name: 'helper declared before its async caller',
      options: strict,
      code: `
        const load = () => block();
        export const runTool = async () => load();
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper load ← async function runTool' },
          line: 2, column: 28, endLine: 2, endColumn: 35,
        },
      ],
    },
    {
      name: 'transitively, naming the async root',
      options: strict,
      code: `
        function read() {
          return block();
        }
        function parse() {
          return read();
        }
        async function handle() {
          parse();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper read ← async function handle' },
          line: 3, column: 18, endLine: 3, endColumn: 25,
        },
      ],
    },
    {
      name: 'method via this.helper()',
      options: strict,
      code: `
        class Agent {
          async step() {
            this.loadState();
          }
          loadState() {
            return block();
          }
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Agent.loadState ← async method Agent.step' },
          line: 7, column: 20, endLine: 7, endColumn: 27,
        },
      ],
    },
    {
      name: 'private method via this.#helper() from an arrow class field',
      options: strict,
      code: `
        class Agent {
          run = async () => {
            this.#read();
          };
          #read() {
            block();
          }
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Agent.#read ← async method Agent.run' },
          line: 7, column: 13, endLine: 7, endColumn: 20,
        },
      ],
    },
    {
      name: 'static method via the class name',
      options: strict,
      code: `
        class Store {
          static read() {
            return block();
          }
        }
        async function handle() {
          Store.read();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Store.read ← async function handle' },
          line: 4, column: 20, endLine: 4, endColumn: 27,
        },
      ],
    },
    {
      name: 'instance method via a const bound to a new instance of a local class',
      options: strict,
      code: `
        class Store {
          hash(password) {
            return block(password);
          }
        }
        const store = new Store();
        async function login(password) {
          return store.hash(password);
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Store.hash ← async function login' },
          line: 4, column: 20, endLine: 4, endColumn: 35,
        },
      ],
    },
    {
      name: 'instance method via an instance made inside a timer callback',
      options: strict,
      code: `
        class Store {
          hash(password) {
            return block(password);
          }
        }
        setInterval(() => {
          const store = new Store();
          store.hash('x');
        }, 1000);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Store.hash ← setInterval callback' },
          line: 4, column: 20, endLine: 4, endColumn: 35,
        },
      ],
    },
    {
      name: 'a method a subclass inherits from a local base class, through an instance and through this',
      options: strict,
      code: `
        class Store {
          hash(password) {
            return block(password);
          }
        }
        class UserStore extends Store {
          async login(password) {
            return this.hash(password);
          }
        }
        const users = new UserStore();
        setInterval(() => users.hash('x'), 1000);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Store.hash ← async method UserStore.login' },
          line: 4, column: 20, endLine: 4, endColumn: 35,
        },
      ],
    },
    {
      name: "an overloaded method's body, not its signatures (TypeScript), inherited",
      options: strict,
      code: `
        class Store {
          hash(password: string): string;
          hash(password: Buffer): string;
          hash(password: string | Buffer) {
            return block(password);
          }
        }
        class UserStore extends Store {}
        const users = new UserStore();
        export async function login(password: string) {
          return users.hash(password);
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Store.hash ← async function login' },
          line: 6, column: 20, endLine: 6, endColumn: 35,
        },
      ],
    },
    {
      name: 'object literal method via the object',
      options: strict,
      code: `
        const util = {
          read() {
            return block();
          },
        };
        async function handle() {
          util.read();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper util.read ← async function handle' },
          line: 4, column: 20, endLine: 4, endColumn: 27,
        },
      ],
    },
    {
      name: 'constructor of a class built in event-loop code',
      options: strict,
      code: `
        class Session {
          state = block();
        }
        async function open() {
          return new Session();
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper Session constructor ← async function open' },
          line: 3, column: 19, endLine: 3, endColumn: 26,
        },
      ],
    },
    {
      name: 'helper passed as a deferred callback',
      options: strict,
      code: `
        function flush() {
          block();
        }
        setInterval(flush, 1000);
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper flush ← setInterval callback' },
          line: 3, column: 11, endLine: 3, endColumn: 18,
        },
      ],
    },
    {
      name: 'helper passed to array iteration inside async code',
      options: strict,
      code: `
        function read(f) {
          return block(f);
        }
        async function all(files) {
          return files.map(read);
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper read ← async function all' },
          line: 3, column: 18, endLine: 3, endColumn: 26,
        },
      ],
    },
    {
      name: 'helper called from a route handler',
      options: strict,
      code: `
        function render() {
          return block();
        }
        app.get('/', (req, res) => res.send(render()));
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: "helper render ← app.get('/') handler" },
          line: 3, column: 18, endLine: 3, endColumn: 25,
        },
      ],
    },
    {
      name: 'cycle reached from async code',
      options: strict,
      code: `
        function a(n) {
          if (n) b(n - 1);
          block();
        }
        function b(n) {
          a(n);
        }
        async function go() {
          b(2);
        }
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper a ← async function go' },
          line: 4, column: 11, endLine: 4, endColumn: 18,
        },
      ],
    },
    {
      name: 'CommonJS',
      options: strict,
      languageOptions: { sourceType: 'commonjs' },
      code: `
        function read() {
          return block();
        }
        module.exports.handler = async function () {
          read();
        };
      `,
      errors: [
        {
          messageId: 'where',
          data: { where: 'helper read ← async function module.exports.handler' },
          line: 3, column: 18, endLine: 3, endColumn: 25,
        },
      ],
    },
  ],
});
