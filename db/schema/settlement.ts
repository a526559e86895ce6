import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgTable, primaryKey, text, unique } from "drizzle-orm/pg-core";
import { chainHeight, createdAt, isBase58Address, microUsdc, timestamptz, updatedAt } from "./columns.ts";
import { settlementBatchStatus, transferKind, transferStatus } from "./enums.ts";
import { wallets } from "./wallets.ts";

/** One settlement run's plan (DESIGN §5). The id is chosen by the planner and goes into every Memo. */
export const settlementBatches = pgTable(
  "settlement_batches",
  {
    id: text("id").primaryKey(),
    status: settlementBatchStatus("status").notNull().default("planned"),
    totalCollected: microUsdc("total_collected").notNull().default(sql`0`),
    totalPaidOut: microUsdc("total_paid_out").notNull().default(sql`0`),
    totalFees: microUsdc("total_fees").notNull().default(sql`0`),
    entryCount: integer("entry_count").notNull().default(0),
    /** Lowest and highest ledger_entries.id marked with this batch: its entries are looked up in that range. */
    firstEntryId: bigint("first_entry_id", { mode: "number" }),
    lastEntryId: bigint("last_entry_id", { mode: "number" }),
    /**
     * Low-water mark for the next planner: no entry below this id was unsettled (or could still
     * appear) once this batch committed. The planner scans from the highest mark of all batches.
     */
    nextScanFrom: bigint("next_scan_from", { mode: "number" }),
    /** Token of the run lock holder currently executing the batch. */
    runToken: text("run_token"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    startedAt: timestamptz("started_at"),
    completedAt: timestamptz("completed_at"),
  },
  (t) => [
    check("settlement_batches_id_length", sql`char_length(${t.id}) BETWEEN 1 AND 64`),
    check(
      "settlement_batches_totals_nonnegative",
      sql`${t.totalCollected} >= 0 AND ${t.totalPaidOut} >= 0 AND ${t.totalFees} >= 0`,
    ),
    check("settlement_batches_counts_nonnegative", sql`${t.entryCount} >= 0 AND ${t.attempts} >= 0`),
    check("settlement_batches_completed_at", sql`${t.status} <> 'completed' OR ${t.completedAt} IS NOT NULL`),
    index("settlement_batches_status_idx").on(t.status, t.createdAt),
    check(
      "settlement_batches_entry_range",
      sql`${t.firstEntryId} IS NULL OR (${t.lastEntryId} IS NOT NULL AND ${t.firstEntryId} <= ${t.lastEntryId})`,
    ),
  ],
);

/**
 * One transfer of a batch: a delegate collection from a buyer vault into the treasury, or a payout
 * from the treasury. `(batch_id, idx)` is the Memo's identity; the signature is recorded before sending.
 */
export const settlementTransfers = pgTable(
  "settlement_transfers",
  {
    batchId: text("batch_id")
      .notNull()
      .references(() => settlementBatches.id),
    idx: integer("idx").notNull(),
    kind: transferKind("kind").notNull(),
    /** The buyer collected from, or the payee (seller, solver) paid. */
    walletAddress: text("wallet_address")
      .notNull()
      .references(() => wallets.address),
    fromTokenAccount: text("from_token_account").notNull(),
    toTokenAccount: text("to_token_account").notNull(),
    amount: microUsdc("amount").notNull(),
    /** Which transaction of the batch carries this transfer (several transfers share one). */
    txIndex: integer("tx_index").notNull(),
    signature: text("signature"),
    /** After this block height an unconfirmed signature provably cannot land: only then re-sign. */
    lastValidBlockHeight: chainHeight("last_valid_block_height"),
    status: transferStatus("status").notNull().default("planned"),
    confirmedSlot: chainHeight("confirmed_slot"),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ name: "settlement_transfers_pkey", columns: [t.batchId, t.idx] }),
    // Netting yields at most one collection and one payout per wallet per batch: a second is a double pay.
    unique("settlement_transfers_batch_kind_wallet_unique").on(t.batchId, t.kind, t.walletAddress),
    check("settlement_transfers_idx_nonnegative", sql`${t.idx} >= 0 AND ${t.txIndex} >= 0`),
    check("settlement_transfers_amount_positive", sql`${t.amount} > 0`),
    check("settlement_transfers_from_base58", isBase58Address(t.fromTokenAccount)),
    check("settlement_transfers_to_base58", isBase58Address(t.toTokenAccount)),
    check("settlement_transfers_distinct_accounts", sql`${t.fromTokenAccount} <> ${t.toTokenAccount}`),
    check(
      "settlement_transfers_sent_has_signature",
      sql`${t.status} NOT IN ('sent', 'confirmed') OR ${t.signature} IS NOT NULL`,
    ),
    index("settlement_transfers_tx_idx").on(t.batchId, t.txIndex),
    index("settlement_transfers_wallet_idx").on(t.walletAddress, t.createdAt),
    index("settlement_transfers_signature_idx").on(t.signature).where(sql`${t.signature} IS NOT NULL`),
  ],
);

export type SettlementBatch = typeof settlementBatches.$inferSelect;
export type NewSettlementBatch = typeof settlementBatches.$inferInsert;
export type SettlementTransfer = typeof settlementTransfers.$inferSelect;
export type NewSettlementTransfer = typeof settlementTransfers.$inferInsert;
