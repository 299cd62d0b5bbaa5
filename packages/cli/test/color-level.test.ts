import { describe, expect, it } from 'vitest';
import { colorLevel, type ColorInputs } from '../src/main.js';

/** A terminal whose colour depth Node would report as `bits` (it also reads FORCE_COLOR and NO_COLOR: they must not reach it). */
function terminal(bits: number): ColorInputs['stream'] {
  return {
    isTTY: true,
    getColorDepth: (env?: object) => {
      expect(env).not.toHaveProperty('FORCE_COLOR');
      expect(env).not.toHaveProperty('NO_COLOR');
      return bits;
    },
  };
}
const pipe: ColorInputs['stream'] = { isTTY: false };

describe('colorLevel', () => {
  it.each([
    // flag, env, stream, level
    ['a 256-colour terminal', undefined, {}, terminal(8), 2],
    ['a truecolor terminal', undefined, {}, terminal(24), 3],
    ['a terminal without colours (TERM=dumb)', undefined, {}, terminal(1), 0],
    ['a pipe', undefined, {}, pipe, 0],
    ['NO_COLOR on a terminal', undefined, { NO_COLOR: '1' }, terminal(24), 0],
    ['NO_COLOR empty (not set, per no-color.org)', undefined, { NO_COLOR: '' }, terminal(8), 2],
    ['FORCE_COLOR=1 on a pipe', undefined, { FORCE_COLOR: '1' }, pipe, 1],
    ['FORCE_COLOR empty', undefined, { FORCE_COLOR: '' }, pipe, 1],
    ['FORCE_COLOR=true', undefined, { FORCE_COLOR: 'true' }, pipe, 1],
    ['FORCE_COLOR=3', undefined, { FORCE_COLOR: '3' }, pipe, 3],
    ['FORCE_COLOR=9 (capped)', undefined, { FORCE_COLOR: '9' }, pipe, 3],
    ['FORCE_COLOR=0 on a terminal', undefined, { FORCE_COLOR: '0' }, terminal(24), 0],
    ['FORCE_COLOR=false on a terminal', undefined, { FORCE_COLOR: 'false' }, terminal(24), 0],
    ['FORCE_COLOR over NO_COLOR', undefined, { FORCE_COLOR: '2', NO_COLOR: '1' }, pipe, 2],
    ['--no-color over FORCE_COLOR', false, { FORCE_COLOR: '3' }, terminal(24), 0],
    ['--color on a pipe', true, {}, pipe, 1],
    ['--color keeps a terminal\'s depth', true, {}, terminal(24), 3],
    ['--color over NO_COLOR', true, { NO_COLOR: '1' }, pipe, 1],
    ['--color over FORCE_COLOR=0', true, { FORCE_COLOR: '0' }, pipe, 1],
    ['--color with FORCE_COLOR=2', true, { FORCE_COLOR: '2' }, pipe, 2],
  ] as const)('%s', (_name, flag, env, stream, level) => {
    expect(colorLevel({ flag, env, stream })).toBe(level);
  });
});
