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
import type { EscrowTaskRow } from "../workers/tasks/escrow.ts";

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
