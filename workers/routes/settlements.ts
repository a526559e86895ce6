import { Hono } from "hono";
import { createPool } from "../../db/client.ts";
import { ApiError } from "../errors.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import {
  Earnings,
  EarningsQuery,
  SellerSettlements,
  SettlementDetail,
  SettlementIdParam,
  SettlementsQuery,
} from "../settlement/interface.ts";
import type { Sql } from "../settlement/store.ts";
import { sellerEarnings, sellerSettlements, settlementDetail } from "../settlement/views.ts";
import type { AuthEnv } from "../types.ts";

/** One declaration per route (the OpenAPI document and its coverage test read these). */
export const settlementsApi = [
  operation({
    method: "get",
    path: "/v1/seller/earnings",
    operationId: "sellerEarnings",
    summary: "As a seller: pending and settled payouts, by listing and by day (UTC)",
    tags: ["settlement"],
    auth: "apiKey",
    query: EarningsQuery,
    responses: { 200: { description: "Earnings (seller payouts, after the seller fee)", schema: Earnings } },
    errors: ["invalid_request", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/seller/settlements",
    operationId: "sellerSettlements",
    summary: "Your payouts, newest first: batch, amount, status, on-chain signature and slot",
    tags: ["settlement"],
    auth: "apiKey",
    query: SettlementsQuery,
    responses: { 200: { description: "A page of payouts", schema: SellerSettlements } },
    errors: ["invalid_request", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/settlements/:id",
    operationId: "getSettlement",
    summary: "One settlement batch you have a part in: status, totals, your transfers with signatures",
    tags: ["settlement"],
    auth: "apiKey",
    params: SettlementIdParam,
    responses: { 200: { description: "The batch", schema: SettlementDetail } },
    errors: ["invalid_request", "not_found", "dependency_unavailable"],
  }),
];

type Ctx = { env: AuthEnv["Bindings"]; executionCtx: { waitUntil(p: Promise<unknown>): void } };

/** Runs raw read queries with a pool closed after the response. */
async function withSql<T>(c: Ctx, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const pool = createPool(c.env);
  try {
    return await fn(pool);
  } finally {
    c.executionCtx.waitUntil(pool.end());
  }
}

/**
 * Seller views of settlement: `GET /v1/seller/earnings`, `GET /v1/seller/settlements`, and
 * `GET /v1/settlements/:id` (404 unless the caller has a part in the batch).
 */
export const settlementRoutes = new Hono<AuthEnv>()
  .get("/v1/seller/earnings", requireApiKey(), validate("query", EarningsQuery), async (c) => {
    const { days } = c.req.valid("query");
    return c.json(await withSql(c, (sql) => sellerEarnings(sql, c.var.wallet, days)));
  })
  .get("/v1/seller/settlements", requireApiKey(), validate("query", SettlementsQuery), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    return c.json(await withSql(c, (sql) => sellerSettlements(sql, c.var.wallet, limit, cursor)));
  })
  .get("/v1/settlements/:id", requireApiKey(), validate("param", SettlementIdParam), async (c) => {
    const { id } = c.req.valid("param");
    const detail = await withSql(c, (sql) => settlementDetail(sql, c.var.wallet, id));
    if (!detail) throw new ApiError("not_found", "No settlement with this id involves your wallet.");
    return c.json(detail);
  });
