import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  /** p99 latency of every request sent, the ones still waiting when the load stopped counted with the time they had waited. */
  p99LatencyMs: number;
  /** The p99 is a request that was still waiting when the load stopped: the true figure is higher. */
  p99AtLeast: boolean;
  completed: number;
  failed: number;
}

/**
 * The p99 of the answered requests' latencies together with the waits of those still unanswered. A load
 * tool's own p99 leaves the unanswered out, and when the loop is frozen they are the slowest: with sync
 * tools a few requests complete in the window while every session waits on one sent long before. Their
 * wait so far is a lower bound of their latency, so a p99 that is one of them is a lower bound too.
 */
export function p99WithWaiting(answeredMs: readonly number[], waitingMs: readonly number[]): { ms: number; atLeast: boolean } {
  const all = [...answeredMs.map((ms) => ({ ms, atLeast: false })), ...waitingMs.map((ms) => ({ ms, atLeast: true }))];
  if (all.length === 0) return { ms: 0, atLeast: false };
  all.sort((a, b) => a.ms - b.ms || Number(a.atLeast) - Number(b.atLeast));
  return all[Math.ceil(all.length * 0.99) - 1]!;
}

/** Bounded load on the agent endpoint: `connections` concurrent sessions for `durationS` seconds. */
export async function putLoad(url: string, { durationS, connections }: { durationS: number; connections: number }): Promise<LoadResult> {
  const startedAt = performance.now();
  const load = autocannon({
    url: `${url}/agent/run`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'How long do refunds take?' }),
    connections,
    duration: durationS,
    timeout: 30,
  });
  // One request at a time per session, the next sent as the previous is answered: a session's request
  // still open at the end was sent at its last answer (at the start when it had none).
  const answeredMs: number[] = [];
  const lastAnswerAt = new Map<object, number>();
  load.on('response', (client, _statusCode, _bytes, responseTimeMs) => {
    answeredMs.push(responseTimeMs);
    lastAnswerAt.set(client, performance.now());
  });
  const result = await load;
  const stoppedAt = performance.now();
  const waitingMs = [...lastAnswerAt.values()].map((at) => stoppedAt - at);
  for (let unanswered = connections - lastAnswerAt.size; unanswered > 0; unanswered--) waitingMs.push(stoppedAt - startedAt);
  const p99 = p99WithWaiting(answeredMs, waitingMs);
  return {
    requestsPerSecond: result.requests.average,
    p99LatencyMs: p99.ms,
    p99AtLeast: p99.atLeast,
    completed: result['2xx'],
    failed: result.errors + result.timeouts + result.non2xx,
  };
}
