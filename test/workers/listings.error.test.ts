/**
 * Bad input and foreign wallets: clear 4xx envelopes, and nothing changes — not in Postgres, not
 * in the fence.
 */
import { describe, expect, it } from "vitest";
import { query } from "./auth-helpers.ts";
import { fenceFor } from "./fence-helpers.ts";
import { call, createListing, error, listingBody, newSeller, type Seller } from "./listings-helpers.ts";

async function listingCount(seller: Seller): Promise<number> {
  const rows = await query<{ n: string }>(
    "SELECT count(*) AS n FROM listings l JOIN sellers s ON s.id = l.seller_id WHERE s.wallet_address = $1",
    [seller.wallet],
  );
  return Number(rows[0]?.n ?? 0);
}

describe("listings API: bad input", () => {
  it("needs an API key", async () => {
    expect((await error(await call(null, "GET", "/v1/listings"), 401)).code).toBe("unauthorized");
    expect((await error(await call(null, "POST", "/v1/listings", listingBody()), 401)).code).toBe("unauthorized");
  });

  it.each([
    [{ type: "tunnel" }, "type: only 'proxy' listings can be created for now"],
    [{ service: "Not A Slug" }, "service:"],
    [{ allowedPaths: ["/data/../admin"] }, "allowedPaths.0: no . or .. segments"],
    [{ allowedPaths: ["/v1/**/x"] }, "allowedPaths.0: ** is only allowed as the last segment"],
    [{ allowedMethods: ["TRACE"] }, "allowedMethods.0"],
    [{ price: "0" }, "price"],
    [{ price: "12.5" }, "price"],
    [{ capacity: { total: 10, reservedForSelf: 10 } }, "reservedForSelf must be below total"],
    [{ capacity: { total: 10, window: "fortnight" } }, "capacity.window"],
    [{ keyInjection: { kind: "header", name: "Host" } }, "keyInjection.name: this header is managed by the gateway"],
    [{ keyInjection: { kind: "header", name: "X-Key", template: "Token" } }, "keyInjection.template"],
    [{ providerKey: "" }, "providerKey"],
    [{ providerKey: undefined }, "providerKey"],
    [{ upstreamBaseUrl: "ftp://data.example.com" }, "upstreamBaseUrl: must be http(s)"],
    [{ upstreamBaseUrl: "https://10.1.2.3/api" }, "upstreamBaseUrl: host is a private"],
    [{ upstreamBaseUrl: "http://169.254.169.254/latest" }, "upstreamBaseUrl: host is a private"],
    [{ upstreamBaseUrl: "https://[fd00::1]" }, "upstreamBaseUrl: host is a private"],
    [{ upstreamBaseUrl: "https://metadata.google.internal" }, "upstreamBaseUrl: host is a private"],
    [{ upstreamBaseUrl: "https://api.example.com/v1?key=x" }, "upstreamBaseUrl: must not have a query"],
    [{ upstreamBaseUrl: "https://user:pw@api.example.com" }, "upstreamBaseUrl: must not contain credentials"],
    [{ status: "active" }, "Unrecognized key"],
  ])("refuses %j with a clear 400 and creates nothing", async (patch, message) => {
    const seller = await newSeller();
    const err = await error(await call(seller, "POST", "/v1/listings", listingBody(patch)), 400);
    expect(err.code).toBe("invalid_request");
    expect(err.message).toContain(message);
    expect(await listingCount(seller)).toBe(0);
  });

  it("refuses malformed JSON and oversized bodies", async () => {
    const seller = await newSeller();
    expect((await error(await call(seller, "POST", "/v1/listings", "{not json"), 400)).code).toBe("invalid_request");
    const huge = listingBody({ description: "x".repeat(70_000) });
    expect((await error(await call(seller, "POST", "/v1/listings", huge), 413)).code).toBe("payload_too_large");
    expect(await listingCount(seller)).toBe(0);
  });

  it("answers 404 for malformed and unknown ids", async () => {
    const seller = await newSeller();
    for (const id of ["nope", "123", crypto.randomUUID()]) {
      expect((await error(await call(seller, "GET", `/v1/listings/${id}`), 404)).code).toBe("not_found");
      expect((await error(await call(seller, "POST", `/v1/listings/${id}/pause`), 404)).code).toBe("not_found");
      expect((await error(await call(seller, "DELETE", `/v1/listings/${id}`), 404)).code).toBe("not_found");
    }
  });

  it("a bad PATCH changes nothing (Postgres and fence)", async () => {
    const seller = await newSeller();
    const listing = await createListing(seller);
    const id = listing.id;
    const bad = [
      { capacity: { reservedForSelf: 120 } },
      { capacity: { total: 20 } },
      { allowedPaths: [] },
      { price: -1 },
      { upstreamBaseUrl: "https://other.example.com" },
      { status: "paused" },
      { keyInjection: { kind: "bearer" } },
    ];
    for (const body of bad) {
      const err = await error(await call(seller, "PATCH", `/v1/listings/${id}`, body), 400);
      expect(err.code, JSON.stringify(body)).toBe("invalid_request");
    }
    expect(
      (await error(await call(seller, "PATCH", `/v1/listings/${id}`, { capacity: { total: 20 } }), 400)).message,
    ).toContain("reservedForSelf must be below total");
    const rows = await query<{ config_version: number; capacity_total: number; capacity_reserved_for_self: number }>(
      "SELECT config_version, capacity_total, capacity_reserved_for_self FROM listings WHERE id = $1",
      [id],
    );
    expect(rows).toEqual([{ config_version: 1, capacity_total: 120, capacity_reserved_for_self: 20 }]);
    expect((await fenceFor(id).snapshot()).config?.configVersion).toBe(1);
    const badRotate = await error(
      await call(seller, "POST", `/v1/listings/${id}/rotate-key`, { providerKey: "a b" }),
      400,
    );
    expect(badRotate.message).toContain("providerKey");
  });
});

describe("listings API: someone else's listing", () => {
  it("every change by a non-owner is a 404 and changes nothing", async () => {
    const owner = await newSeller();
    const intruder = await newSeller();
    const listing = await createListing(owner);
    const id = listing.id;
    for (const [method, path, body] of [
      ["PATCH", `/v1/listings/${id}`, { price: 1 }],
      ["PATCH", `/v1/listings/${id}`, {}],
      ["POST", `/v1/listings/${id}/pause`, undefined],
      ["POST", `/v1/listings/${id}/unpause`, undefined],
      ["POST", `/v1/listings/${id}/rotate-key`, { providerKey: "sk-intruder-key-666" }],
      ["DELETE", `/v1/listings/${id}`, undefined],
    ] as const) {
      const err = await error(await call(intruder, method, path, body), 404);
      expect(err).toMatchObject({ code: "not_found", message: "No such listing for this wallet" });
    }
    const rows = await query<{ status: string; price: string; key_version: number; config_version: number }>(
      "SELECT status, price::text, key_version, config_version FROM listings WHERE id = $1",
      [id],
    );
    expect(rows).toEqual([{ status: "active", price: "200", key_version: 1, config_version: 1 }]);
    expect((await fenceFor(id).snapshot()).config).toMatchObject({ status: "active", configVersion: 1 });
    // The intruder did not become a seller by trying.
    expect(await query("SELECT 1 FROM sellers WHERE wallet_address = $1", [intruder.wallet])).toEqual([]);
  });
});
