import Module from 'node:module';
import { describeError, warnOnce } from '../../warnings.js';

/*
 * require-in-the-middle, installed on demand. Once installed it resolves every require() of the app to a
 * file name before Node does (each require() resolved twice), and loading it costs a few milliseconds
 * (its `debug` dependency). A host that has an SDK installed but never requires it should pay neither:
 * until then a gate stands in Module.prototype.require that compares the id with the SDKs' package names
 * — a few string comparisons — and, on the first require() of one (`ai`, `@langchain/core/tools`, …),
 * installs the hook and hands that require() to it. An SDK's files are only reached through such an id
 * (its own files require each other relatively, after its entry was required by name).
 */

/**
 * Puts the gate in place: `install` runs once, on the first require() of a package in `packageNames` or
 * one of its files; it installs the require() hook that sees that require() and every one after it.
 */
export function installRequireGate(packageNames: readonly string[], install: () => void): void {
  const prototype = Module.prototype;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the module it is called on, as Node does
  const original = prototype.require;
  let opened = false;
  const namesSdk = (id: string): boolean =>
    packageNames.some((name) => id.startsWith(name) && (id.length === name.length || id.charCodeAt(name.length) === 0x2f /* / */));
  const gate = function agentLagRequireGate(this: Module, id: string): unknown {
    if (opened || typeof id !== 'string' || !namesSdk(id)) return original.call(this, id);
    opened = true;
    // Out of the chain first when nothing wrapped require() after us, so the hook wraps Node's own require.
    if (prototype.require === gate) prototype.require = original;
    try {
      install();
    } catch (error) {
      warnOnce('AGENT_LAG_AGENT_HOOKS', `agent SDK require() hook not installed: ${describeError(error)} (blocks will not name tools or agents of SDKs the app requires, unless it calls the adapters itself)`);
    }
    // From the top of the chain, so the hook just installed sees this require() too.
    return prototype.require.call(this, id);
  };
  prototype.require = gate;
}
