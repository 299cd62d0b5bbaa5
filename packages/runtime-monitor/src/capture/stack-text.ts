/*
 * Stack text whose frames carry each function's own name, as the inspector's pauses give it. V8's default
 * text names a function by how it was reached: an anonymous timer callback reads `Timeout._onTimeout` and
 * `o.run = function () {}` reads `o.run` or `Object.run`, where a pause says '' and 'o.run'. Quick samples
 * and the sync wrappers' reports format their stacks with this, so the same block has the same frames,
 * and so the same signature, whichever way its stack was taken.
 */

/** First line of a stack formatted by formatCallSites (V8's own text starts with the error's message). */
export const EXACT_NAMES_HEADER = 'agent-lag:exact-names';

/** An `Error.prepareStackTrace`: "    at name (file:line:column)", or "    at file:line:column" for ''. */
export function formatCallSites(_error: unknown, callSites: readonly NodeJS.CallSite[]): string {
  let text = EXACT_NAMES_HEADER;
  for (const site of callSites) {
    const location = `${site.getFileName() ?? '<anonymous>'}:${site.getLineNumber() ?? 0}:${site.getColumnNumber() ?? 0}`;
    const name = site.getFunctionName() ?? '';
    text += name === '' ? `\n    at ${location}` : `\n    at ${name} (${location})`;
  }
  return text;
}
