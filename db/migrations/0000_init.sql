CREATE TYPE "public"."capacity_window" AS ENUM('second', 'minute', 'hour', 'day', 'month');--> statement-breakpoint
CREATE TYPE "public"."deposit_status" AS ENUM('pending', 'confirmed', 'rejected');--> statement-breakpoint
CREATE TYPE "public"."key_injection_kind" AS ENUM('header', 'bearer', 'query');--> statement-breakpoint
CREATE TYPE "public"."ledger_entry_kind" AS ENUM('call', 'task_reward');--> statement-breakpoint
CREATE TYPE "public"."ledger_entry_status" AS ENUM('unsettled', 'in_batch', 'settled', 'forfeited');--> statement-breakpoint
CREATE TYPE "public"."listing_status" AS ENUM('active', 'paused', 'deleted');--> statement-breakpoint
CREATE TYPE "public"."listing_type" AS ENUM('proxy', 'tunnel', 'skill', 'product', 'dataset', 'service', 'connector');--> statement-breakpoint
CREATE TYPE "public"."pricing_unit" AS ENUM('per_call', 'per_1k_tokens');--> statement-breakpoint
CREATE TYPE "public"."security_event_kind" AS ENUM('signin_failed', 'key_created', 'key_revoked', 'listing_key_rotated', 'deposit_replay', 'deposit_rejected', 'withdrawal_refused', 'skim_detected', 'wallet_flagged', 'wallet_unflagged', 'task_disputed', 'rate_limited');--> statement-breakpoint
CREATE TYPE "public"."settlement_batch_status" AS ENUM('planned', 'executing', 'completed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."task_status" AS ENUM('open', 'claimed', 'submitted', 'approved', 'cancelled', 'disputed', 'released');--> statement-breakpoint
CREATE TYPE "public"."transfer_kind" AS ENUM('collection', 'payout');--> statement-breakpoint
CREATE TYPE "public"."transfer_status" AS ENUM('planned', 'sent', 'confirmed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."vault_status" AS ENUM('pending', 'active', 'closed');--> statement-breakpoint
CREATE TYPE "public"."withdrawal_status" AS ENUM('pending', 'submitted', 'confirmed', 'expired', 'failed');--> statement-breakpoint
CREATE TABLE "ledger_entries" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_entries_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"request_id" text NOT NULL,
	"kind" "ledger_entry_kind" DEFAULT 'call' NOT NULL,
	"buyer_wallet" text NOT NULL,
	"payee_wallet" text NOT NULL,
	"seller_id" uuid,
	"listing_id" uuid,
	"task_id" uuid,
	"charge" bigint NOT NULL,
	"seller_payout" bigint NOT NULL,
	"platform_fee" bigint NOT NULL,
	"units" bigint DEFAULT 1 NOT NULL,
	"input_tokens" integer,
	"output_tokens" integer,
	"status" "ledger_entry_status" DEFAULT 'unsettled' NOT NULL,
	"settlement_batch_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"settled_at" timestamp with time zone,
	CONSTRAINT "ledger_entries_request_id_unique" UNIQUE("request_id"),
	CONSTRAINT "ledger_entries_request_id_length" CHECK (char_length("ledger_entries"."request_id") BETWEEN 1 AND 128),
	CONSTRAINT "ledger_entries_charge_positive" CHECK ("ledger_entries"."charge" > 0),
	CONSTRAINT "ledger_entries_payout_nonnegative" CHECK ("ledger_entries"."seller_payout" >= 0),
	CONSTRAINT "ledger_entries_fee_nonnegative" CHECK ("ledger_entries"."platform_fee" >= 0),
	CONSTRAINT "ledger_entries_charge_split" CHECK ("ledger_entries"."charge" = "ledger_entries"."seller_payout" + "ledger_entries"."platform_fee"),
	CONSTRAINT "ledger_entries_units_nonnegative" CHECK ("ledger_entries"."units" >= 0 AND coalesce("ledger_entries"."input_tokens", 0) >= 0 AND coalesce("ledger_entries"."output_tokens", 0) >= 0),
	CONSTRAINT "ledger_entries_kind_refs" CHECK (("ledger_entries"."kind" <> 'call' OR ("ledger_entries"."listing_id" IS NOT NULL AND "ledger_entries"."seller_id" IS NOT NULL AND "ledger_entries"."task_id" IS NULL)) AND ("ledger_entries"."kind" <> 'task_reward' OR ("ledger_entries"."task_id" IS NOT NULL AND "ledger_entries"."listing_id" IS NULL))),
	CONSTRAINT "ledger_entries_status_batch" CHECK (("ledger_entries"."status" = 'unsettled' AND "ledger_entries"."settlement_batch_id" IS NULL) OR ("ledger_entries"."status" IN ('in_batch', 'settled') AND "ledger_entries"."settlement_batch_id" IS NOT NULL) OR "ledger_entries"."status" = 'forfeited')
);
--> statement-breakpoint
CREATE TABLE "listings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seller_id" uuid NOT NULL,
	"service" text NOT NULL,
	"type" "listing_type" DEFAULT 'proxy' NOT NULL,
	"category" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"upstream_base_url" text NOT NULL,
	"allowed_methods" text[] NOT NULL,
	"allowed_paths" text[] NOT NULL,
	"key_injection_kind" "key_injection_kind" DEFAULT 'bearer' NOT NULL,
	"key_injection_name" text,
	"key_injection_template" text,
	"price" bigint NOT NULL,
	"pricing_unit" "pricing_unit" DEFAULT 'per_call' NOT NULL,
	"capacity_total" integer NOT NULL,
	"capacity_reserved_for_self" integer DEFAULT 0 NOT NULL,
	"capacity_window" "capacity_window" DEFAULT 'minute' NOT NULL,
	"status" "listing_status" DEFAULT 'active' NOT NULL,
	"key_ciphertext" text,
	"key_iv" text,
	"key_version" integer DEFAULT 1 NOT NULL,
	"key_id" text,
	"key_last4" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "listings_id_seller_unique" UNIQUE("id","seller_id"),
	CONSTRAINT "listings_service_slug" CHECK ("listings"."service" ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
	CONSTRAINT "listings_category_not_blank" CHECK (char_length("listings"."category") BETWEEN 1 AND 64),
	CONSTRAINT "listings_upstream_url_http" CHECK ("listings"."upstream_base_url" ~ '^https?://'),
	CONSTRAINT "listings_allowed_methods" CHECK (cardinality("listings"."allowed_methods") > 0 AND "listings"."allowed_methods" <@ ARRAY['GET','HEAD','POST','PUT','PATCH','DELETE','OPTIONS']::text[]),
	CONSTRAINT "listings_allowed_paths_nonempty" CHECK (cardinality("listings"."allowed_paths") > 0),
	CONSTRAINT "listings_key_injection_name" CHECK ("listings"."key_injection_kind" = 'bearer' OR char_length(coalesce("listings"."key_injection_name", '')) > 0),
	CONSTRAINT "listings_price_positive" CHECK ("listings"."price" > 0),
	CONSTRAINT "listings_capacity_total_positive" CHECK ("listings"."capacity_total" > 0),
	CONSTRAINT "listings_capacity_reserved_range" CHECK ("listings"."capacity_reserved_for_self" >= 0 AND "listings"."capacity_reserved_for_self" <= "listings"."capacity_total"),
	CONSTRAINT "listings_key_version_positive" CHECK ("listings"."key_version" >= 1),
	CONSTRAINT "listings_key_complete" CHECK (("listings"."key_ciphertext" IS NULL AND "listings"."key_iv" IS NULL AND "listings"."key_id" IS NULL AND "listings"."key_last4" IS NULL) OR ("listings"."key_ciphertext" IS NOT NULL AND "listings"."key_iv" IS NOT NULL AND "listings"."key_id" IS NOT NULL AND "listings"."key_last4" IS NOT NULL)),
	CONSTRAINT "listings_key_last4_length" CHECK (char_length("listings"."key_last4") <= 4)
);
--> statement-breakpoint
CREATE TABLE "sellers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_address" text NOT NULL,
	"display_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sellers_wallet_address_unique" UNIQUE("wallet_address"),
	CONSTRAINT "sellers_id_wallet_unique" UNIQUE("id","wallet_address")
);
--> statement-breakpoint
CREATE TABLE "security_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "security_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" "security_event_kind" NOT NULL,
	"wallet_address" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "settlement_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"status" "settlement_batch_status" DEFAULT 'planned' NOT NULL,
	"total_collected" bigint DEFAULT 0 NOT NULL,
	"total_paid_out" bigint DEFAULT 0 NOT NULL,
	"total_fees" bigint DEFAULT 0 NOT NULL,
	"entry_count" integer DEFAULT 0 NOT NULL,
	"run_token" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	CONSTRAINT "settlement_batches_id_length" CHECK (char_length("settlement_batches"."id") BETWEEN 1 AND 64),
	CONSTRAINT "settlement_batches_totals_nonnegative" CHECK ("settlement_batches"."total_collected" >= 0 AND "settlement_batches"."total_paid_out" >= 0 AND "settlement_batches"."total_fees" >= 0),
	CONSTRAINT "settlement_batches_counts_nonnegative" CHECK ("settlement_batches"."entry_count" >= 0 AND "settlement_batches"."attempts" >= 0),
	CONSTRAINT "settlement_batches_completed_at" CHECK ("settlement_batches"."status" <> 'completed' OR "settlement_batches"."completed_at" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "settlement_transfers" (
	"batch_id" text NOT NULL,
	"idx" integer NOT NULL,
	"kind" "transfer_kind" NOT NULL,
	"wallet_address" text NOT NULL,
	"from_token_account" text NOT NULL,
	"to_token_account" text NOT NULL,
	"amount" bigint NOT NULL,
	"tx_index" integer NOT NULL,
	"signature" text,
	"last_valid_block_height" bigint,
	"status" "transfer_status" DEFAULT 'planned' NOT NULL,
	"confirmed_slot" bigint,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_transfers_pkey" PRIMARY KEY("batch_id","idx"),
	CONSTRAINT "settlement_transfers_batch_kind_wallet_unique" UNIQUE("batch_id","kind","wallet_address"),
	CONSTRAINT "settlement_transfers_idx_nonnegative" CHECK ("settlement_transfers"."idx" >= 0 AND "settlement_transfers"."tx_index" >= 0),
	CONSTRAINT "settlement_transfers_amount_positive" CHECK ("settlement_transfers"."amount" > 0),
	CONSTRAINT "settlement_transfers_from_base58" CHECK ("settlement_transfers"."from_token_account" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "settlement_transfers_to_base58" CHECK ("settlement_transfers"."to_token_account" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "settlement_transfers_distinct_accounts" CHECK ("settlement_transfers"."from_token_account" <> "settlement_transfers"."to_token_account"),
	CONSTRAINT "settlement_transfers_sent_has_signature" CHECK ("settlement_transfers"."status" NOT IN ('sent', 'confirmed') OR "settlement_transfers"."signature" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"referrer_wallet" text NOT NULL,
	"referee_wallet" text NOT NULL,
	"share_bps" integer DEFAULT 1000 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "referrals_referee_unique" UNIQUE("referee_wallet"),
	CONSTRAINT "referrals_no_self_referral" CHECK ("referrals"."referrer_wallet" <> "referrals"."referee_wallet"),
	CONSTRAINT "referrals_share_bps_range" CHECK ("referrals"."share_bps" BETWEEN 0 AND 10000)
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"poster_wallet" text NOT NULL,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"reward" bigint NOT NULL,
	"hold_amount" bigint NOT NULL,
	"hold_id" text,
	"status" "task_status" DEFAULT 'open' NOT NULL,
	"solver_wallet" text,
	"submission" text,
	"review_window_seconds" integer NOT NULL,
	"deadline" timestamp with time zone,
	"review_deadline" timestamp with time zone,
	"claimed_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"disputed_by" text,
	"dispute_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_title_length" CHECK (char_length("tasks"."title") BETWEEN 1 AND 200),
	CONSTRAINT "tasks_reward_positive" CHECK ("tasks"."reward" > 0),
	CONSTRAINT "tasks_hold_covers_reward" CHECK ("tasks"."hold_amount" >= "tasks"."reward"),
	CONSTRAINT "tasks_review_window_positive" CHECK ("tasks"."review_window_seconds" > 0),
	CONSTRAINT "tasks_solver_not_poster" CHECK ("tasks"."solver_wallet" IS NULL OR "tasks"."solver_wallet" <> "tasks"."poster_wallet"),
	CONSTRAINT "tasks_solver_matches_status" CHECK (("tasks"."status" <> 'open' OR "tasks"."solver_wallet" IS NULL) AND ("tasks"."status" NOT IN ('claimed', 'submitted', 'approved', 'released') OR "tasks"."solver_wallet" IS NOT NULL)),
	CONSTRAINT "tasks_submission_matches_status" CHECK ("tasks"."status" NOT IN ('submitted', 'approved', 'released') OR ("tasks"."submission" IS NOT NULL AND "tasks"."review_deadline" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "deposits" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"signature" text NOT NULL,
	"wallet_address" text NOT NULL,
	"vault_address" text NOT NULL,
	"amount" bigint NOT NULL,
	"slot" bigint NOT NULL,
	"status" "deposit_status" DEFAULT 'confirmed' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deposits_signature_unique" UNIQUE("signature"),
	CONSTRAINT "deposits_signature_base58" CHECK ("deposits"."signature" ~ '^[1-9A-HJ-NP-Za-km-z]{64,88}$'),
	CONSTRAINT "deposits_amount_positive" CHECK ("deposits"."amount" > 0),
	CONSTRAINT "deposits_slot_nonnegative" CHECK ("deposits"."slot" >= 0)
);
--> statement-breakpoint
CREATE TABLE "vault_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_address" text NOT NULL,
	"vault_address" text NOT NULL,
	"multisig_address" text NOT NULL,
	"mint" text NOT NULL,
	"co_signer" text NOT NULL,
	"delegate" text NOT NULL,
	"status" "vault_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	CONSTRAINT "vault_accounts_vault_address_unique" UNIQUE("vault_address"),
	CONSTRAINT "vault_accounts_multisig_address_unique" UNIQUE("multisig_address"),
	CONSTRAINT "vault_accounts_wallet_vault_unique" UNIQUE("wallet_address","vault_address"),
	CONSTRAINT "vault_accounts_vault_address_base58" CHECK ("vault_accounts"."vault_address" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "vault_accounts_multisig_address_base58" CHECK ("vault_accounts"."multisig_address" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "vault_accounts_mint_base58" CHECK ("vault_accounts"."mint" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "vault_accounts_co_signer_base58" CHECK ("vault_accounts"."co_signer" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "vault_accounts_delegate_base58" CHECK ("vault_accounts"."delegate" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$')
);
--> statement-breakpoint
CREATE TABLE "withdrawals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_address" text NOT NULL,
	"vault_address" text NOT NULL,
	"amount" bigint NOT NULL,
	"destination" text NOT NULL,
	"signature" text,
	"last_valid_block_height" bigint NOT NULL,
	"status" "withdrawal_status" DEFAULT 'pending' NOT NULL,
	"confirmed_slot" bigint,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "withdrawals_signature_unique" UNIQUE("signature"),
	CONSTRAINT "withdrawals_amount_positive" CHECK ("withdrawals"."amount" > 0),
	CONSTRAINT "withdrawals_destination_base58" CHECK ("withdrawals"."destination" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "withdrawals_signature_base58" CHECK ("withdrawals"."signature" IS NULL OR "withdrawals"."signature" ~ '^[1-9A-HJ-NP-Za-km-z]{64,88}$'),
	CONSTRAINT "withdrawals_confirmed_has_signature" CHECK ("withdrawals"."status" <> 'confirmed' OR "withdrawals"."signature" IS NOT NULL),
	CONSTRAINT "withdrawals_last_valid_block_height_nonnegative" CHECK ("withdrawals"."last_valid_block_height" >= 0)
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"wallet_address" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash"),
	CONSTRAINT "api_keys_key_hash_sha256_hex" CHECK ("api_keys"."key_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"address" text PRIMARY KEY NOT NULL,
	"is_flagged" boolean DEFAULT false NOT NULL,
	"flagged_reason" text,
	"flagged_at" timestamp with time zone,
	"payout_address" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallets_address_base58" CHECK ("wallets"."address" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "wallets_payout_address_base58" CHECK ("wallets"."payout_address" IS NULL OR "wallets"."payout_address" ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'),
	CONSTRAINT "wallets_flag_reason" CHECK (NOT "wallets"."is_flagged" OR "wallets"."flagged_reason" IS NOT NULL)
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_buyer_wallet_wallets_address_fk" FOREIGN KEY ("buyer_wallet") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_payee_wallet_wallets_address_fk" FOREIGN KEY ("payee_wallet") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_seller_id_sellers_id_fk" FOREIGN KEY ("seller_id") REFERENCES "public"."sellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_listing_id_listings_id_fk" FOREIGN KEY ("listing_id") REFERENCES "public"."listings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_settlement_batch_id_settlement_batches_id_fk" FOREIGN KEY ("settlement_batch_id") REFERENCES "public"."settlement_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_listing_seller_fk" FOREIGN KEY ("listing_id","seller_id") REFERENCES "public"."listings"("id","seller_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_seller_payee_fk" FOREIGN KEY ("seller_id","payee_wallet") REFERENCES "public"."sellers"("id","wallet_address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "listings" ADD CONSTRAINT "listings_seller_id_sellers_id_fk" FOREIGN KEY ("seller_id") REFERENCES "public"."sellers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sellers" ADD CONSTRAINT "sellers_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "security_events" ADD CONSTRAINT "security_events_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_transfers" ADD CONSTRAINT "settlement_transfers_batch_id_settlement_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."settlement_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "settlement_transfers" ADD CONSTRAINT "settlement_transfers_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referrer_wallet_wallets_address_fk" FOREIGN KEY ("referrer_wallet") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_referee_wallet_wallets_address_fk" FOREIGN KEY ("referee_wallet") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_poster_wallet_wallets_address_fk" FOREIGN KEY ("poster_wallet") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_solver_wallet_wallets_address_fk" FOREIGN KEY ("solver_wallet") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_disputed_by_wallets_address_fk" FOREIGN KEY ("disputed_by") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deposits" ADD CONSTRAINT "deposits_wallet_vault_fk" FOREIGN KEY ("wallet_address","vault_address") REFERENCES "public"."vault_accounts"("wallet_address","vault_address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vault_accounts" ADD CONSTRAINT "vault_accounts_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "withdrawals" ADD CONSTRAINT "withdrawals_wallet_vault_fk" FOREIGN KEY ("wallet_address","vault_address") REFERENCES "public"."vault_accounts"("wallet_address","vault_address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_wallet_address_wallets_address_fk" FOREIGN KEY ("wallet_address") REFERENCES "public"."wallets"("address") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ledger_entries_unsettled_idx" ON "ledger_entries" USING btree ("status","created_at") WHERE "ledger_entries"."status" = 'unsettled';--> statement-breakpoint
CREATE INDEX "ledger_entries_buyer_idx" ON "ledger_entries" USING btree ("buyer_wallet","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_seller_idx" ON "ledger_entries" USING btree ("seller_id","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_payee_idx" ON "ledger_entries" USING btree ("payee_wallet","created_at");--> statement-breakpoint
CREATE INDEX "ledger_entries_batch_idx" ON "ledger_entries" USING btree ("settlement_batch_id") WHERE "ledger_entries"."settlement_batch_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "listings_seller_idx" ON "listings" USING btree ("seller_id");--> statement-breakpoint
CREATE INDEX "listings_service_idx" ON "listings" USING btree ("service","status");--> statement-breakpoint
CREATE INDEX "security_events_wallet_idx" ON "security_events" USING btree ("wallet_address","created_at");--> statement-breakpoint
CREATE INDEX "security_events_kind_idx" ON "security_events" USING btree ("kind","created_at");--> statement-breakpoint
CREATE INDEX "settlement_batches_status_idx" ON "settlement_batches" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "settlement_transfers_tx_idx" ON "settlement_transfers" USING btree ("batch_id","tx_index");--> statement-breakpoint
CREATE INDEX "settlement_transfers_wallet_idx" ON "settlement_transfers" USING btree ("wallet_address","created_at");--> statement-breakpoint
CREATE INDEX "settlement_transfers_signature_idx" ON "settlement_transfers" USING btree ("signature") WHERE "settlement_transfers"."signature" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "referrals_referrer_idx" ON "referrals" USING btree ("referrer_wallet");--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "tasks_poster_idx" ON "tasks" USING btree ("poster_wallet","created_at");--> statement-breakpoint
CREATE INDEX "tasks_solver_idx" ON "tasks" USING btree ("solver_wallet","created_at") WHERE "tasks"."solver_wallet" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "deposits_wallet_idx" ON "deposits" USING btree ("wallet_address","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "vault_accounts_one_live_per_wallet" ON "vault_accounts" USING btree ("wallet_address") WHERE "vault_accounts"."status" <> 'closed';--> statement-breakpoint
CREATE INDEX "withdrawals_wallet_idx" ON "withdrawals" USING btree ("wallet_address","created_at");--> statement-breakpoint
CREATE INDEX "api_keys_wallet_idx" ON "api_keys" USING btree ("wallet_address","created_at");