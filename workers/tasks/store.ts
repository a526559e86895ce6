/**
 * Postgres side of the bounty board. Every transition is one conditional UPDATE guarded by the
 * snapshot it was judged on (`status`, solver and review deadline unchanged), so two concurrent
 * claims — or an approve racing the auto-release — match exactly one row between them.
 */
import { and, desc, eq, gte, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type NewSecurityEvent, securityEvents, type Task, tasks, walletBlocks, wallets } from "../../db/schema.ts";
import type { TaskListQuery } from "./interface.ts";
import type { TaskPatch, TaskSnapshot } from "./machine.ts";

export function snapshotOf(row: Task): TaskSnapshot {
  return {
    status: row.status,
    poster: row.posterWallet,
    solver: row.solverWallet,
    deadline: row.deadline?.getTime() ?? null,
    reviewDeadline: row.reviewDeadline?.getTime() ?? null,
    reviewWindowSeconds: row.reviewWindowSeconds,
  };
}

export async function findTask(db: Db, id: string): Promise<Task | null> {
  const [row] = await db.select().from(tasks).where(eq(tasks.id, id));
  return row ?? null;
}

/** Inserts a task (and its poster's wallets row) in one transaction. */
export async function insertTask(db: Db, task: typeof tasks.$inferInsert): Promise<Task> {
  return db.transaction(async (tx) => {
    await tx.insert(wallets).values({ address: task.posterWallet }).onConflictDoNothing();
    const [row] = await tx.insert(tasks).values(task).returning();
    if (!row) throw new Error("task insert returned no row");
    return row;
  });
}

function dateOrNull(ms: number | null | undefined): Date | null | undefined {
  return ms === undefined ? undefined : ms === null ? null : new Date(ms);
}

/** The review deadline is still the one the transition was judged on (compared at JS millisecond precision). */
function sameReviewDeadline(ms: number | null): SQL {
  return ms === null
    ? isNull(tasks.reviewDeadline)
    : sql`date_trunc('milliseconds', ${tasks.reviewDeadline}) = ${new Date(ms).toISOString()}::timestamptz`;
}

/**
 * Applies `patch` if the row still is the snapshot it was judged on; returns the new row, or null
 * when nothing matched (the task changed meanwhile). A solver wallet gets its `wallets` row first.
 * `extra` rows (security events) are written in the same transaction.
 */
export async function applyTransition(
  db: Db,
  id: string,
  seen: TaskSnapshot,
  patch: TaskPatch,
  extra: { events?: NewSecurityEvent[]; guard?: SQL } = {},
): Promise<Task | null> {
  return db.transaction(async (tx) => {
    if (patch.solver) await tx.insert(wallets).values({ address: patch.solver }).onConflictDoNothing();
    const [row] = await tx
      .update(tasks)
      .set({
        status: patch.status,
        solverWallet: patch.solver,
        submission: patch.submission,
        claimedAt: dateOrNull(patch.claimedAt),
        submittedAt: dateOrNull(patch.submittedAt),
        reviewDeadline: dateOrNull(patch.reviewDeadline),
        resolvedAt: dateOrNull(patch.resolvedAt),
        disputedBy: patch.disputedBy,
        disputeReason: patch.disputeReason,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(tasks.id, id),
          eq(tasks.status, seen.status),
          seen.solver === null ? isNull(tasks.solverWallet) : eq(tasks.solverWallet, seen.solver),
          sameReviewDeadline(seen.reviewDeadline),
          extra.guard,
        ),
      )
      .returning();
    if (!row) return null;
    if (extra.events && extra.events.length > 0) await tx.insert(securityEvents).values(extra.events);
    return row;
  });
}

/** Newest first; `cursor` is the id of the last task of the previous page. */
export async function listTasks(db: Db, q: TaskListQuery): Promise<{ rows: Task[]; nextCursor: string | null }> {
  const conditions: Array<SQL | undefined> = [
    q.status === undefined ? undefined : eq(tasks.status, q.status),
    q.minReward === undefined ? undefined : gte(tasks.reward, BigInt(q.minReward)),
    q.maxReward === undefined ? undefined : lte(tasks.reward, BigInt(q.maxReward)),
    q.poster === undefined ? undefined : eq(tasks.posterWallet, q.poster),
    q.solver === undefined ? undefined : eq(tasks.solverWallet, q.solver),
  ];
  if (q.cursor !== undefined) {
    // Keyset on (created_at, id), read from the cursor row itself so no timestamp precision is lost.
    const cursorRow = sql`(SELECT ${tasks.createdAt} FROM ${tasks} WHERE ${tasks.id} = ${q.cursor})`;
    conditions.push(
      or(
        sql`${tasks.createdAt} < ${cursorRow}`,
        and(sql`${tasks.createdAt} = ${cursorRow}`, sql`${tasks.id} < ${q.cursor}`),
      ),
    );
  }
  const rows = await db
    .select()
    .from(tasks)
    .where(and(...conditions))
    .orderBy(desc(tasks.createdAt), desc(tasks.id))
    .limit(q.limit + 1);
  const page = rows.slice(0, q.limit);
  return { rows: page, nextCursor: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null };
}

/** Why a wallet may not act on the board: blocklisted by an operator, or flagged (skim). Null when free. */
export async function blockReason(db: Db, wallet: string): Promise<string | null> {
  const rows = await db
    .select({ blocked: walletBlocks.reason, flagged: wallets.isFlagged })
    .from(wallets)
    .leftJoin(walletBlocks, eq(walletBlocks.walletAddress, wallets.address))
    .where(eq(wallets.address, wallet));
  const row = rows[0];
  if (!row) return null;
  if (row.blocked !== null) return "blocked";
  return row.flagged ? "flagged" : null;
}

export async function recordEvent(db: Db, event: NewSecurityEvent): Promise<void> {
  await db.transaction(async (tx) => {
    if (event.walletAddress) await tx.insert(wallets).values({ address: event.walletAddress }).onConflictDoNothing();
    await tx.insert(securityEvents).values(event);
  });
}

/** Operator action (`npm run wallet:block`): blocks `wallet` from the board, recorded as a security event. */
export async function blockWallet(db: Db, wallet: string, reason: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.insert(wallets).values({ address: wallet }).onConflictDoNothing();
    await tx
      .insert(walletBlocks)
      .values({ walletAddress: wallet, reason })
      .onConflictDoUpdate({ target: walletBlocks.walletAddress, set: { reason } });
    await tx.insert(securityEvents).values({ kind: "wallet_blocked", walletAddress: wallet, detail: { reason } });
  });
}

/** Lifts a block; returns whether there was one. */
export async function unblockWallet(db: Db, wallet: string, reason: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const gone = await tx
      .delete(walletBlocks)
      .where(eq(walletBlocks.walletAddress, wallet))
      .returning({ wallet: walletBlocks.walletAddress });
    if (gone.length === 0) return false;
    await tx.insert(securityEvents).values({ kind: "wallet_unblocked", walletAddress: wallet, detail: { reason } });
    return true;
  });
}
