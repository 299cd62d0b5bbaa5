import { createCategoryRule } from './category-rule.js';

export const noAtomicsWait = createCategoryRule(
  'no-atomics-wait',
  'atomics',
  'Disallow `Atomics.wait` on the event loop (`Atomics.waitAsync` is fine)',
);

export default noAtomicsWait;
