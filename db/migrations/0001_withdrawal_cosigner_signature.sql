ALTER TABLE "withdrawals" ADD COLUMN "cosigner_signature" text NOT NULL;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_cosigner_signature_unique" UNIQUE("cosigner_signature");--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_cosigner_signature_base58" CHECK ("withdrawals"."cosigner_signature" ~ '^[1-9A-HJ-NP-Za-km-z]{64,88}$');