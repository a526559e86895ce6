/**
 * The escrow side of a task, pure: how much to hold, how a captured hold splits into the solver's
 * payout and the platform fee, and what the poster's WalletDO alarm must do with an escrow once
 * it looks at the task row (the row in Postgres decides; the DO only carries the money out).
 */
import { computeFees, type FeeConfig } from "../credit/fees.ts";
import type { TaskStatus } from "./interface.ts";

/**
 * A hold whose task row never appeared (the insert failed and the release after it failed too)
 * is released this long after it was made. Far longer than any request that creates a task.
 */
export const ORPHAN_GRACE_MS = 10 * 60 * 1000;
/** Postgres unreachable from the alarm: retry the escrow after 5 s, 10 s … at most this. */
export const ESCROW_RETRY_CAP_MS = 5 * 60 * 1000;
export const ESCROW_RETRY_BASE_MS = 5_000;

/** What a task escrows from its poster: the reward plus the buyer fee (the charge of a call priced `reward`). */
export function holdAmountFor(reward: bigint, config?: FeeConfig): bigint {
  return computeFees(reward, config).charge;
}

export interface RewardSplit {
  /** Booked against the poster: the whole hold. */
  charge: bigint;
  /** Paid to the solver in settlement: reward − seller fee. */
  sellerPayout: bigint;
  /** Kept by the platform: `charge − sellerPayout` exactly. */
  platformFee: bigint;
}

/**
 * The ledger split of a captured task hold: the poster is charged the whole hold, the solver
 * receives reward − seller fee, the platform keeps the difference (= buyer fee + seller fee when
 * the hold was made with the same fee config). Charge = payout + fee by construction.
 *
 * @example
 * rewardSplit(1_000_000n, 1_050_000n) // { charge: 1_050_000n, sellerPayout: 950_000n, platformFee: 100_000n }
 */
export function rewardSplit(reward: bigint, holdAmount: bigint, config?: FeeConfig): RewardSplit {
  if (reward <= 0n) throw new RangeError(`reward must be > 0, got ${reward}`);
  if (holdAmount < reward) throw new RangeError("a task hold always covers its reward");
  const sellerPayout = computeFees(reward, config).sellerPayout;
  return { charge: holdAmount, sellerPayout, platformFee: holdAmount - sellerPayout };
}

/** The task row as the alarm reads it (times epoch ms). */
export interface EscrowTaskRow {
  status: TaskStatus;
  solver: string | null;
  reward: bigint;
  reviewDeadline: number | null;
}

export type EscrowAction =
  /** Approved or released: capture the hold into the solver's task_reward entry (idempotent). */
  | { kind: "capture"; solver: string; reward: bigint }
  /** Submitted and the review window is over: mark the row released (conditionally), then capture. */
  | { kind: "auto_release"; solver: string; reward: bigint }
  /** Cancelled, or a hold whose task never appeared: give the whole hold back. */
  | { kind: "release" }
  /** Nothing to do before `at`. */
  | { kind: "recheck"; at: number }
  /** Nothing is due until a route schedules the escrow again (open, claimed, disputed). */
  | { kind: "idle" };

/**
 * What to do with an escrow whose check came due, given its task row (null: no such row) and when
 * the escrow was made.
 */
export function escrowAction(row: EscrowTaskRow | null, escrowCreatedAt: number, now: number): EscrowAction {
  if (row === null) {
    const releaseAt = escrowCreatedAt + ORPHAN_GRACE_MS;
    return now >= releaseAt ? { kind: "release" } : { kind: "recheck", at: releaseAt };
  }
  switch (row.status) {
    case "approved":
    case "released":
      if (row.solver === null) throw new Error("an approved or released task always has a solver");
      return { kind: "capture", solver: row.solver, reward: row.reward };
    case "submitted":
      if (row.solver === null || row.reviewDeadline === null) {
        throw new Error("a submitted task always has a solver and a review deadline");
      }
      if (now < row.reviewDeadline) return { kind: "recheck", at: row.reviewDeadline };
      return { kind: "auto_release", solver: row.solver, reward: row.reward };
    case "cancelled":
      return { kind: "release" };
    case "open":
    case "claimed":
    case "disputed":
      return { kind: "idle" };
  }
}
