/**
 * The listings API end to end: through the Worker (SELF), into Postgres and into each listing's
 * CapacityFenceDO — so that pause, rotate and delete are what the very next admit sees.
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import type { EngineInfo } from "../../dev/engines-main.ts";
import type { OwnerListing, PublicListing } from "../../workers/listings/interface.ts";
import { openListingKey } from "../../workers/listings/vault.ts";
import { eventually, query } from "./auth-helpers.ts";
import { fenceFor } from "./fence-helpers.ts";
import { call, createListing, json, newSeller } from "./listings-helpers.ts";

async function admitted(listingId: string, requestId = crypto.randomUUID()) {
  return fenceFor(listingId).admit(requestId, "GET", "/data/quotes/AAPL");
}

describe("listings API", () => {
  it("creates a listing: owner view, a seller row, the sealed key live in the fence", async () => {
    const seller = await newSeller();
    const engines: EngineInfo = inject("engines");
    const listing = await createListing(seller, { upstreamBaseUrl: `${engines.upstreamUrl}/` });
    expect(listing).toMatchObject({
      view: "owner",
      sellerWallet: seller.wallet,
      service: "demo-data",
      type: "proxy",
      status: "active",
      upstreamBaseUrl: engines.upstreamUrl,
      allowedMethods: ["GET"],
      allowedPaths: ["/data/quotes/*", "/data/weather"],
      keyInjection: { kind: "header", name: "X-Api-Key" },
      price: "200",
      pricingUnit: "per_call",
      capacity: { total: 120, reservedForSelf: 20, resale: 100, window: "minute" },
      keyLast4: "0001",
      keyVersion: 1,
      configVersion: 1,
    });

    const sellers = await query<{ id: string }>("SELECT id FROM sellers WHERE wallet_address = $1", [seller.wallet]);
    expect(sellers).toHaveLength(1);

    const snapshot = await fenceFor(listing.id).snapshot();
    expect(snapshot.config).toMatchObject({
      listingId: listing.id,
      sellerId: sellers[0]?.id,
      sellerWallet: seller.wallet,
      status: "active",
      price: 200n,
      configVersion: 1,
      key: { version: 1 },
    });
    expect(snapshot.resaleCapacity).toBe(100);
    if (!snapshot.config) throw new Error("fence not configured");
    expect(await openListingKey(env, snapshot.config)).toBe("sk-listing-test-0001");

    // A second listing: the same seller row.
    await createListing(seller, {
      service: "demo-llm",
      pricingUnit: "per_1k_tokens",
      keyInjection: { kind: "bearer" },
    });
    expect(await query("SELECT id FROM sellers WHERE wallet_address = $1", [seller.wallet])).toHaveLength(1);
  });

  it("GET shows the owner everything (key as last 4), others the public fields; the list is the caller's own", async () => {
    const owner = await newSeller();
    const other = await newSeller();
    const listing = await createListing(owner);
    const mine = await json<OwnerListing>(await call(owner, "GET", `/v1/listings/${listing.id}`), 200);
    expect(mine).toEqual(listing);
    const theirs = await json<PublicListing>(await call(other, "GET", `/v1/listings/${listing.id}`), 200);
    expect(theirs).toEqual({
      view: "public",
      id: listing.id,
      sellerWallet: owner.wallet,
      service: "demo-data",
      type: "proxy",
      category: "data",
      description: "Quotes",
      status: "active",
      allowedMethods: ["GET"],
      allowedPaths: ["/data/quotes/*", "/data/weather"],
      price: "200",
      pricingUnit: "per_call",
      capacity: { resale: 100, window: "minute" },
      createdAt: listing.createdAt,
    });
    const list = await json<{ listings: OwnerListing[] }>(await call(owner, "GET", "/v1/listings"), 200);
    expect(list.listings.map((l) => l.id)).toEqual([listing.id]);
    const empty = await json<{ listings: OwnerListing[] }>(await call(other, "GET", "/v1/listings"), 200);
    expect(empty.listings).toEqual([]);
  });

  it("PATCH changes price, capacity (merged), paths, methods and description, and the fence follows", async () => {
    const seller = await newSeller();
    const listing = await createListing(seller);
    const patched = await json(
      await call(seller, "PATCH", `/v1/listings/${listing.id}`, {
        price: 350,
        capacity: { reservedForSelf: 60 },
        allowedPaths: ["/data/quotes/*"],
        allowedMethods: ["get", "post"],
        description: "Quotes, now with POST",
      }),
      200,
    );
    expect(patched).toMatchObject({
      price: "350",
      capacity: { total: 120, reservedForSelf: 60, resale: 60, window: "minute" },
      allowedPaths: ["/data/quotes/*"],
      allowedMethods: ["GET", "POST"],
      description: "Quotes, now with POST",
      configVersion: 2,
      keyVersion: 1,
    });
    const snapshot = await fenceFor(listing.id).snapshot();
    expect(snapshot).toMatchObject({ resaleCapacity: 60, config: { price: 350n, configVersion: 2 } });
    expect(await fenceFor(listing.id).admit("w1", "GET", "/data/weather")).toEqual({
      ok: false,
      reason: "path_not_allowed",
    });

    const window = await json(
      await call(seller, "PATCH", `/v1/listings/${listing.id}`, { capacity: { window: "hour", total: 500 } }),
      200,
    );
    expect(window).toMatchObject({ capacity: { total: 500, reservedForSelf: 60, resale: 440, window: "hour" } });
    // An empty PATCH re-pushes the current config (a resync), bumping the version.
    const resync = await json(await call(seller, "PATCH", `/v1/listings/${listing.id}`, {}), 200);
    expect(resync).toMatchObject({ configVersion: 4 });
    expect((await fenceFor(listing.id).snapshot()).config?.configVersion).toBe(4);
  });

  it("pause refuses the very next call; unpause admits again (both idempotent)", async () => {
    const seller = await newSeller();
    const listing = await createListing(seller);
    expect((await admitted(listing.id)).ok).toBe(true);
    expect(await json(await call(seller, "POST", `/v1/listings/${listing.id}/pause`), 200)).toMatchObject({
      status: "paused",
    });
    expect(await admitted(listing.id)).toEqual({ ok: false, reason: "paused" });
    await json(await call(seller, "POST", `/v1/listings/${listing.id}/pause`), 200);
    expect(await json(await call(seller, "POST", `/v1/listings/${listing.id}/unpause`), 200)).toMatchObject({
      status: "active",
      configVersion: 4,
    });
    expect((await admitted(listing.id)).ok).toBe(true);
  });

  it("rotate-key: the next admit carries the new key version, which opens to the new key; audited", async () => {
    const seller = await newSeller();
    const listing = await createListing(seller);
    const rotated = await json(
      await call(seller, "POST", `/v1/listings/${listing.id}/rotate-key`, { providerKey: "sk-listing-test-0002" }),
      200,
    );
    expect(rotated).toMatchObject({ keyVersion: 2, keyLast4: "0002", configVersion: 2 });
    const next = await admitted(listing.id);
    if (!next.ok || !next.config) throw new Error(`expected an admit with the config, got ${JSON.stringify(next)}`);
    expect(next.config.key.version).toBe(2);
    expect(await openListingKey(env, next.config)).toBe("sk-listing-test-0002");

    await json(
      await call(seller, "POST", `/v1/listings/${listing.id}/rotate-key`, { providerKey: "sk-listing-test-0003" }),
      200,
    );
    const third = await admitted(listing.id);
    if (!third.ok || !third.config) throw new Error("expected an admit with the config");
    expect(third.config.key.version).toBe(3);
    expect(await openListingKey(env, third.config)).toBe("sk-listing-test-0003");

    const events = await eventually("rotation audit", async () => {
      const rows = await query<{ detail: { listingId: string; keyVersion: number } }>(
        "SELECT detail FROM security_events WHERE kind = 'listing_key_rotated' AND wallet_address = $1 ORDER BY id",
        [seller.wallet],
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(events.map((e) => e.detail)).toEqual([
      { wallet: seller.wallet, listingId: listing.id, keyVersion: 2 },
      { wallet: seller.wallet, listingId: listing.id, keyVersion: 3 },
    ]);
  });

  it("DELETE is final: admits refused, no change or unpause, repeating it is harmless", async () => {
    const seller = await newSeller();
    const other = await newSeller();
    const listing = await createListing(seller);
    const deleted = await json(await call(seller, "DELETE", `/v1/listings/${listing.id}`), 200);
    expect(deleted).toMatchObject({ status: "deleted", configVersion: 2 });
    expect(await admitted(listing.id)).toEqual({ ok: false, reason: "deleted" });
    expect(await json(await call(seller, "DELETE", `/v1/listings/${listing.id}`), 200)).toMatchObject({
      status: "deleted",
      configVersion: 2,
    });
    for (const [method, path, body] of [
      ["POST", `/v1/listings/${listing.id}/unpause`, undefined],
      ["POST", `/v1/listings/${listing.id}/pause`, undefined],
      ["PATCH", `/v1/listings/${listing.id}`, { price: 1 }],
      ["POST", `/v1/listings/${listing.id}/rotate-key`, { providerKey: "sk-listing-test-0009" }],
    ] as const) {
      const res = await call(seller, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("conflict");
    }
    expect(await admitted(listing.id)).toEqual({ ok: false, reason: "deleted" });
    // The owner still sees it; to anyone else it is gone.
    expect(await json(await call(seller, "GET", `/v1/listings/${listing.id}`), 200)).toMatchObject({
      status: "deleted",
    });
    expect((await call(other, "GET", `/v1/listings/${listing.id}`)).status).toBe(404);
  });
});
