import { sql } from "drizzle-orm";
import { bigint, check, foreignKey, index, integer, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, microUsdc, timestamptz } from "./columns.ts";
import { ledgerEntryKind, ledgerEntryStatus } from "./enums.ts";
import { listings, sellers } from "./listings.ts";
import { tasks } from "./tasks.ts";
import { wallets } from "./wallets.ts";

/**
 * One confirmed charge. Written by the WalletDO outbox flush with
 * `ON CONFLICT (request_id) DO NOTHING`, so a retried flush never books a call twice.
 * The buyer pays `charge`; the payee receives `seller_payout`; the platform keeps `platform_fee`.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    /** Insertion order: a cheap, stable pagination cursor for usage listings. */
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    requestId: text("request_id").notNull(),
    kind: ledgerEntryKind("kind").notNull().default("call"),
    buyerWallet: text("buyer_wallet")
      .notNull()
      .references(() => wallets.address),
    /** Who is paid `seller_payout`: the listing's seller wallet for a call, the solver for a task reward. */
    payeeWallet: text("payee_wallet")
      .notNull()
      .references(() => wallets.address),
    sellerId: uuid("seller_id").references(() => sellers.id),
    listingId: uuid("listing_id").references(() => listings.id),
    taskId: uuid("task_id").references(() => tasks.id),
    charge: microUsdc("charge").notNull(),
    sellerPayout: microUsdc("seller_payout").notNull(),
    platformFee: microUsdc("platform_fee").notNull(),
    /** Pricing units billed: 1 per call, or the token count for per-1k-token listings. */
    units: bigint("units", { mode: "number" }).notNull().default(1),
    inputTokens: integer("input_tokens"),
    outputTokens: integer("output_tokens"),
    status: ledgerEntryStatus("status").notNull().default("unsettled"),
    /**
     * The batch (settlement_batches.id). No foreign key, on purpose: its per-row check cost ~5.6 s of
     * a 1M-row batch (decision 011). Only planAndPersist (which inserts the batch in the same
     * transaction) and the skim handling of an existing batch ever set it.
     */
    settlementBatchId: text("settlement_batch_id"),
    /** When the charge was confirmed (set by the WalletDO, not by the flush). */
    createdAt: createdAt(),
    settledAt: timestamptz("settled_at"),
  },
  (t) => [
    unique("ledger_entries_request_id_unique").on(t.requestId),
    // A call's listing must belong to its seller, and the payee must be that seller's wallet.
    // MATCH SIMPLE: skipped when seller_id or listing_id is NULL (task rewards).
    foreignKey({
      name: "ledger_entries_listing_seller_fk",
      columns: [t.listingId, t.sellerId],
      foreignColumns: [listings.id, listings.sellerId],
    }),
    foreignKey({
      name: "ledger_entries_seller_payee_fk",
      columns: [t.sellerId, t.payeeWallet],
      foreignColumns: [sellers.id, sellers.walletAddress],
    }),
    check("ledger_entries_request_id_length", sql`char_length(${t.requestId}) BETWEEN 1 AND 128`),
    check("ledger_entries_charge_positive", sql`${t.charge} > 0`),
    check("ledger_entries_payout_nonnegative", sql`${t.sellerPayout} >= 0`),
    check("ledger_entries_fee_nonnegative", sql`${t.platformFee} >= 0`),
    check("ledger_entries_charge_split", sql`${t.charge} = ${t.sellerPayout} + ${t.platformFee}`),
    check(
      "ledger_entries_units_nonnegative",
      sql`${t.units} >= 0 AND coalesce(${t.inputTokens}, 0) >= 0 AND coalesce(${t.outputTokens}, 0) >= 0`,
    ),
    check(
      "ledger_entries_kind_refs",
      sql`(${t.kind} <> 'call' OR (${t.listingId} IS NOT NULL AND ${t.sellerId} IS NOT NULL AND ${t.taskId} IS NULL)) AND (${t.kind} <> 'task_reward' OR (${t.taskId} IS NOT NULL AND ${t.listingId} IS NULL))`,
    ),
    // unsettled ⇔ no batch; in_batch/settled always name their batch; forfeited may or may not.
    check(
      "ledger_entries_status_batch",
      sql`(${t.status} = 'unsettled' AND ${t.settlementBatchId} IS NULL) OR (${t.status} IN ('in_batch', 'settled') AND ${t.settlementBatchId} IS NOT NULL) OR ${t.status} = 'forfeited'`,
    ),
    // No index may name status, settlement_batch_id or settled_at (key or predicate): settlement
    // rewrites those on up to millions of rows at once, and only then are the updates HOT (decision 011).
    // The planner scans the primary key from a low-water mark; a batch's entries are found through
    // the id range recorded on the batch. Table fillfactor 50 (migration 0004) leaves room on each page.
    index("ledger_entries_buyer_idx").on(t.buyerWallet, t.createdAt),
    index("ledger_entries_seller_idx").on(t.sellerId, t.createdAt),
    index("ledger_entries_payee_idx").on(t.payeeWallet, t.createdAt),
  ],
);

export type LedgerEntry = typeof ledgerEntries.$inferSelect;
export type NewLedgerEntry = typeof ledgerEntries.$inferInsert;
