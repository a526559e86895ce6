import { pgEnum } from "drizzle-orm/pg-core";

// Every status is a Postgres enum: a typo in a raw UPDATE fails loudly instead of inventing a state.
// Use `.enumValues` for zod (`z.enum(listingStatus.enumValues)`). New values: ALTER TYPE … ADD VALUE.

export const listingStatus = pgEnum("listing_status", ["active", "paused", "deleted"]);
export const listingType = pgEnum("listing_type", [
  "proxy",
  "tunnel",
  "skill",
  "product",
  "dataset",
  "service",
  "connector",
]);
export const pricingUnit = pgEnum("pricing_unit", ["per_call", "per_1k_tokens"]);
export const capacityWindow = pgEnum("capacity_window", ["second", "minute", "hour", "day", "month"]);
export const keyInjectionKind = pgEnum("key_injection_kind", ["header", "bearer", "query"]);

export const ledgerEntryKind = pgEnum("ledger_entry_kind", ["call", "task_reward"]);
export const ledgerEntryStatus = pgEnum("ledger_entry_status", ["unsettled", "in_batch", "settled", "forfeited"]);

export const vaultStatus = pgEnum("vault_status", ["pending", "active", "closed"]);
/** pending: seen but not finalized yet; confirmed: finalized and credited; rejected: verified and refused. */
export const depositStatus = pgEnum("deposit_status", ["pending", "confirmed", "rejected"]);
export const withdrawalStatus = pgEnum("withdrawal_status", ["pending", "submitted", "confirmed", "expired", "failed"]);

export const settlementBatchStatus = pgEnum("settlement_batch_status", ["planned", "executing", "completed", "failed"]);
export const transferKind = pgEnum("transfer_kind", ["collection", "payout"]);
export const transferStatus = pgEnum("transfer_status", ["planned", "sent", "confirmed", "failed"]);

export const taskStatus = pgEnum("task_status", [
  "open",
  "claimed",
  "submitted",
  "approved",
  "cancelled",
  "disputed",
  "released",
]);

export const securityEventKind = pgEnum("security_event_kind", [
  "signin_failed",
  "key_created",
  "key_revoked",
  "listing_key_rotated",
  "deposit_replay",
  "deposit_rejected",
  "withdrawal_refused",
  "skim_detected",
  "wallet_flagged",
  "wallet_unflagged",
  "task_disputed",
  "rate_limited",
  "wallet_blocked",
  "wallet_unblocked",
  "blocked_wallet_attempt",
]);
