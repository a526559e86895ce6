/**
 * The catalog capability: gathers the isolate-cached active listings, their Redis health and
 * their fences' headroom (workers/catalog/cache.ts) and maps them with the pure views.
 */
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { allListings, getHeadroom, getHealth, oneListing } from "./cache.ts";
import type { ApiDetail, ApiEntry, ApisQuery, ApisResponse, CategoriesResponse } from "./interface.ts";
import type { CatalogListing } from "./store.ts";
import {
  apisResponse,
  categories,
  filterListings,
  sellerCounts,
  sortEntries,
  toApiDetail,
  toApiEntry,
} from "./views.ts";

export interface CatalogContext {
  env: Env;
  waitUntil(promise: Promise<unknown>): void;
}

async function entryOf(ctx: CatalogContext, l: CatalogListing, sellerCount: number): Promise<ApiEntry> {
  const [health, headroom] = await Promise.all([
    getHealth(ctx.env, l.id, ctx.waitUntil),
    getHeadroom(ctx.env, l.id, ctx.waitUntil),
  ]);
  return toApiEntry(l, health, headroom.headroom, sellerCount);
}

export async function listApis(ctx: CatalogContext, query: ApisQuery): Promise<ApisResponse> {
  const listings = await allListings(ctx.env, ctx.waitUntil);
  const counts = sellerCounts(listings);
  const kept = filterListings(listings, query);
  const entries = await Promise.all(kept.map((l) => entryOf(ctx, l, counts.get(l.service) ?? 1)));
  return apisResponse(sortEntries(entries, query.sort));
}

/** One active listing (404 if unknown, paused or deleted), with its service's seller count. */
export async function getApi(ctx: CatalogContext, id: string): Promise<ApiDetail> {
  const [listing, listings] = await Promise.all([
    oneListing(ctx.env, id, ctx.waitUntil),
    allListings(ctx.env, ctx.waitUntil),
  ]);
  if (listing === null) throw new ApiError("not_found", "No such API");
  const sellerCount = Math.max(1, sellerCounts(listings).get(listing.service) ?? 0);
  return toApiDetail(await entryOf(ctx, listing, sellerCount), listing);
}

export async function listCategories(ctx: CatalogContext): Promise<CategoriesResponse> {
  return categories(await allListings(ctx.env, ctx.waitUntil));
}
