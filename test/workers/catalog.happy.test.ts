/**
 * The public catalog: GET /v1/apis (filters, sorts, seller counts), /v1/apis/:id (methods, paths;
 * 404 once paused), /v1/categories — no API key, cacheable, nothing private in the answer.
 */
import { describe, expect, it } from "vitest";
import type { ApiDetail, ApisResponse, CategoriesResponse } from "../../workers/catalog/interface.ts";
import { eventually } from "./auth-helpers.ts";
import { createListing, newSeller, call as sellerCall } from "./listings-helpers.ts";
import { BASE, engines, newBuyer } from "./proxy-helpers.ts";
import { callService, chargeAt, uniqueService } from "./routing-helpers.ts";
import { SELF } from "./self.ts";

async function get<T>(path: string, status = 200): Promise<{ body: T; text: string; res: Response }> {
  const res = await SELF.fetch(`${BASE}${path}`);
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return { body: JSON.parse(text) as T, text, res };
}

describe("the public catalog", () => {
  it("lists, filters, sorts and details active listings with price, headroom and health", async () => {
    const service = uniqueService("cat");
    const other = uniqueService("cat-other");
    const category = `Cat-${crypto.randomUUID().slice(0, 8)}`;
    const seller = await newSeller();
    const base = {
      service,
      category,
      providerKey: engines.upstreamApiKey,
      allowedPaths: ["/data/weather"],
    };
    const cheap = await createListing(seller, { ...base, price: "1000", capacity: { total: 10, window: "minute" } });
    const dear = await createListing(await newSeller(), { ...base, price: "3000" });
    const third = await createListing(seller, { ...base, service: other, price: "2000" });

    // Three calls fill 3 of the cheap listing's 10 (it is picked: far cheaper… or not; pin it to be sure).
    const buyer = await newBuyer(5_000_000);
    for (let i = 0; i < 3; i++) {
      const res = await SELF.fetch(`${BASE}/v1/proxy/${cheap.id}/data/weather?city=Oslo`, {
        headers: { authorization: `Bearer ${buyer.apiKey}` },
      });
      expect(res.status).toBe(200);
    }
    expect((await callService(buyer, service)).status).toBe(200);

    const listed = await eventually(
      "the new listings in the catalog, with health",
      async () => {
        const { body } = await get<ApisResponse>(`/v1/apis?service=${service}&sort=price`);
        const entry = body.apis.find((a) => a.id === cheap.id);
        return body.apis.length === 2 && (entry?.health.samples ?? 0) >= 3 ? body : undefined;
      },
      40_000,
    );
    expect(listed.apis.map((a) => a.id)).toEqual([cheap.id, dear.id]);
    expect(listed.services).toEqual([{ service, sellerCount: 2 }]);
    const [first] = listed.apis;
    expect(first).toMatchObject({
      id: cheap.id,
      service,
      type: "proxy",
      category,
      pricingUnit: "per_call",
      price: chargeAt(1_000n).toString(),
      sellerPrice: "1000",
      sellerCount: 2,
      proxyUrl: `/v1/proxy/${cheap.id}`,
      capacity: { window: "minute", resale: 10 },
    });
    expect(first?.capacity.headroom).toBeLessThanOrEqual(0.7);
    expect(first?.health.uptime).toBe(1);
    expect(first?.health.errorRate).toBe(0);
    expect(first?.health.p50Ms).not.toBeNull();

    // Filters: maxPrice compares the buyer's total; category is case-insensitive; type.
    const capped = await get<ApisResponse>(`/v1/apis?service=${service}&maxPrice=${chargeAt(1_000n)}`);
    expect(capped.body.apis.map((a) => a.id)).toEqual([cheap.id]);
    const byCategory = await get<ApisResponse>(`/v1/apis?category=${category.toLowerCase()}&type=proxy&sort=price`);
    expect(byCategory.body.apis.map((a) => a.id)).toEqual([cheap.id, third.id, dear.id]);
    expect(byCategory.body.services).toEqual(
      [
        { service, sellerCount: 2 },
        { service: other, sellerCount: 1 },
      ].sort((a, b) => a.service.localeCompare(b.service)),
    );
    const byUptime = await get<ApisResponse>(`/v1/apis?category=${category}&sort=uptime`);
    // Most reliable first, unknown last (the routed call may have served either seller of the service).
    const uptimes = byUptime.body.apis.map((a) => a.health.uptime ?? -1);
    expect(uptimes).toEqual([...uptimes].sort((x, y) => y - x));
    expect(byUptime.body.apis[0]?.health.uptime).toBe(1);
    expect(byUptime.body.apis.at(-1)?.id).toBe(third.id);
    expect(byUptime.res.headers.get("cache-control")).toMatch(/^public, max-age=([1-9]|[12]\d|30)$/);

    // Nothing private: no upstream URL, no key, not even its last four.
    expect(byCategory.text).not.toContain(engines.upstreamUrl);
    expect(byCategory.text).not.toContain(engines.upstreamApiKey.slice(-4));
    expect(byCategory.text).not.toContain("keyLast4");

    const detail = await get<ApiDetail>(`/v1/apis/${cheap.id}`);
    expect(detail.body).toMatchObject({ id: cheap.id, methods: ["GET"], paths: ["/data/weather"], sellerCount: 2 });

    const categories = await eventually("the category", async () => {
      const { body } = await get<CategoriesResponse>("/v1/categories");
      return body.categories.find((c) => c.category === category);
    });
    expect(categories).toEqual({ category, listingCount: 3, serviceCount: 2 });

    // Paused: gone from the detail within seconds (and from the list within 30 s).
    const paused = await sellerCall(seller, "POST", `/v1/listings/${cheap.id}/pause`);
    expect(paused.status).toBe(200);
    await eventually(
      "404 for the paused listing",
      async () => ((await SELF.fetch(`${BASE}/v1/apis/${cheap.id}`)).status === 404 ? true : undefined),
      15_000,
    );
  }, 90_000);

  it("refuses bad queries with 400 and unknown ids with 404", async () => {
    for (const q of ["sort=cheapest", "maxPrice=-1", "maxPrice=1.5", "type=teleport", "colour=red"]) {
      const res = await SELF.fetch(`${BASE}/v1/apis?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    }
    for (const id of ["not-a-uuid", crypto.randomUUID()]) {
      const res = await SELF.fetch(`${BASE}/v1/apis/${id}`);
      expect(res.status, id).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });
});
