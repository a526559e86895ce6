/**
 * The CapacityFenceDO's SQLite storage: the window's buckets, the request ids admitted recently
 * (idempotence), and single facts (config, backoff) in the shared `meta` table. All synchronous,
 * so the DO can decide and write inside one `transactionSync` with no await in between.
 */
import type { WindowSpec, WindowState } from "../workers/fence/window.ts";

const SCHEMA = [
  // One row per counted bucket of the sliding window (workers/fence/window.ts).
  `CREATE TABLE IF NOT EXISTS window_buckets (
    idx INTEGER PRIMARY KEY,
    n INTEGER NOT NULL CHECK (n > 0)
  )`,
  `CREATE TABLE IF NOT EXISTS admitted (
    request_id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
  )`,
  "CREATE INDEX IF NOT EXISTS admitted_at_idx ON admitted (at)",
];

export function initFenceSchema(sql: SqlStorage): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

export function getMeta(sql: SqlStorage, key: string): string | null {
  const rows = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray();
  return rows[0]?.value ?? null;
}

export function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    key,
    value,
  );
}

/** The persisted window; its clock resumes at the start of the newest bucket (never behind it). */
export function loadWindow(sql: SqlStorage, spec: WindowSpec): WindowState {
  const buckets = new Map<number, number>();
  let newest = 0;
  for (const row of sql.exec<{ idx: number; n: number }>("SELECT idx, n FROM window_buckets")) {
    buckets.set(row.idx, row.n);
    newest = Math.max(newest, row.idx);
  }
  return { buckets, clock: newest * spec.bucketMs };
}

/** Counts one admit in `bucket` and drops every bucket older than `firstCounted`. */
export function recordAdmit(sql: SqlStorage, bucket: number, firstCounted: number | null): void {
  sql.exec("INSERT INTO window_buckets (idx, n) VALUES (?, 1) ON CONFLICT (idx) DO UPDATE SET n = n + 1", bucket);
  if (firstCounted !== null) sql.exec("DELETE FROM window_buckets WHERE idx < ?", firstCounted);
}

/** Replaces the whole window (after a change of window length). */
export function replaceWindow(sql: SqlStorage, state: WindowState): void {
  sql.exec("DELETE FROM window_buckets");
  for (const [idx, n] of state.buckets) sql.exec("INSERT INTO window_buckets (idx, n) VALUES (?, ?)", idx, n);
}

export function wasAdmitted(sql: SqlStorage, requestId: string): boolean {
  return sql.exec("SELECT 1 FROM admitted WHERE request_id = ?", requestId).toArray().length > 0;
}

export function rememberAdmitted(sql: SqlStorage, requestId: string, at: number): void {
  sql.exec("INSERT INTO admitted (request_id, at) VALUES (?, ?) ON CONFLICT (request_id) DO NOTHING", requestId, at);
}

/**
 * Forgets request ids admitted before `before`, at most `limit` of them. Forgetting is safe: a
 * retry of a forgotten id is simply counted again (over-counting never over-admits).
 */
export function forgetAdmitted(sql: SqlStorage, before: number, limit: number): void {
  sql.exec(
    "DELETE FROM admitted WHERE request_id IN (SELECT request_id FROM admitted WHERE at < ? LIMIT ?)",
    before,
    limit,
  );
}
