import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, microUsdc, updatedAt } from "./columns.ts";
import { capacityWindow, keyInjectionKind, listingStatus, listingType, pricingUnit } from "./enums.ts";
import { wallets } from "./wallets.ts";

/** A wallet acting as a seller; payouts go to the wallet's payout address. */
export const sellers = pgTable(
  "sellers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletAddress: text("wallet_address")
      .notNull()
      .references(() => wallets.address),
    displayName: text("display_name"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("sellers_wallet_address_unique").on(t.walletAddress),
    // Target of ledger_entries' composite foreign key (payee = the seller's wallet).
    unique("sellers_id_wallet_unique").on(t.id, t.walletAddress),
  ],
);

/**
 * Resold capacity of one upstream API. The provider key is stored only as AES-256-GCM ciphertext
 * (AAD binds listing id + key version); `key_id` names the master key so it can be rotated.
 */
export const listings = pgTable(
  "listings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sellerId: uuid("seller_id")
      .notNull()
      .references(() => sellers.id),
    /** Listings with the same service are interchangeable for routing, e.g. `openai`. */
    service: text("service").notNull(),
    type: listingType("type").notNull().default("proxy"),
    category: text("category").notNull(),
    description: text("description").notNull().default(""),
    upstreamBaseUrl: text("upstream_base_url").notNull(),
    allowedMethods: text("allowed_methods").array().notNull(),
    /** Normalized path patterns relative to the upstream base URL, e.g. `/v1/chat/completions`. */
    allowedPaths: text("allowed_paths").array().notNull(),
    keyInjectionKind: keyInjectionKind("key_injection_kind").notNull().default("bearer"),
    /** Header name (kind header) or query parameter name (kind query); unused for bearer. */
    keyInjectionName: text("key_injection_name"),
    /** Header value template with a `{key}` placeholder, e.g. `Token {key}`; null means the bare key. */
    keyInjectionTemplate: text("key_injection_template"),
    price: microUsdc("price").notNull(),
    pricingUnit: pricingUnit("pricing_unit").notNull().default("per_call"),
    capacityTotal: integer("capacity_total").notNull(),
    capacityReservedForSelf: integer("capacity_reserved_for_self").notNull().default(0),
    capacityWindow: capacityWindow("capacity_window").notNull().default("minute"),
    status: listingStatus("status").notNull().default("active"),
    /** Base64 AES-256-GCM ciphertext including the tag; never plaintext. */
    keyCiphertext: text("key_ciphertext"),
    keyIv: text("key_iv"),
    keyVersion: integer("key_version").notNull().default(1),
    keyId: text("key_id"),
    keyLast4: text("key_last4"),
    /**
     * Bumped by every change (`config_version = config_version + 1` in the same UPDATE, so the row
     * lock orders it); the CapacityFenceDO ignores a pushed config older than the one it holds.
     */
    configVersion: integer("config_version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("listings_service_slug", sql`${t.service} ~ '^[a-z0-9][a-z0-9_-]{0,62}$'`),
    check("listings_category_not_blank", sql`char_length(${t.category}) BETWEEN 1 AND 64`),
    check("listings_upstream_url_http", sql`${t.upstreamBaseUrl} ~ '^https?://'`),
    check(
      "listings_allowed_methods",
      sql`cardinality(${t.allowedMethods}) > 0 AND ${t.allowedMethods} <@ ARRAY['GET','HEAD','POST','PUT','PATCH','DELETE','OPTIONS']::text[]`,
    ),
    check("listings_allowed_paths_nonempty", sql`cardinality(${t.allowedPaths}) > 0`),
    check(
      "listings_key_injection_name",
      sql`${t.keyInjectionKind} = 'bearer' OR char_length(coalesce(${t.keyInjectionName}, '')) > 0`,
    ),
    check("listings_price_positive", sql`${t.price} > 0`),
    check("listings_capacity_total_positive", sql`${t.capacityTotal} > 0`),
    check(
      "listings_capacity_reserved_range",
      sql`${t.capacityReservedForSelf} >= 0 AND ${t.capacityReservedForSelf} <= ${t.capacityTotal}`,
    ),
    check("listings_key_version_positive", sql`${t.keyVersion} >= 1`),
    check("listings_config_version_positive", sql`${t.configVersion} >= 1`),
    // The encrypted key is all-or-nothing: ciphertext without its IV or key id is undecryptable.
    check(
      "listings_key_complete",
      sql`(${t.keyCiphertext} IS NULL AND ${t.keyIv} IS NULL AND ${t.keyId} IS NULL AND ${t.keyLast4} IS NULL) OR (${t.keyCiphertext} IS NOT NULL AND ${t.keyIv} IS NOT NULL AND ${t.keyId} IS NOT NULL AND ${t.keyLast4} IS NOT NULL)`,
    ),
    check("listings_key_last4_length", sql`char_length(${t.keyLast4}) <= 4`),
    // Target of ledger_entries' composite foreign key (listing belongs to the charged seller).
    unique("listings_id_seller_unique").on(t.id, t.sellerId),
    index("listings_seller_idx").on(t.sellerId),
    index("listings_service_idx").on(t.service, t.status),
  ],
);

export type Seller = typeof sellers.$inferSelect;
export type NewSeller = typeof sellers.$inferInsert;
export type Listing = typeof listings.$inferSelect;
export type NewListing = typeof listings.$inferInsert;
