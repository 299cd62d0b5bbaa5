import { EventEmitter } from 'node:events';
import { Session } from 'node:inspector';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quickExpression } from '../src/capture/stack-capturer.js';
import { installContextAccessor } from '../src/context/index.js';
import { captureStackAbove } from '../src/inflight/call-sites.js';
import { BlockEventBuilder } from '../src/watchdog/block-events.js';

/*
 * A block's stack comes from a debugger pause, a quick sample (an evaluated `new Error().stack`) or a sync
 * wrapper's report (a stack captured above the wrapped call). The same code must read the same in all
 * three: the names are in the block line a user reads, and in the signature that groups repeats.
 */

const session = new Session();
let pausedNames: string[] = [];
const events = new BlockEventBuilder('file:///not-the-monitor/');

beforeAll(() => {
  session.connect();
  session.on('Debugger.paused', (message) => {
    pausedNames = message.params.callFrames.map((frame) => frame.functionName);
  });
  session.post('Debugger.enable');
  installContextAccessor();
});
afterAll(() => session.disconnect());

interface CallerNames {
  pause: string | undefined;
  quickSample: string | undefined;
  syncWrapper: string | undefined;
}

/** The name each way gives to the function that called this one. */
function namesOfCaller(): CallerNames {
  // eslint-disable-next-line no-debugger -- the pause is one of the three ways under test
  debugger;
  const pause = pausedNames[1];
  const [quickText] = JSON.parse((0, eval)(quickExpression(null)) as string) as [string];
  const quick = events.parseStackText(quickText).map((frame) => frame.functionName);
  const wrapper = events.parseStackText(captureStackAbove(namesOfCaller, 16));
  return { pause, quickSample: quick[quick.indexOf('namesOfCaller') + 1], syncWrapper: wrapper[0]?.functionName };
}

const allThree = (name: string): CallerNames => ({ pause: name, quickSample: name, syncWrapper: name });

describe('a stack taken by a quick sample or a sync wrapper names its functions as a pause does', () => {
  it("an arrow passed to setTimeout: '' (V8's own text says Timeout._onTimeout)", async () => {
    const names = await new Promise<CallerNames>((resolve) => setTimeout(() => resolve(namesOfCaller()), 0));
    expect(names).toEqual(allThree(''));
  });

  it("an anonymous function assigned to a property: its inferred name 'tool.run' (V8's own text says run)", () => {
    const tool: { run?: () => CallerNames } = {};
    tool.run = function () {
      return namesOfCaller();
    };
    expect(tool.run()).toEqual(allThree('tool.run'));
  });

  it('a named function stored under another key: its own name', () => {
    const handlers = {
      onCall: function summarizeRepo(): CallerNames {
        return namesOfCaller();
      },
    };
    expect(handlers.onCall()).toEqual(allThree('summarizeRepo'));
  });

  it('a class method and a getter', () => {
    class Tool {
      execute(): CallerNames {
        return namesOfCaller();
      }
      get schema(): CallerNames {
        return namesOfCaller();
      }
    }
    expect(new Tool().execute()).toEqual(allThree('execute'));
    expect(new Tool().schema).toEqual(allThree('get schema'));
  });

  it("an arrow listening to an event emitter: '' (V8's own text says EventEmitter.<anonymous>)", () => {
    const emitter = new EventEmitter();
    let names: CallerNames | null = null;
    emitter.on('call', () => (names = namesOfCaller()));
    emitter.emit('call');
    expect(names).toEqual(allThree(''));
  });
});
