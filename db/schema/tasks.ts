import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { createdAt, microUsdc, timestamptz, updatedAt } from "./columns.ts";
import { taskStatus } from "./enums.ts";
import { wallets } from "./wallets.ts";

/**
 * Bounty board task. The reward plus the buyer fee is escrowed as a hold in the poster's WalletDO
 * (`hold_id`); approval or auto-release turns it into a `task_reward` ledger entry.
 */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    posterWallet: text("poster_wallet")
      .notNull()
      .references(() => wallets.address),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    reward: microUsdc("reward").notNull(),
    /** What the hold escrows: reward + buyer fee. */
    holdAmount: microUsdc("hold_amount").notNull(),
    holdId: text("hold_id"),
    status: taskStatus("status").notNull().default("open"),
    solverWallet: text("solver_wallet").references(() => wallets.address),
    /** The solver's work reference: a URL, text or content hash. */
    submission: text("submission"),
    reviewWindowSeconds: integer("review_window_seconds").notNull(),
    /** Optional deadline for the work itself. */
    deadline: timestamptz("deadline"),
    /** Set on submit: the alarm auto-releases the reward after it. */
    reviewDeadline: timestamptz("review_deadline"),
    claimedAt: timestamptz("claimed_at"),
    submittedAt: timestamptz("submitted_at"),
    resolvedAt: timestamptz("resolved_at"),
    disputedBy: text("disputed_by").references(() => wallets.address),
    disputeReason: text("dispute_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    check("tasks_title_length", sql`char_length(${t.title}) BETWEEN 1 AND 200`),
    check("tasks_reward_positive", sql`${t.reward} > 0`),
    check("tasks_hold_covers_reward", sql`${t.holdAmount} >= ${t.reward}`),
    check("tasks_review_window_positive", sql`${t.reviewWindowSeconds} > 0`),
    check("tasks_solver_not_poster", sql`${t.solverWallet} IS NULL OR ${t.solverWallet} <> ${t.posterWallet}`),
    check(
      "tasks_solver_matches_status",
      sql`(${t.status} <> 'open' OR ${t.solverWallet} IS NULL) AND (${t.status} NOT IN ('claimed', 'submitted', 'approved', 'released') OR ${t.solverWallet} IS NOT NULL)`,
    ),
    check(
      "tasks_submission_matches_status",
      sql`${t.status} NOT IN ('submitted', 'approved', 'released') OR (${t.submission} IS NOT NULL AND ${t.reviewDeadline} IS NOT NULL)`,
    ),
    index("tasks_status_idx").on(t.status, t.createdAt),
    index("tasks_poster_idx").on(t.posterWallet, t.createdAt),
    index("tasks_solver_idx").on(t.solverWallet, t.createdAt).where(sql`${t.solverWallet} IS NOT NULL`),
  ],
);

/** Wallet A (referrer) brought wallet B (referee): A earns `share_bps` of the platform fees B generates. */
export const referrals = pgTable(
  "referrals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    referrerWallet: text("referrer_wallet")
      .notNull()
      .references(() => wallets.address),
    refereeWallet: text("referee_wallet")
      .notNull()
      .references(() => wallets.address),
    shareBps: integer("share_bps").notNull().default(1000),
    createdAt: createdAt(),
  },
  (t) => [
    unique("referrals_referee_unique").on(t.refereeWallet),
    check("referrals_no_self_referral", sql`${t.referrerWallet} <> ${t.refereeWallet}`),
    check("referrals_share_bps_range", sql`${t.shareBps} BETWEEN 0 AND 10000`),
    index("referrals_referrer_idx").on(t.referrerWallet),
  ],
);

export type Task = typeof tasks.$inferSelect;
export type NewTask = typeof tasks.$inferInsert;
export type Referral = typeof referrals.$inferSelect;
export type NewReferral = typeof referrals.$inferInsert;
