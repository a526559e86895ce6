/**
 * The ledger outbox: a confirm writes its ledger entry here in the same storage transaction as the
 * money, and the alarm copies entries to Postgres (`ON CONFLICT (request_id) DO NOTHING`, so a
 * retried flush never books a call twice) and deletes them only after Postgres committed.
 *
 * FK rows: the buyer and payee `wallets` rows are upserted in the same Postgres statement, so a
 * wallet Postgres has not seen yet never blocks an entry. A row Postgres still refuses (an unknown
 * listing or seller: SQLSTATE class 22/23) is isolated: the rest of the batch goes through, the
 * refused row stays in the outbox, is logged and retried with its own backoff — never dropped.
 */

import type { Pool } from "@neondatabase/serverless";
import { z } from "zod";
import { createPool, type DbEnv } from "../db/client.ts";
import { LEDGER_WRITE_LOCK } from "../workers/lib/ledger-lock.ts";

export const OutboxEntrySchema = z.strictObject({
  requestId: z.string().min(1).max(128),
  kind: z.enum(["call", "task_reward"]),
  buyerWallet: z.string(),
  payeeWallet: z.string(),
  sellerId: z.string().nullable(),
  listingId: z.string().nullable(),
  taskId: z.string().nullable(),
  /** Decimal strings: JSON has no bigint. */
  charge: z.string().regex(/^\d+$/),
  sellerPayout: z.string().regex(/^\d+$/),
  platformFee: z.string().regex(/^\d+$/),
  units: z.int().nonnegative(),
  /** Epoch ms of the confirm: the ledger's created_at. */
  confirmedAt: z.int().positive(),
});

export type OutboxEntry = z.infer<typeof OutboxEntrySchema>;

export function enqueueEntry(sql: SqlStorage, entry: OutboxEntry, now: number): void {
  sql.exec(
    "INSERT INTO outbox (request_id, entry, created_at, next_attempt_at) VALUES (?, ?, ?, ?)",
    entry.requestId,
    JSON.stringify(entry),
    now,
    now,
  );
}

export interface OutboxRow {
  requestId: string;
  attempts: number;
  entry: OutboxEntry;
}

/** The oldest `limit` rows whose own backoff has passed. */
export function dueEntries(sql: SqlStorage, now: number, limit: number): OutboxRow[] {
  return sql
    .exec<{ request_id: string; attempts: number; entry: string }>(
      "SELECT request_id, attempts, entry FROM outbox WHERE next_attempt_at <= ? ORDER BY created_at, request_id LIMIT ?",
      now,
      limit,
    )
    .toArray()
    .map((r) => ({
      requestId: r.request_id,
      attempts: r.attempts,
      entry: OutboxEntrySchema.parse(JSON.parse(r.entry)),
    }));
}

export function deleteEntries(sql: SqlStorage, requestIds: readonly string[]): void {
  for (const id of requestIds) sql.exec("DELETE FROM outbox WHERE request_id = ?", id);
}

export function deferEntry(sql: SqlStorage, requestId: string, nextAttemptAt: number, error: string): void {
  sql.exec(
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE request_id = ?",
    nextAttemptAt,
    error,
    requestId,
  );
}

/** Earliest `next_attempt_at` in the outbox, or null when it is empty. */
export function outboxDueAt(sql: SqlStorage): number | null {
  return sql.exec<{ t: number | null }>("SELECT min(next_attempt_at) AS t FROM outbox").one().t;
}

export function outboxSize(sql: SqlStorage): number {
  return sql.exec<{ n: number }>("SELECT count(*) AS n FROM outbox").one().n;
}

export interface FlushResult {
  /** Committed in Postgres (or already there): safe to delete from the outbox. */
  written: string[];
  /** Refused by Postgres for this row's own content (SQLSTATE class 22/23), with the code. */
  refused: Array<{ requestId: string; code: string }>;
  /** Postgres unreachable or failing as a whole: retry everything not written, later. */
  failure?: unknown;
}

/** The SQLSTATE of a Postgres error, looking through wrappers (drizzle wraps driver errors in `cause`). */
export function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

function isRowError(err: unknown): boolean {
  const code = sqlState(err);
  return code !== undefined && (code.startsWith("22") || code.startsWith("23"));
}

/**
 * Every wallet row the entries name, then the entries, in ONE statement: one round trip and one
 * implicit transaction however many entries there are. Columns travel as 13 arrays (unnest), so
 * the statement's text and its parameter count stay the same for 1 or 100 entries — building it
 * costs next to nothing (drizzle's per-value query building was ~8 % of the gateway isolate's
 * CPU under the proxy benchmark). The foreign-key checks run at the end of the statement and see the
 * wallets inserted by its WITH clause. Table and columns: db/schema/ledger.ts, db/schema/wallets.ts.
 * The statement's implicit transaction holds the ledger write lock SHARED ($14, workers/lib/ledger-lock.ts)
 * from before its first row is inserted (every row is joined with the lock's one row) to its commit:
 * the settlement planner's low-water barrier waits for it.
 */
const INSERT_ENTRIES = `WITH ledger_lock AS (
  SELECT pg_advisory_xact_lock_shared($14::bigint) AS held
), new_wallets AS (
  INSERT INTO wallets (address) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING
)
INSERT INTO ledger_entries (request_id, kind, buyer_wallet, payee_wallet, seller_id, listing_id, task_id,
  charge, seller_payout, platform_fee, units, created_at)
SELECT u.* FROM ledger_lock CROSS JOIN unnest($2::text[], $3::ledger_entry_kind[], $4::text[], $5::text[], $6::uuid[],
  $7::uuid[], $8::uuid[], $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::timestamptz[]) AS u
ON CONFLICT (request_id) DO NOTHING`;

async function insertEntries(pool: Pool, entries: readonly OutboxEntry[]): Promise<void> {
  const addresses = [...new Set(entries.flatMap((e) => [e.buyerWallet, e.payeeWallet]))];
  const column = <T>(f: (e: OutboxEntry) => T) => entries.map(f);
  await pool.query(INSERT_ENTRIES, [
    addresses,
    column((e) => e.requestId),
    column((e) => e.kind),
    column((e) => e.buyerWallet),
    column((e) => e.payeeWallet),
    column((e) => e.sellerId),
    column((e) => e.listingId),
    column((e) => e.taskId),
    // Decimal strings: exact for any bigint, cast by Postgres.
    column((e) => e.charge),
    column((e) => e.sellerPayout),
    column((e) => e.platformFee),
    column((e) => String(e.units)),
    column((e) => new Date(e.confirmedAt).toISOString()),
    LEDGER_WRITE_LOCK,
  ]);
}

/**
 * Writes entries to Postgres: the whole batch in one statement; if Postgres refuses some row's
 * content, row by row to isolate it. A Pool per flush, ended before returning (Workers rule).
 */
export async function writeLedgerEntries(env: DbEnv, entries: readonly OutboxEntry[]): Promise<FlushResult> {
  const pool = createPool(env, { max: 1, connectionTimeoutMillis: 5_000 });
  const result: FlushResult = { written: [], refused: [] };
  try {
    try {
      await insertEntries(pool, entries);
      result.written = entries.map((e) => e.requestId);
      return result;
    } catch (err) {
      if (!isRowError(err)) return { ...result, failure: err };
    }
    for (const entry of entries) {
      try {
        await insertEntries(pool, [entry]);
        result.written.push(entry.requestId);
      } catch (err) {
        if (!isRowError(err)) return { ...result, failure: err };
        result.refused.push({ requestId: entry.requestId, code: sqlState(err) ?? "unknown" });
      }
    }
    return result;
  } finally {
    await pool.end().catch(() => {});
  }
}
