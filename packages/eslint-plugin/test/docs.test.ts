import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

// Every rule links to its page, and the page documents every option its schema accepts.
const docsDir = new URL('../docs/rules/', import.meta.url);
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
// no-busy-wait and no-blocking-helper document themselves (their own test covers them).
const RULES = Object.entries(plugin.rules).filter(([name]) => name !== 'no-busy-wait' && name !== 'no-blocking-helper');

describe('rule docs', () => {
  it.each(RULES)('%s has a page at its docs URL that covers every option', (name, rule) => {
    expect(rule.meta.docs?.url).toBe(`https://github.com/agent-lag/agent-lag/blob/main/packages/eslint-plugin/docs/rules/${name}.md`);
    const page = new URL(`${name}.md`, docsDir);
    expect(existsSync(page)).toBe(true);
    const text = readFileSync(page, 'utf8');
    expect(text).toContain('## Incorrect');
    expect(text).toContain('## Correct');
    const schema = (rule.meta.schema as unknown as { properties?: Record<string, unknown> }[])[0];
    for (const option of Object.keys(schema?.properties ?? {})) expect(text).toContain(`\`${option}\``);
  });

  it('lists every rule in the README rules table', () => {
    for (const name of Object.keys(plugin.rules)) expect(readme).toContain(`[\`${name}\`](docs/rules/${name}.md)`);
  });
});
