import { AST_NODE_TYPES, ASTUtils, TSESLint } from '@typescript-eslint/utils';
import type { TSESTree } from '@typescript-eslint/utils';
import { staticName } from './ast.js';
import type { FunctionNode } from './ast.js';

/*
 * Framework lifecycle hooks that run once while an application starts, before it serves: NestJS calls the
 * `onModuleInit` and `onApplicationBootstrap` of every module, provider and controller, and awaits them, before
 * `app.listen()` returns. A method of that name is one only in a class NestJS manages, known by what the file
 * imports: the class is decorated with (`@Injectable()`, `@Controller()`, `@Module()`) or implements
 * (`OnModuleInit`) something imported from `@nestjs/common`. Its other hooks (`onModuleDestroy`,
 * `onApplicationShutdown`, ...) run at shutdown, while requests may still be in flight: not these.
 */

const NEST_COMMON = '@nestjs/common';
const NEST_BOOT_HOOKS: ReadonlySet<string> = new Set(['onModuleInit', 'onApplicationBootstrap']);

/** Whether `node` (an identifier, or a decorator call of one) is bound to an import from `module`. */
function isImportFrom(sourceCode: Readonly<TSESLint.SourceCode>, node: TSESTree.Node, module: string): boolean {
  const identifier = node.type === AST_NODE_TYPES.CallExpression ? node.callee : node;
  if (identifier.type !== AST_NODE_TYPES.Identifier) return false;
  const definition = ASTUtils.findVariable(sourceCode.getScope(identifier), identifier)?.defs[0];
  return definition?.type === TSESLint.Scope.DefinitionType.ImportBinding && definition.parent.type === AST_NODE_TYPES.ImportDeclaration && definition.parent.source.value === module;
}

/** Whether `fn` is a NestJS boot hook: see above. */
export function isBootLifecycleHook(sourceCode: Readonly<TSESLint.SourceCode>, fn: FunctionNode): boolean {
  const method = fn.parent;
  if (method?.type !== AST_NODE_TYPES.MethodDefinition || method.value !== fn || method.static || method.kind !== 'method') return false;
  if (!NEST_BOOT_HOOKS.has(staticName(method.key, method.computed) ?? '')) return false;
  const cls = method.parent.parent;
  return (
    cls.decorators.some((decorator) => isImportFrom(sourceCode, decorator.expression, NEST_COMMON)) ||
    cls.implements.some((clause) => isImportFrom(sourceCode, clause.expression, NEST_COMMON))
  );
}
