// The slice of autocannon 9's API the demo uses (the package ships no types).
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    timeout?: number;
  }
  interface Histogram {
    average: number;
    p50: number;
    p99: number;
    max: number;
    total: number;
  }
  interface AutocannonResult {
    requests: Histogram;
    latency: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
  }
  /** The run: a promise of its result and an emitter of each answer (`client` is the session's connection). */
  interface Instance extends Promise<AutocannonResult> {
    stop(): void;
    on(event: 'response', listener: (client: object, statusCode: number, resBytes: number, responseTimeMs: number) => void): void;
  }
  function autocannon(options: AutocannonOptions): Instance;
  export default autocannon;
}
