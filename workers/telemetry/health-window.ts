/**
 * The health window as pure functions: 10-second buckets over 5 minutes per listing, a latency
 * histogram per bucket, and the summary (uptime, error rate, p50/p95) routing and the catalog read.
 * Storage is lua/health-*.lua behind workers/telemetry/health.ts.
 */
export const HEALTH_BUCKET_MS = 10_000;
export const HEALTH_WINDOW_MS = 300_000;
export const BUCKETS = HEALTH_WINDOW_MS / HEALTH_BUCKET_MS;

/**
 * Upper bounds (ms) of the latency histogram slots h0..h11; h12 holds everything slower. Latency
 * is the time until the upstream's response headers (time to first byte for streams).
 */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000] as const;
export const HISTOGRAM_SLOTS = LATENCY_BOUNDS_MS.length + 1;
/** What a percentile in the overflow slot is reported as: twice the last bound (a floor, not a measurement). */
export const OVERFLOW_MS = 60_000;

export function bucketStart(now: number): number {
  return Math.floor(now / HEALTH_BUCKET_MS) * HEALTH_BUCKET_MS;
}

/** The hash tag keeps a listing's buckets in one cluster slot, so one script can read them all. */
export function bucketKey(listingId: string, start: number): string {
  return `health:{${listingId}}:${start}`;
}

/** The histogram slot of a latency: the first bound it does not exceed, or the overflow slot. */
export function latencySlot(latencyMs: number): number {
  const i = LATENCY_BOUNDS_MS.findIndex((bound) => latencyMs <= bound);
  return i < 0 ? LATENCY_BOUNDS_MS.length : i;
}

/** How a call ended: the seller is blamed only for `error` (workers/proxy/outcomes.ts). */
export type HealthOutcome = "ok" | "client_error" | "error" | "rate_limited";

export interface HealthSample {
  outcome: HealthOutcome;
  /** Time to the upstream's response headers, ms; null when the upstream never answered. */
  latencyMs: number | null;
}

/** One bucket's counters; also the increment a batch of samples adds to a bucket. */
export interface BucketCounts {
  n: number;
  ok: number;
  clientErrors: number;
  errors: number;
  rateLimited: number;
  latencyCount: number;
  latencySumMs: number;
  histogram: number[];
}

export function emptyCounts(): BucketCounts {
  return {
    n: 0,
    ok: 0,
    clientErrors: 0,
    errors: 0,
    rateLimited: 0,
    latencyCount: 0,
    latencySumMs: 0,
    histogram: new Array<number>(HISTOGRAM_SLOTS).fill(0),
  };
}

/** The counters with one more call. Pure. */
export function addSample(counts: BucketCounts, sample: HealthSample): BucketCounts {
  const next = { ...counts, histogram: [...counts.histogram], n: counts.n + 1 };
  if (sample.outcome === "ok") next.ok += 1;
  else if (sample.outcome === "client_error") next.clientErrors += 1;
  else if (sample.outcome === "error") next.errors += 1;
  else next.rateLimited += 1;
  if (sample.latencyMs !== null) {
    const latency = Math.max(0, Math.round(sample.latencyMs));
    next.latencyCount += 1;
    next.latencySumMs += latency;
    const slot = latencySlot(latency);
    next.histogram[slot] = (next.histogram[slot] ?? 0) + 1;
  }
  return next;
}

export interface HealthStats {
  windowMs: number;
  calls: number;
  /** Share of 10-s buckets with calls in which the upstream served at least one call or failed none; null without calls. */
  uptime: number | null;
  /** Seller-attributable failures (5xx, timeouts, refused credentials, cut streams) per call. */
  errorRate: number | null;
  /** Upstream 429s per call. */
  rateLimitRate: number | null;
  /** Upper bound of the histogram slot holding the median / 95th percentile latency, ms. */
  p50Ms: number | null;
  p95Ms: number | null;
  /** Mean latency of the calls with one, ms (exact, unlike the histogram bounds); null without any. */
  meanMs: number | null;
}

function percentile(histogram: readonly number[], total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (const [slot, count] of histogram.entries()) {
    seen += count;
    if (seen >= rank) return LATENCY_BOUNDS_MS[slot] ?? OVERFLOW_MS;
  }
  return null;
}

/**
 * The window's statistics from its buckets. Pure.
 *
 * @example
 * summarizeHealth([{ n: 2, ok: 1, errors: 1, histogram: [0, 1, …], … }]).errorRate; // 0.5
 */
export function summarizeHealth(buckets: readonly BucketCounts[]): HealthStats {
  const histogram = new Array<number>(HISTOGRAM_SLOTS).fill(0);
  let calls = 0;
  let errors = 0;
  let rateLimited = 0;
  let latencyCount = 0;
  let latencySumMs = 0;
  let active = 0;
  let up = 0;
  for (const b of buckets) {
    calls += b.n;
    errors += b.errors;
    rateLimited += b.rateLimited;
    latencyCount += b.latencyCount;
    latencySumMs += b.latencySumMs;
    b.histogram.forEach((count, slot) => {
      histogram[slot] = (histogram[slot] ?? 0) + count;
    });
    if (b.n > 0) {
      active += 1;
      if (b.ok > 0 || b.errors === 0) up += 1;
    }
  }
  return {
    windowMs: HEALTH_WINDOW_MS,
    calls,
    uptime: active === 0 ? null : up / active,
    errorRate: calls === 0 ? null : errors / calls,
    rateLimitRate: calls === 0 ? null : rateLimited / calls,
    p50Ms: percentile(histogram, latencyCount, 0.5),
    p95Ms: percentile(histogram, latencyCount, 0.95),
    meanMs: latencyCount === 0 ? null : latencySumMs / latencyCount,
  };
}

/** The buckets' starts of the window ending at `now`, oldest first (the current bucket included). */
export function windowStarts(now: number): number[] {
  const last = bucketStart(now);
  return Array.from({ length: BUCKETS }, (_, i) => last - (BUCKETS - 1 - i) * HEALTH_BUCKET_MS);
}
