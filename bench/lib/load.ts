/** A small closed-loop HTTP load generator: `concurrency` workers each send requests back to back. */
export interface LoadResult {
  name: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

/**
 * Runs `request` from `concurrency` loops for `seconds` (after `warmupSeconds` unmeasured), and
 * reports throughput and latency percentiles in milliseconds. A response that is not 2xx counts
 * as an error (and is still drained so connections are reused).
 */
export async function runLoad(
  name: string,
  request: () => Promise<Response>,
  options: { concurrency: number; seconds: number; warmupSeconds: number },
): Promise<LoadResult> {
  const warmEnd = performance.now() + options.warmupSeconds * 1000;
  const end = warmEnd + options.seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  const loop = async () => {
    for (;;) {
      const started = performance.now();
      if (started >= end) return;
      let ok = false;
      try {
        const res = await request();
        await res.arrayBuffer();
        ok = res.ok;
      } catch {
        ok = false;
      }
      const finished = performance.now();
      if (started >= warmEnd) {
        latencies.push(finished - started);
        if (!ok) errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, loop));
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    seconds: options.seconds,
    rps: latencies.length / options.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
