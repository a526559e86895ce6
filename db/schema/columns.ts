import { type SQL, sql } from "drizzle-orm";
import { bigint, type PgColumn, timestamp } from "drizzle-orm/pg-core";

/**
 * Money column: integer micro-USDC (6 decimals) as a JS `bigint`, so sums beyond 2^53 stay exact.
 * @example charge: microUsdc("charge").notNull()
 */
export function microUsdc(name: string) {
  return bigint(name, { mode: "bigint" });
}

/** Solana slots and block heights: u64 on chain, far below 2^53 in practice, so plain numbers. */
export function chainHeight(name: string) {
  return bigint(name, { mode: "number" });
}

/** Every timestamp is `timestamptz`: the edge runs in every timezone, the database in one. */
export function timestamptz(name: string) {
  return timestamp(name, { withTimezone: true, mode: "date" });
}

export function createdAt() {
  return timestamptz("created_at").notNull().defaultNow();
}

/** Kept current by drizzle's update builder; raw SQL updates must set it themselves. */
export function updatedAt() {
  return timestamptz("updated_at")
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());
}

/** Base58 public key (32 bytes → 32–44 characters of the Bitcoin alphabet). */
export function isBase58Address(column: PgColumn): SQL {
  return sql`${column} ~ '^[1-9A-HJ-NP-Za-km-z]{32,44}$'`;
}

/** Base58 transaction signature (64 bytes → 64–88 characters). */
export function isBase58Signature(column: PgColumn): SQL {
  return sql`${column} ~ '^[1-9A-HJ-NP-Za-km-z]{64,88}$'`;
}
