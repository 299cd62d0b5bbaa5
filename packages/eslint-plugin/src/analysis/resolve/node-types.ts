import { isBuiltin } from 'node:module';
import { relative } from 'node:path';
import type * as ts from 'typescript';

// Per program: typescript-eslint keeps one program per project between files, so this is asked once each.
const nodeTypesByProgram = new WeakMap<ts.Program, boolean>();
// Per process (one ESLint run): one line per project, however many files and rules ask.
const warnedProjects = new Set<string>();

/**
 * True when the program declares Node's built-in modules (`@types/node` is in it). Without them, TypeScript 6
 * (whose `types` defaults to none) types `import fs from 'node:fs'` as an error, and the checker cannot tell
 * where `fs.readFileSync` is declared.
 */
export function hasNodeTypes(program: ts.Program): boolean {
  let known = nodeTypesByProgram.get(program);
  if (known === undefined) {
    known = program
      .getTypeChecker()
      .getAmbientModules()
      .some((module) => module.name === '"fs"' || module.name === '"node:fs"');
    nodeTypesByProgram.set(program, known);
  }
  return known;
}

/**
 * True when a file of the program (not a library) imports one of Node's built-in modules at its top level:
 * a browser project without Node's types has nothing to be told.
 */
function importsNodeBuiltins(program: ts.Program): boolean {
  return program.getSourceFiles().some((file) => {
    if (file.isDeclarationFile || program.isSourceFileFromExternalLibrary(file)) return false;
    return file.statements.some((statement) => {
      const specifier = (statement as { moduleSpecifier?: ts.Expression }).moduleSpecifier;
      return specifier !== undefined && 'text' in specifier && typeof specifier.text === 'string' && isBuiltin(specifier.text);
    });
  });
}

/** The tsconfig a program was made from, relative to the working directory, or how it was made. */
export function projectNameOf(program: ts.Program): string {
  const configFile = program.getCompilerOptions().configFilePath;
  if (typeof configFile !== 'string') return 'the default project (no tsconfig.json)';
  const name = relative(process.cwd(), configFile);
  return name === '' || name.startsWith('..') ? configFile : name;
}

/**
 * Says once per run and project, on stderr, that the program lacks Node's types and how to fix it, when
 * its files import Node's modules: the rules keep working by name, but the user would not know why the
 * type checker seems unused.
 */
export function warnOnceWithoutNodeTypes(program: ts.Program): void {
  if (hasNodeTypes(program)) return;
  const project = projectNameOf(program);
  if (warnedProjects.has(project)) return;
  warnedProjects.add(project);
  if (!importsNodeBuiltins(program)) return;
  console.warn(
    `agent-lag: ${project} has no Node.js types ('node:fs' does not resolve), so Node's built-in modules are resolved by name only; ` +
      `fix: add "types": ["node"] to its compilerOptions and install @types/node.`,
  );
}
