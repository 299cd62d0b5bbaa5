/* Thread-pool starvation: how long a tiny libuv pool job waits for a thread. */
export { startThreadPoolProbe, type ThreadPoolProbe, type ThreadPoolProbeOptions } from './probe.js';
