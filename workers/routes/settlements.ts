import { Hono } from "hono";
import { createPool } from "../../db/client.ts";
import { ApiError } from "../errors.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { EarningsQuery, SettlementIdParam, SettlementsQuery } from "../settlement/interface.ts";
import type { Sql } from "../settlement/store.ts";
import { sellerEarnings, sellerSettlements, settlementDetail } from "../settlement/views.ts";
import type { AuthEnv } from "../types.ts";

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
