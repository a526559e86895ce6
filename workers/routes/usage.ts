import { and, desc, eq, lt } from "drizzle-orm";
import { Hono } from "hono";
import { z } from "zod";
import { ledgerEntries } from "../../db/schema.ts";
import { withDb } from "../lib/db.ts";
import { microUsdc } from "../lib/money.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import type { AuthEnv } from "../types.ts";

export const UsageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/)
    .optional(),
});

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
  });
});
