import { type Context, Hono } from "hono";
import { z } from "zod";
import { type CatalogContext, getApi, listApis, listCategories } from "../catalog/catalog.ts";
import { ApiDetail, ApisQuery, ApisResponse, CategoriesResponse } from "../catalog/interface.ts";
import { ApiError } from "../errors.ts";
import { validate } from "../lib/validate.ts";
import { ListingId } from "../listings/interface.ts";
import { operation } from "../openapi/registry.ts";
import type { AppEnv } from "../types.ts";

/** One declaration per route (the OpenAPI document, its coverage test and the per-IP limits read these). */
export const catalogApi = [
  operation({
    method: "get",
    path: "/v1/apis",
    operationId: "listApis",
    summary: "The catalog: active listings with the buyer's price, capacity headroom and live health",
    tags: ["catalog"],
    auth: "public",
    query: ApisQuery,
    responses: { 200: { description: "Listings and the seller count per service", schema: ApisResponse } },
    errors: ["invalid_request", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/apis/:id",
    operationId: "getApi",
    summary: "One active listing of the catalog, with its allowed methods and paths",
    tags: ["catalog"],
    auth: "public",
    params: z.object({ id: ListingId }),
    responses: { 200: { description: "The listing", schema: ApiDetail } },
    errors: ["not_found", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/categories",
    operationId: "listCategories",
    summary: "Categories with their listing and service counts",
    tags: ["catalog"],
    auth: "public",
    responses: { 200: { description: "Every category with an active listing", schema: CategoriesResponse } },
    errors: ["dependency_unavailable"],
  }),
];

/** Shared caches may keep catalog answers this long (the isolate caches are ≤ 30 s old anyway). */
export const CATALOG_MAX_AGE_S = 10;

function contextOf(c: Context<AppEnv>): CatalogContext {
  c.header("cache-control", `public, max-age=${CATALOG_MAX_AGE_S}`);
  return { env: c.env, waitUntil: (p) => c.executionCtx.waitUntil(p) };
}

/**
 * The public catalog (no API key): `GET /v1/apis` (filters service, category, type, maxPrice;
 * sort price|latency|uptime), `GET /v1/apis/:id`, `GET /v1/categories`. Active listings only,
 * with the buyer's total price, capacity headroom and live health. docs/decisions/012-routing.md.
 */
export const catalog = new Hono<AppEnv>()
  .get("/v1/apis", validate("query", ApisQuery), async (c) =>
    c.json(await listApis(contextOf(c), c.req.valid("query"))),
  )
  .get("/v1/apis/:id", async (c) => {
    const id = ListingId.safeParse(c.req.param("id"));
    if (!id.success) throw new ApiError("not_found", "No such API");
    return c.json(await getApi(contextOf(c), id.data.toLowerCase()));
  })
  .get("/v1/categories", async (c) => c.json(await listCategories(contextOf(c))));
