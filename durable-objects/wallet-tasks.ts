/**
 * The WalletDO's task escrows (bounty board): one row per task the wallet posted, next to the
 * hold of the same id. `check_at` is when the alarm must look at the task row in Postgres (the
 * review deadline after a submit, an orphan check after create); `outcome` records for good how
 * the hold ended, which makes approve, cancel and the alarm idempotent against each other.
 * Storage functions are synchronous (callable inside `transactionSync`); the Postgres ones are not.
 */
import { inArray } from "drizzle-orm";
import { createDb, createPool, type Db, type DbEnv } from "../db/client.ts";
import { type Task, tasks } from "../db/schema.ts";
import type { EscrowCapture } from "../workers/credit/interface.ts";
import { backoffMs } from "../workers/credit/schedule.ts";
import {
  ESCROW_RETRY_BASE_MS,
  ESCROW_RETRY_CAP_MS,
  type EscrowTaskRow,
  escrowAction,
} from "../workers/tasks/escrow.ts";
import { transition } from "../workers/tasks/machine.ts";
import { applyTransition, snapshotOf } from "../workers/tasks/store.ts";

/** Task escrows looked at per alarm run; the alarm comes back at once for the rest. */
const ESCROW_BATCH = 50;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS task_escrows (
    task_id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL CHECK (amount > 0),
    created_at INTEGER NOT NULL,
    check_at INTEGER,
    outcome TEXT CHECK (outcome IN ('captured', 'released')),
    settled_at INTEGER,
    failures INTEGER NOT NULL DEFAULT 0
  )`,
  "CREATE INDEX IF NOT EXISTS task_escrows_check_idx ON task_escrows (check_at) WHERE check_at IS NOT NULL",
];

export function initEscrowSchema(sql: SqlStorage): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

export type EscrowOutcome = "captured" | "released";

export interface Escrow {
  taskId: string;
  amount: bigint;
  createdAt: number;
  checkAt: number | null;
  outcome: EscrowOutcome | null;
  failures: number;
}

type Row = Record<string, SqlStorageValue>;

function escrowOf(r: Row): Escrow {
  return {
    taskId: String(r.task_id),
    amount: BigInt(Number(r.amount)),
    createdAt: Number(r.created_at),
    checkAt: r.check_at === null ? null : Number(r.check_at),
    outcome: r.outcome === null ? null : (String(r.outcome) as EscrowOutcome),
    failures: Number(r.failures),
  };
}

export function getEscrow(sql: SqlStorage, taskId: string): Escrow | null {
  const row = sql.exec<Row>("SELECT * FROM task_escrows WHERE task_id = ?", taskId).toArray()[0];
  return row ? escrowOf(row) : null;
}

export function insertEscrow(sql: SqlStorage, taskId: string, amount: number, now: number, checkAt: number): void {
  sql.exec(
    "INSERT INTO task_escrows (task_id, amount, created_at, check_at) VALUES (?, ?, ?, ?)",
    taskId,
    amount,
    now,
    checkAt,
  );
}

/** Open escrows whose check is due, earliest first. */
export function dueEscrows(sql: SqlStorage, now: number, limit: number): Escrow[] {
  return sql
    .exec<Row>(
      "SELECT * FROM task_escrows WHERE check_at IS NOT NULL AND check_at <= ? AND outcome IS NULL ORDER BY check_at LIMIT ?",
      now,
      limit,
    )
    .toArray()
    .map(escrowOf);
}

/** Earliest check of an open escrow, or null. */
export function escrowDueAt(sql: SqlStorage): number | null {
  return sql.exec<{ t: number | null }>("SELECT min(check_at) AS t FROM task_escrows WHERE outcome IS NULL").one().t;
}

/** Sets an open escrow's check time; `failures` resets unless given. Returns whether a row changed. */
export function setCheck(sql: SqlStorage, taskId: string, at: number | null, failures = 0): boolean {
  return (
    sql.exec(
      "UPDATE task_escrows SET check_at = ?, failures = ? WHERE task_id = ? AND outcome IS NULL",
      at,
      failures,
      taskId,
    ).rowsWritten > 0
  );
}

/**
 * Like `setCheck`, only if the check is still `expected`: a route may have moved it (a new
 * submit) while the alarm was reading Postgres, and that newer schedule wins.
 */
export function setCheckIf(
  sql: SqlStorage,
  taskId: string,
  expected: number | null,
  at: number | null,
  failures = 0,
): boolean {
  return (
    sql.exec(
      "UPDATE task_escrows SET check_at = ?, failures = ? WHERE task_id = ? AND outcome IS NULL AND check_at IS ?",
      at,
      failures,
      taskId,
      expected,
    ).rowsWritten > 0
  );
}

export function markOutcome(sql: SqlStorage, taskId: string, outcome: EscrowOutcome, now: number): void {
  sql.exec(
    "UPDATE task_escrows SET outcome = ?, settled_at = ?, check_at = NULL, failures = 0 WHERE task_id = ?",
    outcome,
    now,
    taskId,
  );
}

/** One Postgres pool for one alarm run, ended before returning (Workers rule). */
export async function withTaskDb<T>(env: DbEnv, fn: (db: Db) => Promise<T>): Promise<T> {
  const pool = createPool(env, { max: 1, connectionTimeoutMillis: 5_000 });
  try {
    return await fn(createDb(pool));
  } finally {
    await pool.end().catch(() => {});
  }
}

/** The task rows the escrows belong to, by id (absent: no such row). */
export async function readTaskRows(db: Db, ids: readonly string[]): Promise<Map<string, Task>> {
  const rows = await db
    .select()
    .from(tasks)
    .where(inArray(tasks.id, [...ids]));
  return new Map(rows.map((r) => [r.id, r]));
}

/** What the pure escrow rules need of a task row. */
export function escrowRowOf(row: Task): EscrowTaskRow {
  return {
    status: row.status,
    solver: row.solverWallet,
    reward: row.reward,
    reviewDeadline: row.reviewDeadline?.getTime() ?? null,
  };
}

export interface EscrowHooks {
  /** Ends the escrow's hold exactly once (the WalletDO's storage transaction): captured, or released. */
  settle(taskId: string, capture: EscrowCapture | undefined): void;
  /** Postgres failed for this run; `escrows` checks were pushed back. */
  failed(err: unknown, escrows: number): void;
}

/**
 * The alarm's part for escrows whose check is due: read their task rows, then capture (approved,
 * released, or submitted past its review deadline — marked released first, conditionally),
 * release (cancelled, or never created), look again later, or go idle. Postgres unreachable →
 * each escrow backs off (5 s … 5 min) and nothing changes. Never throws.
 */
export async function reconcileEscrows(sql: SqlStorage, env: DbEnv, hooks: EscrowHooks): Promise<void> {
  const due = dueEscrows(sql, Date.now(), ESCROW_BATCH);
  if (due.length === 0) return;
  try {
    await withTaskDb(env, async (db) => {
      const rows = await readTaskRows(
        db,
        due.map((e) => e.taskId),
      );
      for (const escrow of due) {
        const row = rows.get(escrow.taskId) ?? null;
        const now = Date.now();
        const action = escrowAction(row ? escrowRowOf(row) : null, escrow.createdAt, now);
        if (action.kind === "capture" || action.kind === "release") {
          hooks.settle(escrow.taskId, action.kind === "capture" ? action : undefined);
        } else if (action.kind === "recheck") {
          setCheckIf(sql, escrow.taskId, escrow.checkAt, action.at);
        } else if (action.kind === "idle") {
          setCheckIf(sql, escrow.taskId, escrow.checkAt, null);
        } else if (row) {
          const seen = snapshotOf(row);
          const t = transition(seen, { type: "auto_release" }, { system: true }, now);
          const released = t.ok ? await applyTransition(db, row.id, seen, t.patch) : null;
          // Released now → capture; otherwise the row changed meanwhile: look again at once.
          if (released) hooks.settle(escrow.taskId, action);
          else setCheckIf(sql, escrow.taskId, escrow.checkAt, Date.now());
        }
      }
    });
  } catch (err) {
    const now = Date.now();
    for (const escrow of due) {
      const failures = escrow.failures + 1;
      const retryAt = now + backoffMs(failures, ESCROW_RETRY_BASE_MS, ESCROW_RETRY_CAP_MS);
      setCheckIf(sql, escrow.taskId, escrow.checkAt, retryAt, failures);
    }
    hooks.failed(err, due.length);
  }
}
