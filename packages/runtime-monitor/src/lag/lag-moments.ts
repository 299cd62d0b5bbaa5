/*
 * Mean and standard deviation of lag samples from running sums, exact and O(1) to read. A native
 * histogram's mean and stddev walk its whole count array (hdr_mean, hdr_stddev: thousands of buckets)
 * and answer from bucket midpoints; reading them for every figure was most of the sampler's periodic
 * cost under valgrind. Samples are kept as lag (nanoseconds, the resolution already taken off), so the
 * sums stay small and the variance does not cancel against a large common offset.
 */
export class LagMoments {
  count = 0;
  /** Sum of the samples, ns. */
  sum = 0;
  /** Sum of their squares, ns². */
  sumSquares = 0;

  record(lagNanos: number): void {
    this.count++;
    this.sum += lagNanos;
    this.sumSquares += lagNanos * lagNanos;
  }

  reset(): void {
    this.count = this.sum = this.sumSquares = 0;
  }
}
