import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p99LatencyMs: number;
  completed: number;
  failed: number;
}

/** Bounded load on the agent endpoint: `connections` concurrent sessions for `durationS` seconds. */
export async function putLoad(url: string, { durationS, connections }: { durationS: number; connections: number }): Promise<LoadResult> {
  const result = await autocannon({
    url: `${url}/agent/run`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'How long do refunds take?' }),
    connections,
    duration: durationS,
    timeout: 30,
  });
  return {
    requestsPerSecond: result.requests.average,
    p99LatencyMs: result.latency.p99,
    completed: result['2xx'],
    failed: result.errors + result.timeouts + result.non2xx,
  };
}
