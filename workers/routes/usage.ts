import { and, desc, eq, lt } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { ledgerEntries } from "../../db/schema.ts";
import { withDb } from "../lib/db.ts";
import { MicroUsdc, microUsdc } from "../lib/money.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";

export const UsageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/)
    .optional(),
});

export const UsagePage = z.object({
  entries: z.array(
    z.object({
      requestId: z.string(),
      kind: z.enum(["call", "task_reward"]),
      listingId: z.uuid().nullable(),
      taskId: z.uuid().nullable(),
      charge: MicroUsdc,
      units: z.number(),
      status: z.enum(["unsettled", "in_batch", "settled", "forfeited"]),
      settlementBatchId: z.string().nullable(),
      createdAt: z.iso.datetime(),
    }),
  ),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const usageApi = [
  operation({
    method: "get",
    path: "/v1/usage",
    operationId: "listUsage",
    summary: "The wallet's ledger entries, newest first",
    tags: ["money"],
    auth: "apiKey",
    query: UsageQuery,
    responses: { 200: { description: "One page of ledger entries", schema: UsagePage } },
    errors: ["invalid_request", "dependency_unavailable"],
  }),
];

/**
 * `GET /v1/usage`: the wallet's ledger, newest first. Entries reach Postgres from the WalletDO
 * outbox within seconds of the call; the balance (`GET /v1/balance`) reflects them at once.
 */
export const usage = new Hono<AuthEnv>().get("/v1/usage", requireApiKey(), validate("query", UsageQuery), async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const rows = await withDb(
    c.env,
    (p) => c.executionCtx.waitUntil(p),
    (db) =>
      db
        .select()
        .from(ledgerEntries)
        .where(
          and(
            eq(ledgerEntries.buyerWallet, c.var.wallet),
            cursor === undefined ? undefined : lt(ledgerEntries.id, Number(cursor)),
          ),
        )
        .orderBy(desc(ledgerEntries.id))
        .limit(limit + 1),
  );
  const page = rows.slice(0, limit);
  return c.json({
    entries: page.map((e) => ({
      requestId: e.requestId,
      kind: e.kind,
      listingId: e.listingId,
      taskId: e.taskId,
      charge: microUsdc(e.charge),
      units: e.units,
      status: e.status,
      settlementBatchId: e.settlementBatchId,
      createdAt: e.createdAt.toISOString(),
    })),
    nextCursor: rows.length > limit ? String(page.at(-1)?.id) : null,
  } satisfies z.infer<typeof UsagePage>);
});
