/** Wire schemas of the listings API and the pure row → config / view mappings. */
import { describe, expect, it } from "vitest";
import type { Listing } from "../../db/schema.ts";
import { ListingConfigSchema } from "../../workers/fence/schemas.ts";
import { CreateListingRequest, RotateKeyRequest, UpdateListingRequest } from "../../workers/listings/interface.ts";
import { ownerView, publicView, toListingConfig } from "../../workers/listings/views.ts";

const valid = {
  service: "openai",
  category: "llm",
  upstreamBaseUrl: "https://api.openai.com",
  allowedMethods: ["post", "GET", "POST"],
  allowedPaths: ["/v1/chat/completions", "/v1//models"],
  price: "1500",
  capacity: { total: 600, reservedForSelf: 100 },
  providerKey: "sk-test-0123456789abcdef",
};

function issues(input: unknown): string[] {
  const parsed = CreateListingRequest.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

describe("CreateListingRequest", () => {
  it("normalizes methods and paths and fills defaults", () => {
    const parsed = CreateListingRequest.parse(valid);
    expect(parsed).toMatchObject({
      type: "proxy",
      description: "",
      allowedMethods: ["POST", "GET"],
      allowedPaths: ["/v1/chat/completions", "/v1/models"],
      keyInjection: { kind: "bearer" },
      price: 1500n,
      pricingUnit: "per_call",
      capacity: { total: 600, reservedForSelf: 100, window: "minute" },
    });
    expect(CreateListingRequest.parse({ ...valid, price: 7 }).price).toBe(7n);
  });

  it("accepts only proxy listings, naming the restriction", () => {
    expect(issues({ ...valid, type: "tunnel" })).toEqual(["type: only 'proxy' listings can be created for now"]);
    expect(issues({ ...valid, type: "teleport" })[0]).toMatch(/^type: /);
  });

  it.each([
    [{ service: "Open AI" }, "service"],
    [{ category: "" }, "category"],
    [{ category: "a\u0000b" }, "category"],
    [{ allowedMethods: [] }, "allowedMethods"],
    [{ allowedMethods: ["TRACE"] }, "allowedMethods.0"],
    [{ allowedPaths: [] }, "allowedPaths"],
    [{ allowedPaths: ["/v1/../admin"] }, "allowedPaths.0: no . or .. segments"],
    [{ allowedPaths: ["v1"] }, "allowedPaths.0: must start with /"],
    [{ price: "0" }, "price"],
    [{ price: -5 }, "price"],
    [{ price: 1.5 }, "price"],
    [{ price: "1000000000001" }, "price: at most"],
    [{ pricingUnit: "per_byte" }, "pricingUnit"],
    [{ capacity: { total: 10, reservedForSelf: 10 } }, "capacity: reservedForSelf must be below total"],
    [{ capacity: { total: 0 } }, "capacity.total"],
    [{ capacity: { total: 10, window: "week" } }, "capacity.window"],
    [{ providerKey: "short" }, "providerKey: at least 8 characters"],
    [{ providerKey: "has space in it" }, "providerKey: printable ASCII without spaces"],
    [{ providerKey: "line\r\nX-Evil: 1" }, "providerKey"],
    [{ keyInjection: { kind: "header" } }, "keyInjection.name"],
    [{ keyInjection: { kind: "header", name: "Host" } }, "keyInjection.name: this header is managed by the gateway"],
    [{ keyInjection: { kind: "header", name: "X-Forwarded-For" } }, "keyInjection.name"],
    [{ keyInjection: { kind: "header", name: "X-Key", template: "no placeholder" } }, "keyInjection.template"],
    [{ keyInjection: { kind: "header", name: "X-Key", template: "{key}{key}" } }, "keyInjection.template"],
    [{ keyInjection: { kind: "query", name: "a b" } }, "keyInjection.name"],
    [{ keyInjection: { kind: "bearer", name: "x" } }, "keyInjection"],
    [{ extra: 1 }, ""],
  ])("refuses %j", (patch, expected) => {
    const found = issues({ ...valid, ...patch });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join("; ")).toContain(expected);
  });

  it("never echoes the provider key in an issue", () => {
    const key = "sk canary with spaces 9876";
    const parsed = CreateListingRequest.safeParse({ ...valid, providerKey: key });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).not.toContain("canary");
  });
});

describe("UpdateListingRequest / RotateKeyRequest", () => {
  it("takes partial changes and refuses unknown fields", () => {
    expect(UpdateListingRequest.parse({})).toEqual({});
    expect(UpdateListingRequest.parse({ capacity: { total: 5 } })).toEqual({ capacity: { total: 5 } });
    expect(UpdateListingRequest.safeParse({ upstreamBaseUrl: "https://x.example" }).success).toBe(false);
    expect(UpdateListingRequest.safeParse({ status: "active" }).success).toBe(false);
    expect(RotateKeyRequest.safeParse({ providerKey: "sk-new-key-123456" }).success).toBe(true);
    expect(RotateKeyRequest.safeParse({}).success).toBe(false);
  });
});

describe("views", () => {
  const listing: Listing = {
    id: "6f1c1f0e-8d5b-4b7e-9a53-0d5c8d1e2f30",
    sellerId: "9a6f2b1c-3d4e-4f5a-8b6c-7d8e9f0a1b2c",
    service: "demo-data",
    type: "proxy",
    category: "data",
    description: "quotes",
    upstreamBaseUrl: "https://data.example.com",
    allowedMethods: ["GET"],
    allowedPaths: ["/data/quotes/*"],
    keyInjectionKind: "header",
    keyInjectionName: "X-Api-Key",
    keyInjectionTemplate: null,
    price: 200n,
    pricingUnit: "per_call",
    capacityTotal: 1200,
    capacityReservedForSelf: 200,
    capacityWindow: "minute",
    status: "active",
    keyCiphertext: "Y2lwaGVy",
    keyIv: "aXYxMjM0NTY3ODkw",
    keyVersion: 3,
    keyId: "k1",
    keyLast4: "wxyz",
    configVersion: 7,
    createdAt: new Date("2026-01-01T00:00:00Z"),
    updatedAt: new Date("2026-01-02T00:00:00Z"),
  };
  const row = { listing, sellerWallet: "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU" };

  it("builds a ListingConfig the fence accepts", () => {
    const config = toListingConfig(row);
    expect(ListingConfigSchema.parse(config)).toEqual(config);
    expect(config).toMatchObject({
      keyInjection: { kind: "header", name: "X-Api-Key" },
      key: { ciphertext: "Y2lwaGVy", iv: "aXYxMjM0NTY3ODkw", keyId: "k1", version: 3 },
      configVersion: 7,
      capacity: { total: 1200, reservedForSelf: 200, window: "minute" },
    });
    expect(() => toListingConfig({ ...row, listing: { ...listing, keyCiphertext: null } })).toThrow(
      "has no sealed provider key",
    );
  });

  it("public view hides routing, key and seller internals; owner view shows key only as last 4", () => {
    const pub = JSON.stringify(publicView(row));
    for (const hidden of ["data.example.com", "X-Api-Key", "wxyz", "Y2lwaGVy", "1200"])
      expect(pub).not.toContain(hidden);
    expect(publicView(row).capacity).toEqual({ resale: 1000, window: "minute" });
    const owner = ownerView(row);
    expect(owner).toMatchObject({ view: "owner", keyLast4: "wxyz", keyVersion: 3, configVersion: 7 });
    expect(JSON.stringify(owner)).not.toContain("Y2lwaGVy");
  });
});
