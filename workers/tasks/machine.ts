/**
 * The bounty-board state machine: pure, deterministic. Given what the task looks like, who acts
 * and when, it either names the one legal transition (the status it moves from and to, and the
 * fields to write) or refuses with the error code and a message for the client.
 *
 *   open ──claim──▶ claimed ──submit──▶ submitted ──approve──▶ approved
 *    │  ▲              │  │                 │ │ └──(review deadline passed, alarm)──▶ released
 *    │  └───reject─────┼──┼─────────────────┘ │
 *    │   (claimed: only after the deadline)   │
 *    └─cancel─▶ cancelled     └──dispute──────┴──dispute──▶ disputed (frozen)
 *
 * The caller applies the transition with a conditional UPDATE guarded by the same snapshot
 * (`status = from`, same solver, same review deadline), so a transition judged on a snapshot that
 * changed meanwhile matches no row and changes nothing. See docs/decisions/017-bounty-board.md.
 */
import type { TaskStatus } from "./interface.ts";

/** What the machine needs to know about a task. Times are epoch ms. */
export interface TaskSnapshot {
  status: TaskStatus;
  poster: string;
  solver: string | null;
  /** Deadline for the work (claim and submit are refused after it), or null. */
  deadline: number | null;
  /** Set on submit: the poster reviews until then; after it the reward auto-releases. */
  reviewDeadline: number | null;
  reviewWindowSeconds: number;
}

export type TaskAction =
  | { type: "claim" }
  | { type: "submit"; work: string }
  | { type: "approve" }
  | { type: "reject" }
  | { type: "cancel" }
  | { type: "dispute"; reason: string }
  /** Only the platform (the poster's WalletDO alarm) releases. */
  | { type: "auto_release" };

export type Actor = { wallet: string } | { system: true };

/** The columns a transition writes; `null` clears a column, absent leaves it alone. */
export interface TaskPatch {
  status: TaskStatus;
  solver?: string | null;
  submission?: string | null;
  claimedAt?: number | null;
  submittedAt?: number | null;
  reviewDeadline?: number | null;
  resolvedAt?: number | null;
  disputedBy?: string | null;
  disputeReason?: string | null;
}

export type TransitionResult =
  | { ok: true; from: TaskStatus; patch: TaskPatch }
  | { ok: false; code: "conflict" | "forbidden"; message: string };

/** Statuses no transition leaves (disputed is frozen: only the platform resolves it). */
export const FINAL_STATUSES: readonly TaskStatus[] = ["approved", "released", "cancelled"];

function refuse(code: "conflict" | "forbidden", message: string): TransitionResult {
  return { ok: false, code, message };
}

function wrongStatus(task: TaskSnapshot, action: string, expected: string): TransitionResult {
  return refuse("conflict", `Cannot ${action} a task that is ${task.status} (it must be ${expected})`);
}

function walletOf(actor: Actor): string | null {
  return "wallet" in actor ? actor.wallet : null;
}

function deadlinePassed(task: TaskSnapshot, now: number): boolean {
  return task.deadline !== null && now >= task.deadline;
}

function reviewOpen(task: TaskSnapshot, now: number): boolean {
  return task.reviewDeadline !== null && now < task.reviewDeadline;
}

/**
 * The transition `action` by `actor` at `now`, or why it is refused: `forbidden` when the actor
 * may never do this to this task (not its poster/solver, the poster claiming their own task),
 * `conflict` when the task is not in a state that allows it (now).
 *
 * @example
 * transition(openTask, { type: "claim" }, { wallet: solver }, Date.now())
 * // { ok: true, from: "open", patch: { status: "claimed", solver, claimedAt: … } }
 */
export function transition(task: TaskSnapshot, action: TaskAction, actor: Actor, now: number): TransitionResult {
  const wallet = walletOf(actor);
  const isPoster = wallet !== null && wallet === task.poster;
  const isSolver = wallet !== null && task.solver !== null && wallet === task.solver;
  if (action.type === "auto_release") {
    if (wallet !== null) return refuse("forbidden", "Only the platform releases a reward automatically");
    if (task.status !== "submitted") return wrongStatus(task, "auto-release", "submitted");
    if (reviewOpen(task, now)) return refuse("conflict", "The review window has not ended yet");
    return { ok: true, from: "submitted", patch: { status: "released", resolvedAt: now } };
  }
  if (wallet === null) return refuse("forbidden", "The platform only releases rewards");
  switch (action.type) {
    case "claim":
      if (isPoster) return refuse("forbidden", "A poster cannot claim their own task");
      if (task.status !== "open") return wrongStatus(task, "claim", "open");
      if (deadlinePassed(task, now)) return refuse("conflict", "The task's deadline has passed");
      return { ok: true, from: "open", patch: { status: "claimed", solver: wallet, claimedAt: now } };
    case "submit":
      if (task.status !== "claimed") return wrongStatus(task, "submit to", "claimed");
      if (!isSolver) return refuse("forbidden", "Only the solver who claimed the task can submit work");
      if (deadlinePassed(task, now)) return refuse("conflict", "The task's deadline has passed");
      return {
        ok: true,
        from: "claimed",
        patch: {
          status: "submitted",
          submission: action.work,
          submittedAt: now,
          reviewDeadline: now + task.reviewWindowSeconds * 1000,
        },
      };
    case "approve":
      if (!isPoster) return refuse("forbidden", "Only the task's poster can approve it");
      if (task.status !== "submitted") return wrongStatus(task, "approve", "submitted");
      return { ok: true, from: "submitted", patch: { status: "approved", resolvedAt: now } };
    case "reject": {
      if (!isPoster) return refuse("forbidden", "Only the task's poster can reject work");
      const reopenSubmitted = task.status === "submitted" && reviewOpen(task, now);
      const reopenStalled = task.status === "claimed" && deadlinePassed(task, now);
      if (task.status === "submitted" && !reopenSubmitted) {
        return refuse("conflict", "The review window has ended: the reward is released to the solver");
      }
      if (task.status === "claimed" && !reopenStalled) {
        return refuse("conflict", "A claimed task can be reopened only after its deadline has passed");
      }
      if (!reopenSubmitted && !reopenStalled) return wrongStatus(task, "reject", "submitted");
      return {
        ok: true,
        from: task.status,
        patch: {
          status: "open",
          solver: null,
          submission: null,
          claimedAt: null,
          submittedAt: null,
          reviewDeadline: null,
        },
      };
    }
    case "cancel":
      if (!isPoster) return refuse("forbidden", "Only the task's poster can cancel it");
      if (task.status !== "open") return wrongStatus(task, "cancel", "open");
      return { ok: true, from: "open", patch: { status: "cancelled", resolvedAt: now } };
    case "dispute":
      if (!isPoster && !isSolver) return refuse("forbidden", "Only the task's poster or solver can dispute it");
      if (task.status === "submitted" && !reviewOpen(task, now)) {
        return refuse("conflict", "The review window has ended: the reward is released to the solver");
      }
      if (task.status !== "claimed" && task.status !== "submitted") {
        return wrongStatus(task, "dispute", "claimed or submitted");
      }
      return {
        ok: true,
        from: task.status,
        patch: { status: "disputed", disputedBy: wallet, disputeReason: action.reason },
      };
  }
}

/** Applies a patch to a snapshot (what the row looks like after the UPDATE); for tests and views. */
export function applyPatch(task: TaskSnapshot, patch: TaskPatch): TaskSnapshot {
  return {
    ...task,
    status: patch.status,
    solver: patch.solver === undefined ? task.solver : patch.solver,
    reviewDeadline: patch.reviewDeadline === undefined ? task.reviewDeadline : patch.reviewDeadline,
  };
}
