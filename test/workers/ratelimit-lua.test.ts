/** lua/ratelimit-sliding.lua against the real Redis (through the Upstash REST shim), with `now` passed in. */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createRedis } from "../../workers/lib/redis.ts";
import { hitWindow, windowKey } from "../../workers/ratelimit/sliding-window.ts";

const redis = createRedis(env);
const rule = { limit: 3, windowMs: 60_000 };
const fresh = () => windowKey("test", crypto.randomUUID());

describe("sliding window (lua/ratelimit-sliding.lua)", () => {
  it("admits `limit` requests per window, then answers how long until a slot frees", async () => {
    const key = fresh();
    const t0 = 1_000_000;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await hitWindow(redis, key, rule, t0 + i * 1_000, `r${i}`));
    expect(answers).toEqual([
      { admitted: true, remaining: 2 },
      { admitted: true, remaining: 1 },
      { admitted: true, remaining: 0 },
      // The first request (t0) leaves the window at t0 + 60 s; it is now t0 + 3 s.
      { admitted: false, remaining: 0, retryAfterMs: 57_000 },
    ]);
  });

  it("slides: a slot frees exactly when the oldest admitted request leaves the window", async () => {
    const key = fresh();
    const t0 = 5_000_000;
    for (let i = 0; i < 3; i++) await hitWindow(redis, key, rule, t0 + i * 10_000, `a${i}`);
    expect((await hitWindow(redis, key, rule, t0 + 59_999, "b1")).admitted).toBe(false);
    expect(await hitWindow(redis, key, rule, t0 + 60_000, "b2")).toEqual({ admitted: true, remaining: 0 });
    // Refused requests were not logged: they did not push the next free slot back.
    expect(await hitWindow(redis, key, rule, t0 + 60_001, "b3")).toEqual({
      admitted: false,
      remaining: 0,
      retryAfterMs: 9_999,
    });
  });

  it("keeps subjects apart", async () => {
    const a = fresh();
    const b = fresh();
    for (let i = 0; i < 3; i++) await hitWindow(redis, a, rule, 1_000, `x${i}`);
    expect((await hitWindow(redis, a, rule, 1_000, "x3")).admitted).toBe(false);
    expect((await hitWindow(redis, b, rule, 1_000, "y0")).admitted).toBe(true);
  });

  it("admits exactly `limit` of 300 concurrent requests", async () => {
    const key = fresh();
    const now = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => hitWindow(redis, key, { limit: 40, windowMs: 60_000 }, now, `c${i}`)),
    );
    expect(answers.filter((a) => a.admitted)).toHaveLength(40);
  });

  it("a lowered limit waits for enough entries to leave", async () => {
    const key = fresh();
    for (let i = 0; i < 5; i++) await hitWindow(redis, key, { limit: 5, windowMs: 60_000 }, i * 1_000, `l${i}`);
    // Limit now 2: four of the five must leave before one more fits; the fourth (at 3 s) leaves at 63 s.
    expect(await hitWindow(redis, key, { limit: 2, windowMs: 60_000 }, 10_000, "l5")).toEqual({
      admitted: false,
      remaining: 0,
      retryAfterMs: 53_000,
    });
  });

  it("expires the log with the window (no key outlives its requests)", async () => {
    const key = fresh();
    await hitWindow(redis, key, { limit: 1, windowMs: 2_000 }, Date.now(), "e0");
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(2_000);
  });
});
