import { describe, expect, it } from 'vitest';
import { createLagSampler } from '../src/lag/lag-sampler.js';

/*
 * The lag sampler's figures when its timer sleeps through an idle loop (on-demand beats): the periods it
 * slept are samples of zero lag, a block that began then is one late sample. Real perf_hooks histograms.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a paused lag sampler', () => {
  it('counts each period it slept as a zero-lag sample', async () => {
    const sampler = createLagSampler('perf_hooks', 10);
    sampler.pause();
    expect(sampler.paused).toBe(true);
    await sleep(300);
    const figures = sampler.total();
    sampler.stop();
    // About 30 periods of 10 ms; timers may run late on a loaded machine, never early.
    expect(figures.samples).toBeGreaterThanOrEqual(25);
    expect(figures).toMatchObject({ minMs: 0, maxMs: 0, meanMs: 0, stddevMs: 0, p50Ms: 0, p99Ms: 0, source: 'perf_hooks' });
  });

  it('keeps a block that began while it slept as one late sample, and the zeros weigh in the percentiles', async () => {
    const sampler = createLagSampler('perf_hooks', 10);
    sampler.pause();
    await sleep(200);
    sampler.recordBlock(500);
    sampler.resume();
    expect(sampler.paused).toBe(false);
    const figures = sampler.window();
    sampler.stop();
    // The histograms keep two significant digits: values within 1%.
    const near500 = (value: number) => value >= 495 && value <= 505;
    expect(figures.maxMs, String(figures.maxMs)).toSatisfy(near500);
    // One sample of 500 ms among ~20 zeros: the median is zero, the mean 500 / samples.
    expect(figures.p50Ms).toBe(0);
    expect(figures.samples).toBeGreaterThanOrEqual(15);
    expect(figures.meanMs * figures.samples, String(figures.meanMs)).toSatisfy(near500);
    expect(figures.p99Ms, String(figures.p99Ms)).toSatisfy(near500);
    // The window was read: the next one starts empty.
    expect(sampler.window().samples).toBe(0);
  });

  it('ignores a block recorded while it runs (the timer saw it itself)', () => {
    const sampler = createLagSampler('perf_hooks', 10);
    sampler.recordBlock(500);
    const figures = sampler.total();
    sampler.stop();
    expect(figures.maxMs).toBeLessThan(500);
  });
});
