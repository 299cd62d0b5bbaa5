export { cliVersion, createProgram, main } from './main.js';
