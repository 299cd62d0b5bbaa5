/**
 * Observes a framework assigning a property on its shared request prototype (Express's `req.route`,
 * @koa/router's `ctx._matchedRoute`): the moment the route template becomes known, with no
 * per-request closure. The value itself is kept under a private symbol, so reads behave as before.
 */
const hooked = new WeakMap<object, Set<string>>();

export function observeAssignment(
  proto: object,
  property: string,
  enumerable: boolean,
  onAssign: (target: object, value: unknown) => void,
): void {
  let properties = hooked.get(proto);
  if (properties?.has(property) === true) return;
  if (properties === undefined) hooked.set(proto, (properties = new Set()));
  properties.add(property);
  const existing = Object.getOwnPropertyDescriptor(proto, property);
  if (existing !== undefined && existing.configurable === false) return;
  const slot = Symbol(`agent-lag.${property}`);
  Object.defineProperty(proto, property, {
    configurable: true,
    enumerable,
    get(this: Record<symbol, unknown>): unknown {
      return this[slot];
    },
    set(this: Record<symbol, unknown>, value: unknown) {
      this[slot] = value;
      onAssign(this, value);
    },
  });
}
