/**
 * The bounty-board capability: what the `/v1/tasks` routes do. Money lives in the poster's
 * WalletDO (a hold per task, captured for the solver or released); the task row in Postgres is
 * the record of who did what, and decides every transition with a conditional UPDATE. Ordering
 * rules (docs/decisions/017-bounty-board.md):
 * - create: hold first (so holds and proxy reservations never overspend together), then insert;
 *   a failed insert releases the hold (and the DO releases it anyway if no row ever appears);
 * - submit: the auto-release check is scheduled in the DO before the row says submitted;
 * - approve / cancel: the row first, then the DO captures / releases (idempotent, retried).
 */
import type { NewSecurityEvent, Task } from "../../db/schema.ts";
import { computeFees } from "../credit/fees.ts";
import { type Env, secretValues } from "../env.ts";
import { ApiError } from "../errors.ts";
import { withDb } from "../lib/db.ts";
import { microUsdc } from "../lib/money.ts";
import { redactError } from "../lib/redact.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { holdAmountFor } from "./escrow.ts";
import type {
  CreateTaskRequest,
  DisputeRequest,
  SubmitRequest,
  TaskList,
  TaskListQuery,
  TaskView,
  WorkReference,
} from "./interface.ts";
import { type TaskAction, transition } from "./machine.ts";
import { applyTransition, blockReason, findTask, insertTask, listTasks, recordEvent, snapshotOf } from "./store.ts";

export interface TasksContext {
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
  /** The caller's wallet (authenticated by its API key). */
  wallet: string;
  requestId: string;
}

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

function parseWork(text: string | null): WorkReference | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as WorkReference;
  } catch {
    return { kind: "text", value: text };
  }
}

/** The API view; the work and the dispute reason only for the task's poster and solver. */
export function taskView(row: Task, viewer: string): TaskView {
  const party = viewer === row.posterWallet || (row.solverWallet !== null && viewer === row.solverWallet);
  return {
    id: row.id,
    poster: row.posterWallet,
    title: row.title,
    description: row.description,
    reward: microUsdc(row.reward),
    holdAmount: microUsdc(row.holdAmount),
    solverPayout: microUsdc(computeFees(row.reward).sellerPayout),
    status: row.status,
    solver: row.solverWallet,
    submission: party ? parseWork(row.submission) : null,
    reviewWindowSeconds: row.reviewWindowSeconds,
    deadline: iso(row.deadline),
    reviewDeadline: iso(row.reviewDeadline),
    claimedAt: iso(row.claimedAt),
    submittedAt: iso(row.submittedAt),
    resolvedAt: iso(row.resolvedAt),
    disputedBy: row.disputedBy,
    disputeReason: party ? row.disputeReason : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** One log line; `err` is redacted (platform secrets, URLs) before it is written. */
function log(
  ctx: TasksContext,
  level: "warn" | "error",
  msg: string,
  fields: Record<string, unknown>,
  err?: unknown,
): void {
  const reason = err === undefined ? undefined : redactError(err, secretValues(ctx.env));
  const line = JSON.stringify({ level, msg, requestId: ctx.requestId, ...fields, ...(reason ? { reason } : {}) });
  if (level === "error") console.error(line);
  else console.warn(line);
}

/** Refuses a blocklisted (or skim-flagged) wallet with 403, recording the attempt. */
async function refuseBlocked(ctx: TasksContext, action: string, taskId: string | null): Promise<void> {
  const reason = await withDb(ctx.env, ctx.waitUntil, (db) => blockReason(db, ctx.wallet));
  if (reason === null) return;
  await withDb(ctx.env, ctx.waitUntil, (db) =>
    recordEvent(db, {
      kind: "blocked_wallet_attempt",
      walletAddress: ctx.wallet,
      detail: { action, taskId, reason, requestId: ctx.requestId },
    }),
  ).catch((err: unknown) => log(ctx, "warn", "recording a blocked attempt failed", {}, err));
  throw new ApiError("forbidden", "This wallet is blocked from the bounty board");
}

function unavailable(what: string, cause: unknown): ApiError {
  return new ApiError("dependency_unavailable", `${what}; retry shortly`, { retryAfter: 2, cause });
}

/** Holds reward + buyer fee in the poster's WalletDO, then records the task. */
export async function createTask(ctx: TasksContext, input: CreateTaskRequest): Promise<TaskView> {
  await refuseBlocked(ctx, "create", null);
  const now = Date.now();
  if (input.deadline !== undefined && input.deadline.getTime() <= now) {
    throw new ApiError("invalid_request", "Invalid json: deadline: must be in the future");
  }
  const id = crypto.randomUUID();
  const holdAmount = holdAmountFor(input.reward);
  const stub = walletStub(ctx.env, ctx.wallet);
  let held: Awaited<ReturnType<typeof stub.openEscrow>>;
  try {
    held = await stub.openEscrow(id, holdAmount);
  } catch (err) {
    throw unavailable("The poster's balance could not be reached", err);
  }
  if (!held.ok) {
    switch (held.reason) {
      case "insufficient_credit":
        throw new ApiError(
          "insufficient_credit",
          `Available balance ${held.available ?? 0n} micro-USDC does not cover the reward plus fee (${holdAmount})`,
        );
      case "flagged":
        throw new ApiError("wallet_flagged", "This wallet is flagged; it cannot post tasks");
      case "cooldown":
        throw new ApiError("withdrawal_cooldown", "A withdrawal is in flight; post the task after it lands", {
          retryAfter: 30,
        });
      case "duplicate_hold":
        throw new ApiError("conflict", "Task id collision; retry");
    }
  }
  try {
    const row = await withDb(ctx.env, ctx.waitUntil, (db) =>
      insertTask(db, {
        id,
        posterWallet: ctx.wallet,
        title: input.title,
        description: input.description,
        reward: input.reward,
        holdAmount,
        holdId: id,
        reviewWindowSeconds: input.reviewWindowSeconds,
        deadline: input.deadline ?? null,
      }),
    );
    return taskView(row, ctx.wallet);
  } catch (err) {
    // No row: give the hold back now (the DO's orphan check would, after a grace, if this fails too).
    await stub.settleEscrow(id, { release: true }).catch((releaseErr: unknown) => {
      log(
        ctx,
        "error",
        "releasing the hold of a task that was not created failed; the orphan check will",
        { taskId: id },
        releaseErr,
      );
    });
    throw unavailable("The task could not be recorded; its hold was released", err);
  }
}

export async function getTask(ctx: TasksContext, id: string): Promise<TaskView> {
  const row = await withDb(ctx.env, ctx.waitUntil, (db) => findTask(db, id));
  if (!row) throw new ApiError("not_found", "No such task");
  return taskView(row, ctx.wallet);
}

export async function listTaskViews(ctx: TasksContext, query: TaskListQuery): Promise<TaskList> {
  const { rows, nextCursor } = await withDb(ctx.env, ctx.waitUntil, (db) => listTasks(db, query));
  return { tasks: rows.map((r) => taskView(r, ctx.wallet)), nextCursor };
}

/**
 * Judges `action` on the current row with the pure machine and applies it with a conditional
 * UPDATE. A row that changed in between (a concurrent claim, the alarm releasing) → 409, nothing
 * changed. `before` runs between judging and writing (submit schedules the auto-release there).
 */
async function act(
  ctx: TasksContext,
  id: string,
  action: TaskAction,
  options: {
    events?: (row: Task) => NewSecurityEvent[];
    before?: (row: Task, reviewDeadline?: number) => Promise<void>;
  } = {},
): Promise<{ before: Task; after: Task }> {
  const row = await withDb(ctx.env, ctx.waitUntil, (db) => findTask(db, id));
  if (!row) throw new ApiError("not_found", "No such task");
  const seen = snapshotOf(row);
  const t = transition(seen, action, { wallet: ctx.wallet }, Date.now());
  if (!t.ok) throw new ApiError(t.code, t.message);
  if (options.before) await options.before(row, t.patch.reviewDeadline ?? undefined);
  const after = await withDb(ctx.env, ctx.waitUntil, (db) =>
    applyTransition(db, id, seen, t.patch, { events: options.events?.(row) }),
  );
  if (!after) throw new ApiError("conflict", "The task changed while this request was handled; reload it and retry");
  return { before: row, after };
}

export async function claimTask(ctx: TasksContext, id: string): Promise<TaskView> {
  await refuseBlocked(ctx, "claim", id);
  const { after } = await act(ctx, id, { type: "claim" });
  return taskView(after, ctx.wallet);
}

export async function submitTask(ctx: TasksContext, id: string, input: SubmitRequest): Promise<TaskView> {
  await refuseBlocked(ctx, "submit", id);
  const { after } = await act(
    ctx,
    id,
    { type: "submit", work: JSON.stringify(input.work) },
    {
      // Scheduled before the row says submitted: a check for a submit that then fails finds the
      // task still claimed and goes idle; a submitted task without a check could never auto-release.
      before: async (row, reviewDeadline) => {
        if (reviewDeadline === undefined) throw new Error("submit always sets a review deadline");
        let watched: { ok: boolean };
        try {
          watched = await walletStub(ctx.env, row.posterWallet).watchEscrow(row.id, reviewDeadline);
        } catch (err) {
          throw unavailable("The poster's escrow could not be reached", err);
        }
        if (!watched.ok) throw new ApiError("conflict", "The task's escrow has already ended");
      },
    },
  );
  return taskView(after, ctx.wallet);
}

export async function approveTask(ctx: TasksContext, id: string): Promise<TaskView> {
  const { after } = await act(ctx, id, { type: "approve" });
  const solver = after.solverWallet;
  if (solver === null) throw new Error("an approved task always has a solver");
  try {
    await walletStub(ctx.env, after.posterWallet).settleEscrow(after.id, { capture: { solver, reward: after.reward } });
  } catch (err) {
    // Approved is recorded; the DO's check at the review deadline captures it (retried until it does).
    log(ctx, "warn", "capturing an approved task failed; the escrow check will retry", { taskId: after.id }, err);
  }
  return taskView(after, ctx.wallet);
}

export async function rejectTask(ctx: TasksContext, id: string): Promise<TaskView> {
  const { before, after } = await act(ctx, id, { type: "reject" });
  await clearCheck(ctx, before);
  return taskView(after, ctx.wallet);
}

export async function disputeTask(ctx: TasksContext, id: string, input: DisputeRequest): Promise<TaskView> {
  const { before, after } = await act(
    ctx,
    id,
    { type: "dispute", reason: input.reason },
    {
      events: (row) => [
        {
          kind: "task_disputed",
          walletAddress: ctx.wallet,
          detail: { taskId: row.id, poster: row.posterWallet, solver: row.solverWallet, from: row.status },
        },
      ],
    },
  );
  await clearCheck(ctx, before);
  return taskView(after, ctx.wallet);
}

/** Best effort: the alarm would find the task no longer submitted and go idle anyway. */
async function clearCheck(ctx: TasksContext, before: Task): Promise<void> {
  if (before.reviewDeadline === null) return;
  await walletStub(ctx.env, before.posterWallet)
    .unwatchEscrow(before.id, before.reviewDeadline.getTime())
    .catch((err: unknown) => log(ctx, "warn", "clearing an escrow check failed", { taskId: before.id }, err));
}

/**
 * open → cancelled, then the whole hold back to the poster. Cancelling a task that is already
 * cancelled answers it again and retries the release (so a release that failed can be repeated).
 */
export async function cancelTask(ctx: TasksContext, id: string): Promise<TaskView> {
  let row: Task;
  try {
    row = (await act(ctx, id, { type: "cancel" })).after;
  } catch (err) {
    const existing = await withDb(ctx.env, ctx.waitUntil, (db) => findTask(db, id));
    if (!(existing?.status === "cancelled" && existing.posterWallet === ctx.wallet)) throw err;
    row = existing;
  }
  let settled: Awaited<ReturnType<ReturnType<typeof walletStub>["settleEscrow"]>>;
  try {
    settled = await walletStub(ctx.env, row.posterWallet).settleEscrow(row.id, { release: true });
  } catch (err) {
    throw unavailable("The task is cancelled but its hold could not be released yet; repeat the cancel", err);
  }
  if (!settled.ok && settled.reason !== "unknown_escrow") {
    log(ctx, "error", "cancelled task's escrow ended otherwise", { taskId: row.id, outcome: settled.reason });
  }
  return taskView(row, ctx.wallet);
}
