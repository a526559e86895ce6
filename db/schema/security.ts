import { bigint, index, jsonb, pgTable, text } from "drizzle-orm/pg-core";
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

export type SecurityEvent = typeof securityEvents.$inferSelect;
export type NewSecurityEvent = typeof securityEvents.$inferInsert;
