/**
 * Health telemetry against the real Redis (through the Upstash REST shim): the Lua scripts record
 * and read a listing's sliding window, and proxied calls feed it after their response.
 */
import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createRedis } from "../../workers/lib/redis.ts";
import { addToBucket, readHealth, recordHealth } from "../../workers/telemetry/health.ts";
import { addSample, emptyCounts, HEALTH_BUCKET_MS, HEALTH_WINDOW_MS } from "../../workers/telemetry/health-window.ts";
import { type Buyer, call, fault, newBuyer, newListing } from "./proxy-helpers.ts";

const redis = createRedis(env);

describe("health scripts", () => {
  // A fixed clock: the scripts take time as an argument, so the test is deterministic.
  const now = Date.UTC(2030, 0, 1, 12, 0, 5);

  it("record outcomes and latencies; read uptime, error rate and percentiles over the window", async () => {
    const listing = crypto.randomUUID();
    const samples = [
      ...Array.from({ length: 8 }, () => ({ outcome: "ok" as const, latencyMs: 4 })),
      { outcome: "ok" as const, latencyMs: 40 },
      { outcome: "ok" as const, latencyMs: 700 },
      { outcome: "error" as const, latencyMs: null },
      { outcome: "rate_limited" as const, latencyMs: 3 },
      { outcome: "client_error" as const, latencyMs: 6 },
    ];
    for (const s of samples) await recordHealth(redis, listing, s, now);
    // Two buckets back: a bucket where every call failed (the upstream was down for those 10 s).
    await recordHealth(redis, listing, { outcome: "error", latencyMs: null }, now - 2 * HEALTH_BUCKET_MS);
    // Outside the window: not counted.
    await recordHealth(redis, listing, { outcome: "error", latencyMs: null }, now - HEALTH_WINDOW_MS - 1);

    const stats = await readHealth(redis, listing, now);
    expect(stats.calls).toBe(14);
    expect(stats.errorRate).toBeCloseTo(2 / 14);
    expect(stats.rateLimitRate).toBeCloseTo(1 / 14);
    expect(stats.uptime).toBe(1 / 2);
    // 12 latencies: 9 ≤ 5 ms, 1 ≤ 10, 1 ≤ 50, 1 ≤ 1000.
    expect(stats.p50Ms).toBe(5);
    expect(stats.p95Ms).toBe(1_000);
  });

  it("buckets expire on their own", async () => {
    const listing = crypto.randomUUID();
    await recordHealth(redis, listing, { outcome: "ok", latencyMs: 1 }, Date.now());
    const keys = await redis.keys(`health:{${listing}}:*`);
    expect(keys).toHaveLength(1);
    const ttl = await redis.pttl(keys[0]!);
    expect(ttl).toBeGreaterThan(HEALTH_WINDOW_MS - HEALTH_BUCKET_MS);
    expect(ttl).toBeLessThanOrEqual(HEALTH_WINDOW_MS + HEALTH_BUCKET_MS);
  });

  it("adds a batch in one call, and refuses increments that are not non-negative integers", async () => {
    const listing = crypto.randomUUID();
    const start = Math.floor(now / HEALTH_BUCKET_MS) * HEALTH_BUCKET_MS;
    let batch = emptyCounts();
    for (let i = 0; i < 5; i++) batch = addSample(batch, { outcome: "ok", latencyMs: 20 });
    await addToBucket(redis, listing, start, batch);
    await addToBucket(redis, listing, start, addSample(emptyCounts(), { outcome: "error", latencyMs: null }));
    const stats = await readHealth(redis, listing, now);
    expect(stats).toMatchObject({ calls: 6, errorRate: 1 / 6, p50Ms: 25, p95Ms: 25, uptime: 1 });
    await expect(addToBucket(redis, listing, start, { ...batch, n: -1 })).rejects.toThrow(/integers/);
    await expect(addToBucket(redis, listing, start, { ...batch, ok: 0.5 })).rejects.toThrow(/integers/);
    expect((await readHealth(redis, listing, now)).calls).toBe(6);
  });
});

describe("proxied calls feed the window after their response", () => {
  let buyer: Buyer;

  beforeAll(async () => {
    buyer = await newBuyer(1_000_000);
  });

  it("successes and seller failures", async () => {
    const listing = await newListing();
    for (const path of ["/data/quotes/H1", "/data/quotes/H2", `/data/quotes/H3?${fault("503")}`]) {
      await (await call(buyer, listing, path)).arrayBuffer();
    }
    const deadline = Date.now() + 5_000;
    let stats = await readHealth(redis, listing.config.listingId, Date.now());
    while (stats.calls < 3 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      stats = await readHealth(redis, listing.config.listingId, Date.now());
    }
    expect(stats.calls).toBe(3);
    expect(stats.errorRate).toBeCloseTo(1 / 3);
    expect(stats.p50Ms).not.toBeNull();
  });
});
