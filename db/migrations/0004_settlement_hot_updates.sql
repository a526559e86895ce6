-- Settlement marks up to millions of ledger rows in one transaction (decision 011): make those
-- updates HOT. Batches record the id range of their entries (backfilled here, while the batch
-- index still exists), then every index naming status / settlement_batch_id goes, and new pages
-- keep half their space free for the new row versions (existing pages keep theirs until rewritten).
-- The foreign key from ledger_entries.settlement_batch_id goes too: its per-row check was half the time.
ALTER TABLE "settlement_batches" ADD COLUMN "first_entry_id" bigint;--> statement-breakpoint
ALTER TABLE "settlement_batches" ADD COLUMN "last_entry_id" bigint;--> statement-breakpoint
ALTER TABLE "settlement_batches" ADD COLUMN "next_scan_from" bigint;--> statement-breakpoint
UPDATE "settlement_batches" b SET "first_entry_id" = r.lo, "last_entry_id" = r.hi
  FROM (SELECT "settlement_batch_id" AS id, min("id") AS lo, max("id") AS hi FROM "ledger_entries"
         WHERE "settlement_batch_id" IS NOT NULL GROUP BY "settlement_batch_id") r
 WHERE r.id = b.id;--> statement-breakpoint
ALTER TABLE "settlement_batches" ADD CONSTRAINT "settlement_batches_entry_range" CHECK ("settlement_batches"."first_entry_id" IS NULL OR ("settlement_batches"."last_entry_id" IS NOT NULL AND "settlement_batches"."first_entry_id" <= "settlement_batches"."last_entry_id"));--> statement-breakpoint
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_settlement_batch_id_settlement_batches_id_fk";--> statement-breakpoint
DROP INDEX "ledger_entries_unsettled_idx";--> statement-breakpoint
DROP INDEX "ledger_entries_batch_idx";--> statement-breakpoint
ALTER TABLE "ledger_entries" SET (fillfactor = 50);
