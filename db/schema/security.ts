import { sql } from "drizzle-orm";
import { bigint, check, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";
import { securityEventKind } from "./enums.ts";
import { wallets } from "./wallets.ts";

/** Audit trail of security-relevant events. `detail` is for context only: never secrets or key material. */
export const securityEvents = pgTable(
  "security_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: securityEventKind("kind").notNull(),
    walletAddress: text("wallet_address").references(() => wallets.address),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [
    index("security_events_wallet_idx").on(t.walletAddress, t.createdAt),
    index("security_events_kind_idx").on(t.kind, t.createdAt),
  ],
);

/**
 * The operator's wallet blocklist (`npm run wallet:block`): a blocked wallet cannot post, claim or
 * submit bounty-board tasks. Unblocking deletes the row; both are recorded in security_events.
 */
export const walletBlocks = pgTable(
  "wallet_blocks",
  {
    walletAddress: text("wallet_address")
      .primaryKey()
      .references(() => wallets.address),
    reason: text("reason").notNull(),
    createdAt: createdAt(),
  },
  (t) => [check("wallet_blocks_reason_length", sql`char_length(${t.reason}) BETWEEN 1 AND 500`)],
);

export type SecurityEvent = typeof securityEvents.$inferSelect;
export type NewSecurityEvent = typeof securityEvents.$inferInsert;
export type WalletBlock = typeof walletBlocks.$inferSelect;
