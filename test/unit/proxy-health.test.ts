import { describe, expect, it } from "vitest";
import {
  addSample,
  type BucketCounts,
  bucketKey,
  bucketStart,
  emptyCounts,
  HEALTH_BUCKET_MS,
  HEALTH_WINDOW_MS,
  HISTOGRAM_SLOTS,
  LATENCY_BOUNDS_MS,
  latencySlot,
  summarizeHealth,
  windowStarts,
} from "../../workers/telemetry/health-window.ts";

function bucket(partial: Partial<BucketCounts> & { latencies?: number[] }): BucketCounts {
  const histogram = new Array<number>(HISTOGRAM_SLOTS).fill(0);
  for (const l of partial.latencies ?? []) histogram[latencySlot(l)]! += 1;
  return {
    n: 0,
    ok: 0,
    clientErrors: 0,
    errors: 0,
    rateLimited: 0,
    latencyCount: partial.latencies?.length ?? 0,
    latencySumMs: (partial.latencies ?? []).reduce((a, b) => a + b, 0),
    ...partial,
    histogram,
  };
}

describe("health telemetry (pure)", () => {
  it("puts a latency in the first slot whose bound it does not exceed", () => {
    expect(latencySlot(0)).toBe(0);
    expect(latencySlot(5)).toBe(0);
    expect(latencySlot(6)).toBe(1);
    expect(latencySlot(30_000)).toBe(LATENCY_BOUNDS_MS.length - 1);
    expect(latencySlot(30_001)).toBe(LATENCY_BOUNDS_MS.length);
  });

  it("windows are 30 aligned 10-s buckets ending with the current one, keys share a hash tag", () => {
    const now = 1_767_225_612_345;
    const starts = windowStarts(now);
    expect(starts).toHaveLength(HEALTH_WINDOW_MS / HEALTH_BUCKET_MS);
    expect(starts.at(-1)).toBe(bucketStart(now));
    expect(starts.at(-1)! - starts[0]!).toBe(HEALTH_WINDOW_MS - HEALTH_BUCKET_MS);
    expect(bucketKey("L1", starts[0]!)).toBe(`health:{L1}:${starts[0]}`);
  });

  it("summarizes error rate, rate-limit rate, uptime and latency percentiles", () => {
    const stats = summarizeHealth([
      bucket({}),
      bucket({ n: 10, ok: 8, errors: 1, clientErrors: 1, latencies: [3, 3, 3, 3, 3, 8, 8, 8, 40, 900] }),
      bucket({ n: 2, errors: 2 }),
      bucket({ n: 4, ok: 2, rateLimited: 2, latencies: [3, 3] }),
    ]);
    expect(stats.calls).toBe(16);
    expect(stats.errorRate).toBe(3 / 16);
    expect(stats.rateLimitRate).toBe(2 / 16);
    // Three buckets had calls; in one the upstream served nothing and failed every call.
    expect(stats.uptime).toBe(2 / 3);
    // 12 latencies: 7 × ≤5 ms, 3 × ≤10 ms, 1 × ≤50 ms, 1 × ≤1000 ms.
    expect(stats.p50Ms).toBe(5);
    expect(stats.p95Ms).toBe(1_000);
  });

  it("says nothing without traffic", () => {
    expect(summarizeHealth([bucket({}), bucket({})])).toMatchObject({
      calls: 0,
      uptime: null,
      errorRate: null,
      p50Ms: null,
      p95Ms: null,
    });
  });
});

describe("batching samples", () => {
  it("a batch of samples adds up to the counters of each sample", () => {
    let counts = emptyCounts();
    counts = addSample(counts, { outcome: "ok", latencyMs: 4.6 });
    counts = addSample(counts, { outcome: "client_error", latencyMs: 12 });
    counts = addSample(counts, { outcome: "error", latencyMs: null });
    counts = addSample(counts, { outcome: "rate_limited", latencyMs: 2 });
    expect(counts).toMatchObject({ n: 4, ok: 1, clientErrors: 1, errors: 1, rateLimited: 1, latencyCount: 3 });
    expect(counts.latencySumMs).toBe(5 + 12 + 2);
    expect(counts.histogram.reduce((a, b) => a + b, 0)).toBe(3);
    expect(counts.histogram[0]).toBe(2);
    expect(emptyCounts().n).toBe(0);
  });
});
