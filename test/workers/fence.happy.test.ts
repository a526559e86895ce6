/**
 * CapacityFenceDO over RPC: configuration and its versions, status, routing checks, key
 * rotation, upstream backoff, the live snapshot.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { openListingKey } from "../../workers/listings/vault.ts";
import { configuredFence, fenceFor, fenceRows, rejects, testConfig } from "./fence-helpers.ts";

describe("CapacityFenceDO", () => {
  it("refuses everything until configured", async () => {
    const stub = fenceFor(crypto.randomUUID());
    expect(await stub.admit("r1", "GET", "/data/quotes/A")).toEqual({ ok: false, reason: "not_configured" });
    expect(await stub.snapshot()).toEqual({ config: null, usedInWindow: 0, resaleCapacity: 0, backoffUntil: null });
  });

  it("admits with the full config (sealed key only) and counts against resale capacity", async () => {
    const { stub, config } = await configuredFence();
    const result = await stub.admit("r1", "GET", "/data/quotes/AAPL");
    expect(result).toEqual({ ok: true, config, usedInWindow: 1, resaleCapacity: 100 });
    expect(await stub.snapshot()).toEqual({ config, usedInWindow: 1, resaleCapacity: 100, backoffUntil: null });
  });

  it("pause refuses the next call, unpause admits again; delete is final to admits", async () => {
    const { stub, config } = await configuredFence();
    expect((await stub.admit("p0", "GET", "/data/quotes/A")).ok).toBe(true);
    expect(await stub.configure({ ...config, status: "paused", configVersion: 2 })).toEqual({ applied: true });
    expect(await stub.admit("p1", "GET", "/data/quotes/A")).toEqual({ ok: false, reason: "paused" });
    await stub.configure({ ...config, status: "active", configVersion: 3 });
    expect((await stub.admit("p2", "GET", "/data/quotes/A")).ok).toBe(true);
    await stub.configure({ ...config, status: "deleted", configVersion: 4 });
    expect(await stub.admit("p3", "GET", "/data/quotes/A")).toEqual({ ok: false, reason: "deleted" });
  });

  it("ignores a stale configVersion; an equal one re-applies", async () => {
    const { stub, config } = await configuredFence({ configVersion: 5 });
    expect(await stub.configure({ ...config, status: "paused", configVersion: 4 })).toEqual({ applied: false });
    expect((await stub.admit("s1", "GET", "/data/quotes/A")).ok).toBe(true);
    expect(await stub.configure({ ...config, configVersion: 5 })).toEqual({ applied: true });
    expect(await stub.configure({ ...config, status: "paused", configVersion: 6 })).toEqual({ applied: true });
    expect(await stub.configure({ ...config, status: "active", configVersion: 5 })).toEqual({ applied: false });
    expect(await stub.admit("s2", "GET", "/data/quotes/A")).toEqual({ ok: false, reason: "paused" });
  });

  it("a rotated key is what the next admit returns (and it opens to the new key)", async () => {
    const { stub, config } = await configuredFence();
    const first = await stub.admit("k1", "GET", "/data/quotes/A");
    if (!first.ok || !first.config) throw new Error("expected ok with the config");
    expect(await openListingKey(env, first.config)).toBe("sk-fence-test-key-0001");
    const rotated = await testConfig(
      { listingId: config.listingId, sellerId: config.sellerId, configVersion: 2, key: { ...config.key, version: 2 } },
      "sk-fence-test-key-0002",
    );
    await stub.configure(rotated);
    const next = await stub.admit("k2", "GET", "/data/quotes/A");
    if (!next.ok || !next.config) throw new Error("expected ok with the config");
    expect(next.config.key.version).toBe(2);
    expect(await openListingKey(env, next.config)).toBe("sk-fence-test-key-0002");
  });

  it("sends the config only to a caller that does not hold the live version", async () => {
    const { stub, config } = await configuredFence({ configVersion: 3 });
    expect(await stub.admit("v1", "GET", "/data/quotes/A", 3)).toEqual({
      ok: true,
      config: null,
      usedInWindow: 1,
      resaleCapacity: 100,
    });
    expect(await stub.admit("v2", "GET", "/data/quotes/A", 2)).toMatchObject({ ok: true, config });
    // A change (here a price) is a new version: a caller holding the old one gets the new config.
    const repriced = { ...config, price: config.price + 1n, configVersion: 4 };
    await stub.configure(repriced);
    expect(await stub.admit("v3", "GET", "/data/quotes/A", 3)).toMatchObject({ ok: true, config: repriced });
    // Refusals are decided on the live config whatever the caller holds.
    await stub.configure({ ...repriced, status: "paused", configVersion: 5 });
    expect(await stub.admit("v4", "GET", "/data/quotes/A", 5)).toEqual({ ok: false, reason: "paused" });
    await rejects(stub, (f) => f.admit("v5", "GET", "/data/quotes/A", 0), /knownConfigVersion/);
  });

  it("checks method and normalized path against the listing's patterns", async () => {
    const { stub } = await configuredFence();
    expect(await stub.admit("m1", "DELETE", "/data/quotes/A")).toEqual({ ok: false, reason: "method_not_allowed" });
    expect(await stub.admit("m2", "GET", "/data/quotes")).toEqual({ ok: false, reason: "path_not_allowed" });
    expect(await stub.admit("m3", "GET", "/data/quotes/../../admin")).toEqual({
      ok: false,
      reason: "path_not_allowed",
    });
    expect(await stub.admit("m4", "GET", "/data/quotes/%2e%2e/admin")).toEqual({
      ok: false,
      reason: "path_not_allowed",
    });
    expect(await stub.admit("m5", "GET", "/data/quotes/a%2fb")).toEqual({ ok: false, reason: "path_not_allowed" });
    expect(await stub.admit("m6", "post", "/v1//chat/completions")).toMatchObject({ ok: true });
    // Refusals are not counted.
    expect((await stub.snapshot()).usedInWindow).toBe(1);
  });

  it("backs off after an upstream 429 for its Retry-After, never shortening it", async () => {
    const { stub } = await configuredFence();
    await stub.backoff(30);
    const refused = await stub.admit("b1", "GET", "/data/quotes/A");
    expect(refused).toMatchObject({ ok: false, reason: "backoff" });
    if (!refused.ok) expect(refused.retryAfter).toBeGreaterThanOrEqual(29);
    await stub.backoff(1);
    const still = await stub.admit("b2", "GET", "/data/quotes/A");
    if (!still.ok) expect(still.retryAfter).toBeGreaterThanOrEqual(29);
    expect((await stub.snapshot()).backoffUntil).toBeGreaterThan(Date.now() + 28_000);

    const short = await configuredFence();
    await short.stub.backoff(0.2);
    expect(await short.stub.admit("c1", "GET", "/data/quotes/A")).toEqual({
      ok: false,
      reason: "backoff",
      retryAfter: 1,
    });
    await new Promise((r) => setTimeout(r, 250));
    expect((await short.stub.admit("c2", "GET", "/data/quotes/A")).ok).toBe(true);
    await rejects(short.stub, (f) => f.backoff(-1), /retryAfterSeconds/);
    await rejects(short.stub, (f) => f.backoff(Number.NaN), /retryAfterSeconds/);
  });

  it("refuses a malformed config or a config of another listing, changing nothing", async () => {
    const { stub, config } = await configuredFence();
    await rejects(
      stub,
      (f) => f.configure({ ...config, allowedPaths: ["/v1/../x"], configVersion: 9 }),
      /invalid config/,
    );
    await rejects(stub, (f) => f.configure({ ...config, price: 0n, configVersion: 9 }), /invalid config/);
    const overReserved = { total: 5, reservedForSelf: 6, window: "minute" as const };
    await rejects(stub, (f) => f.configure({ ...config, capacity: overReserved, configVersion: 9 }), /invalid config/);
    const foreign = { ...config, listingId: crypto.randomUUID(), configVersion: 9 };
    await rejects(stub, (f) => f.configure(foreign), /belongs to another listing/);
    expect((await stub.snapshot()).config).toEqual(config);
    await rejects(stub, (f) => f.admit("", "GET", "/data/quotes/A"), /requestId/);
  });

  it("a new window length keeps what was counted; a new capacity applies at once", async () => {
    const { stub, config } = await configuredFence({ capacity: { total: 5, reservedForSelf: 0, window: "second" } });
    for (let i = 0; i < 5; i++) expect((await stub.admit(`w${i}`, "GET", "/data/quotes/A")).ok).toBe(true);
    await stub.configure({ ...config, capacity: { total: 6, reservedForSelf: 0, window: "hour" }, configVersion: 2 });
    expect(await stub.snapshot()).toMatchObject({ usedInWindow: 5, resaleCapacity: 6 });
    const rows = await fenceRows<{ n: number }>(stub, "SELECT n FROM window_buckets");
    expect(rows).toEqual([{ n: 5 }]);
    expect((await stub.admit("w5", "GET", "/data/quotes/A")).ok).toBe(true);
    expect(await stub.admit("w6", "GET", "/data/quotes/A")).toMatchObject({ ok: false, reason: "capacity" });
    await stub.configure({ ...config, capacity: { total: 8, reservedForSelf: 1, window: "hour" }, configVersion: 3 });
    expect(await stub.admit("w7", "GET", "/data/quotes/A")).toMatchObject({
      ok: true,
      usedInWindow: 7,
      resaleCapacity: 7,
    });
  });
});
