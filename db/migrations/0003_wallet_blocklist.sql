ALTER TYPE "public"."security_event_kind" ADD VALUE 'wallet_blocked';--> statement-breakpoint
ALTER TYPE "public"."security_event_kind" ADD VALUE 'wallet_unblocked';--> statement-breakpoint
ALTER TYPE "public"."security_event_kind" ADD VALUE 'blocked_wallet_attempt';--> statement-breakpoint
CREATE TABLE "wallet_blocks" (
	"wallet_address" text PRIMARY KEY NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallet_blocks_reason_length" CHECK (char_length("wallet_blocks"."reason") BETWEEN 1 AND 500)
);
--> statement-breakpoint
ALTER TABLE "wallet_blocks" ADD CONSTRAINT "wallet_blocks_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;