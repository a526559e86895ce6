/** The catalog's pure core (workers/catalog/views.ts): entry shape, filters, sorts, counts. */
import { describe, expect, it } from "vitest";
import { ApiEntry } from "../../workers/catalog/interface.ts";
import type { CatalogListing } from "../../workers/catalog/store.ts";
import {
  apisResponse,
  categories,
  filterListings,
  sellerCounts,
  sortEntries,
  toApiDetail,
  toApiEntry,
} from "../../workers/catalog/views.ts";
import type { HealthStats } from "../../workers/telemetry/health-window.ts";

let n = 0;
function listing(overrides: Partial<CatalogListing> = {}): CatalogListing {
  n += 1;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    service: "openai",
    type: "proxy",
    category: "llm",
    description: "",
    price: 1_000n,
    pricingUnit: "per_call",
    resale: 100,
    window: "minute",
    allowedMethods: ["POST"],
    allowedPaths: ["/v1/chat/completions"],
    ...overrides,
  };
}

const health = (uptime: number | null, p50Ms: number | null): HealthStats => ({
  windowMs: 300_000,
  calls: uptime === null ? 0 : 10,
  uptime,
  errorRate: uptime === null ? null : 1 - uptime,
  rateLimitRate: uptime === null ? null : 0,
  p50Ms,
  p95Ms: p50Ms,
  meanMs: p50Ms,
});

describe("catalog views", () => {
  it("maps a listing to the contract's ApiEntry: buyer total, seller price, headroom, health", () => {
    const l = listing({ price: 1_000n });
    const entry = toApiEntry(l, health(0.99, 120), 0.8333, 3);
    expect(ApiEntry.parse(entry)).toEqual(entry);
    expect(entry).toMatchObject({
      price: "1050",
      sellerPrice: "1000",
      capacity: { window: "minute", resale: 100, headroom: 0.833 },
      health: { uptime: 0.99, p50Ms: 120, samples: 10 },
      sellerCount: 3,
      proxyUrl: `/v1/proxy/${l.id}`,
    });
    expect(toApiEntry(l, null, 1, 1).health).toEqual({
      uptime: null,
      errorRate: null,
      p50Ms: null,
      p95Ms: null,
      samples: 0,
    });
    expect(toApiDetail(entry, l)).toMatchObject({ methods: ["POST"], paths: ["/v1/chat/completions"] });
  });

  it("filters by service, category (any case), type and the buyer's total price", () => {
    const a = listing({ price: 1_000n });
    const b = listing({ price: 2_000n, category: "LLM" });
    const c = listing({ service: "weather", category: "data" });
    const all = [a, b, c];
    expect(filterListings(all, { service: "openai" })).toEqual([a, b]);
    expect(filterListings(all, { category: "llm" })).toEqual([a, b]);
    expect(filterListings(all, { type: "dataset" })).toEqual([]);
    expect(filterListings(all, { maxPrice: 1_050n })).toEqual([a, c]);
    expect(filterListings(all, { maxPrice: 1_049n })).toEqual([]);
  });

  it("sorts by price, latency and uptime, unknowns last", () => {
    const e = (price: bigint, up: number | null, p50: number | null) =>
      toApiEntry(listing({ price }), health(up, p50), 1, 1);
    const x = e(3_000n, 0.9, 50);
    const y = e(1_000n, null, null);
    const z = e(2_000n, 1, 500);
    expect(sortEntries([x, y, z], "price").map((v) => v.sellerPrice)).toEqual(["1000", "2000", "3000"]);
    expect(sortEntries([x, y, z], "latency")).toEqual([x, z, y]);
    expect(sortEntries([x, y, z], "uptime")).toEqual([z, x, y]);
  });

  it("counts sellers per service and listings/services per category", () => {
    const all = [listing(), listing(), listing({ service: "weather", category: "data" })];
    expect(sellerCounts(all)).toEqual(
      new Map([
        ["openai", 2],
        ["weather", 1],
      ]),
    );
    expect(categories([...all, listing({ service: "anthropic" })])).toEqual({
      categories: [
        { category: "data", listingCount: 1, serviceCount: 1 },
        { category: "llm", listingCount: 3, serviceCount: 2 },
      ],
    });
    const entries = all.map((l) => toApiEntry(l, null, 1, sellerCounts(all).get(l.service) ?? 0));
    expect(apisResponse(entries).services).toEqual([
      { service: "openai", sellerCount: 2 },
      { service: "weather", sellerCount: 1 },
    ]);
  });
});
