/**
 * No over-admission under concurrency, against the real CapacityFenceDO: the calls really
 * interleave on the object, and what it counted is in its SQLite storage (a fresh instance over
 * the same storage — as after an eviction — refuses too).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CapacityFenceDO } from "../../durable-objects/capacity-fence.ts";
import { configuredFence, fenceRows } from "./fence-helpers.ts";

describe("CapacityFenceDO under concurrency", () => {
  it("admits exactly 100 of 500 concurrent calls against resale capacity 100", async () => {
    const { stub } = await configuredFence({ capacity: { total: 150, reservedForSelf: 50, window: "minute" } });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => stub.admit(`req-${i}`, "GET", `/data/quotes/Q${i}`)),
    );
    console.log(`500 concurrent admits: ${(performance.now() - started).toFixed(0)} ms`);
    const ok = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(ok).toHaveLength(100);
    expect(refused).toHaveLength(400);
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, reason: "capacity" });
      if (!r.ok) expect(r.retryAfter).toBeGreaterThanOrEqual(1);
      if (!r.ok) expect(r.retryAfter).toBeLessThanOrEqual(61);
    }
    expect(ok.map((r) => (r.ok ? r.usedInWindow : 0)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );

    const [buckets] = await fenceRows<{ total: number }>(stub, "SELECT sum(n) AS total FROM window_buckets");
    expect(buckets?.total).toBe(100);
    const [ids] = await fenceRows<{ n: number }>(stub, "SELECT count(*) AS n FROM admitted");
    expect(ids?.n).toBe(100);

    // A new instance over the same storage (what an eviction leaves behind) knows the window is full.
    const again = await runInDurableObject(stub, async (_instance, state) => {
      const fresh = new CapacityFenceDO(state, env);
      return fresh.admit("after-restart", "GET", "/data/quotes/X");
    });
    expect(again).toMatchObject({ ok: false, reason: "capacity" });
    expect(await stub.snapshot()).toMatchObject({ usedInWindow: 100, resaleCapacity: 100 });
  });

  it("counts one request id once, however often it is retried concurrently", async () => {
    const { stub } = await configuredFence({ capacity: { total: 3, reservedForSelf: 0, window: "hour" } });
    const same = await Promise.all(Array.from({ length: 50 }, () => stub.admit("same-id", "GET", "/data/quotes/A")));
    expect(same.every((r) => r.ok)).toBe(true);
    expect((await stub.snapshot()).usedInWindow).toBe(1);
    expect(await stub.admit("other-1", "GET", "/data/quotes/A")).toMatchObject({ ok: true, usedInWindow: 2 });
    expect(await stub.admit("other-2", "GET", "/data/quotes/A")).toMatchObject({ ok: true, usedInWindow: 3 });
    expect(await stub.admit("other-3", "GET", "/data/quotes/A")).toMatchObject({ ok: false, reason: "capacity" });
    // A retry of an admitted id still passes (it was counted already).
    expect(await stub.admit("same-id", "GET", "/data/quotes/A")).toMatchObject({ ok: true, usedInWindow: 3 });
  });

  it("a pause that lands mid-burst refuses every admit after it", async () => {
    const { stub, config } = await configuredFence({
      capacity: { total: 10_000, reservedForSelf: 0, window: "minute" },
    });
    const before = Array.from({ length: 100 }, (_, i) => stub.admit(`b-${i}`, "GET", "/data/quotes/A"));
    await stub.configure({ ...config, status: "paused", configVersion: 2 });
    const after = await Promise.all(
      Array.from({ length: 100 }, (_, i) => stub.admit(`a-${i}`, "GET", "/data/quotes/A")),
    );
    expect(after.every((r) => !r.ok && r.reason === "paused")).toBe(true);
    const early = await Promise.all(before);
    expect(early.every((r) => r.ok)).toBe(true);
  });
});
