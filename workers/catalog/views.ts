/**
 * The catalog's pure core: a listing + its health + headroom → an ApiEntry; filters, sorting,
 * per-service seller counts and categories. No I/O (workers/catalog/catalog.ts gathers the inputs).
 */
import { computeFees } from "../credit/fees.ts";
import type { HealthStats } from "../telemetry/health-window.ts";
import type { ApiDetail, ApiEntry, ApisQuery, ApisResponse, CategoriesResponse } from "./interface.ts";
import type { CatalogListing } from "./store.ts";

/** Active listings per service. */
export function sellerCounts(listings: readonly CatalogListing[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const l of listings) counts.set(l.service, (counts.get(l.service) ?? 0) + 1);
  return counts;
}

export function toApiEntry(
  l: CatalogListing,
  health: HealthStats | null,
  headroom: number,
  sellerCount: number,
): ApiEntry {
  return {
    id: l.id,
    service: l.service,
    type: l.type as ApiEntry["type"],
    category: l.category,
    description: l.description,
    pricingUnit: l.pricingUnit,
    price: computeFees(l.price).charge.toString(),
    sellerPrice: l.price.toString(),
    capacity: { window: l.window, resale: l.resale, headroom: Math.round(headroom * 1000) / 1000 },
    health: {
      uptime: health?.uptime ?? null,
      errorRate: health?.errorRate ?? null,
      p50Ms: health?.p50Ms ?? null,
      p95Ms: health?.p95Ms ?? null,
      samples: health?.calls ?? 0,
    },
    sellerCount,
    proxyUrl: `/v1/proxy/${l.id}`,
  };
}

export function toApiDetail(entry: ApiEntry, l: CatalogListing): ApiDetail {
  return { ...entry, methods: [...l.allowedMethods], paths: [...l.allowedPaths] };
}

/** The listings a query's filters keep (before health is known: filters need none). */
export function filterListings(listings: readonly CatalogListing[], q: ApisQuery): CatalogListing[] {
  return listings.filter(
    (l) =>
      (q.service === undefined || l.service === q.service) &&
      (q.category === undefined || l.category.toLowerCase() === q.category.toLowerCase()) &&
      (q.type === undefined || l.type === q.type) &&
      (q.maxPrice === undefined || computeFees(l.price).charge <= q.maxPrice),
  );
}

const nullsLast = (v: number | null, missing: number) => (v === null ? missing : v);

/**
 * Sorted copy: `price` ascending (buyer's total), `latency` by p50 ascending (unknown last),
 * `uptime` descending (unknown last); ties by service then id. Without `sort`: service, then price.
 */
export function sortEntries(entries: readonly ApiEntry[], sort: ApisQuery["sort"]): ApiEntry[] {
  const byPrice = (a: ApiEntry, b: ApiEntry) => {
    const d = BigInt(a.price) - BigInt(b.price);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  };
  const tie = (a: ApiEntry, b: ApiEntry) => a.service.localeCompare(b.service) || a.id.localeCompare(b.id);
  const compare = (a: ApiEntry, b: ApiEntry): number => {
    switch (sort) {
      case "price":
        return byPrice(a, b) || tie(a, b);
      case "latency":
        return (
          nullsLast(a.health.p50Ms, Number.POSITIVE_INFINITY) - nullsLast(b.health.p50Ms, Number.POSITIVE_INFINITY) ||
          tie(a, b)
        );
      case "uptime":
        return nullsLast(b.health.uptime, -1) - nullsLast(a.health.uptime, -1) || tie(a, b);
      case undefined:
        return a.service.localeCompare(b.service) || byPrice(a, b) || a.id.localeCompare(b.id);
    }
  };
  return [...entries].sort(compare);
}

/** The response body: entries plus the seller count of every service they belong to. */
export function apisResponse(entries: readonly ApiEntry[]): ApisResponse {
  const services = new Map<string, number>();
  for (const e of entries) services.set(e.service, e.sellerCount);
  return {
    apis: [...entries],
    services: [...services]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, sellerCount]) => ({ service, sellerCount })),
  };
}

/** Categories of the active listings, with listing and service counts, by name. */
export function categories(listings: readonly CatalogListing[]): CategoriesResponse {
  const by = new Map<string, { listings: number; services: Set<string> }>();
  for (const l of listings) {
    const c = by.get(l.category) ?? { listings: 0, services: new Set<string>() };
    c.listings += 1;
    c.services.add(l.service);
    by.set(l.category, c);
  }
  return {
    categories: [...by]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, c]) => ({ category, listingCount: c.listings, serviceCount: c.services.size })),
  };
}
