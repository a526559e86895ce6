import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, isBase58Address, timestamptz } from "./columns.ts";

/** A Solana wallet known to the gateway: buyer, seller, task poster or solver — often several at once. */
export const wallets = pgTable(
  "wallets",
  {
    address: text("address").primaryKey(),
    isFlagged: boolean("is_flagged").notNull().default(false),
    flaggedReason: text("flagged_reason"),
    flaggedAt: timestamptz("flagged_at"),
    /** Owner of the USDC account payouts go to; null means the wallet itself. */
    payoutAddress: text("payout_address"),
    createdAt: createdAt(),
  },
  (t) => [
    check("wallets_address_base58", isBase58Address(t.address)),
    check("wallets_payout_address_base58", sql`${t.payoutAddress} IS NULL OR ${isBase58Address(t.payoutAddress)}`),
    check("wallets_flag_reason", sql`NOT ${t.isFlagged} OR ${t.flaggedReason} IS NOT NULL`),
  ],
);

/** API keys `pgk_<wallet>_<secret>`: only the SHA-256 of the whole key is stored, never the secret. */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletAddress: text("wallet_address")
      .notNull()
      .references(() => wallets.address),
    /** Shown in listings so a user can tell keys apart, e.g. `pgk_7xKX…_a1b2`. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamptz("last_used_at"),
    revokedAt: timestamptz("revoked_at"),
  },
  (t) => [
    unique("api_keys_key_hash_unique").on(t.keyHash),
    check("api_keys_key_hash_sha256_hex", sql`${t.keyHash} ~ '^[0-9a-f]{64}$'`),
    index("api_keys_wallet_idx").on(t.walletAddress, t.createdAt),
  ],
);

export type Wallet = typeof wallets.$inferSelect;
export type NewWallet = typeof wallets.$inferInsert;
export type ApiKey = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;
