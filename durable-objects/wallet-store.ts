/**
 * The WalletDO's SQLite storage: its tables, loading the credit state (workers/credit/state.ts)
 * and persisting exactly what a transition changed. Every function here is synchronous, so a
 * caller can read, decide and write inside one `transactionSync` with no await in between.
 *
 * Amounts are INTEGER columns. SQLite integers come back as JS numbers, so each amount written is
 * checked to be a safe integer (< 2^53 micro-USDC ≈ 9·10^9 USDC per wallet; decision 006).
 */
import type {
  CreditState,
  FinishedOutcome,
  Reservation,
  SettlementDebit,
  Withdrawal,
} from "../workers/credit/state.ts";

const SCHEMA = [
  // One row: the chain snapshot, money aggregates, the flag and the I/O retry state.
  `CREATE TABLE IF NOT EXISTS credit (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    chain_amount INTEGER NOT NULL DEFAULT 0,
    chain_slot INTEGER,
    chain_fetched_at INTEGER,
    chain_epoch INTEGER NOT NULL DEFAULT 0,
    chain_stale INTEGER NOT NULL DEFAULT 0,
    stale_until_epoch INTEGER NOT NULL DEFAULT 0,
    unsettled INTEGER NOT NULL DEFAULT 0 CHECK (unsettled >= 0),
    flagged_reason TEXT,
    flagged_at INTEGER,
    refresh_failures INTEGER NOT NULL DEFAULT 0,
    next_refresh_at INTEGER NOT NULL DEFAULT 0,
    last_refresh_at INTEGER NOT NULL DEFAULT 0,
    flush_failures INTEGER NOT NULL DEFAULT 0,
    next_flush_at INTEGER NOT NULL DEFAULT 0
  )`,
  "INSERT INTO credit (id) VALUES (1) ON CONFLICT (id) DO NOTHING",
  // Only SHA-256 hex of the whole key `pgk_<wallet>_<secret>`; revoked keys stay (revocation is final).
  `CREATE TABLE IF NOT EXISTS api_keys (
    key_id TEXT PRIMARY KEY,
    key_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  )`,
  `CREATE TABLE IF NOT EXISTS reservations (
    request_id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL CHECK (amount > 0),
    expires_at INTEGER NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS holds (
    hold_id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL CHECK (amount > 0),
    created_at INTEGER NOT NULL
  )`,
  // Request ids (kind 'request') and hold ids (kind 'hold') that ended, kept 24 h for deduplication.
  `CREATE TABLE IF NOT EXISTS finished (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    finished_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  )`,
  "CREATE INDEX IF NOT EXISTS finished_at_idx ON finished (finished_at)",
  // Every batch ever applied (idempotence); `pending` = its debit still waits for a newer snapshot.
  `CREATE TABLE IF NOT EXISTS settlements (
    batch_id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL CHECK (amount >= 0),
    slot INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    pending INTEGER NOT NULL
  )`,
  // Every withdrawal ever started (never co-sign one id twice); `pending` = still a debit.
  `CREATE TABLE IF NOT EXISTS withdrawals (
    withdrawal_id TEXT PRIMARY KEY,
    amount INTEGER NOT NULL CHECK (amount > 0),
    phase TEXT NOT NULL CHECK (phase IN ('in_flight', 'landed', 'expired')),
    expires_at INTEGER,
    landed_slot INTEGER,
    clears_at_epoch INTEGER,
    started_at INTEGER NOT NULL,
    pending INTEGER NOT NULL
  )`,
  // Confirmed ledger entries on their way to Postgres; deleted only after Postgres committed them.
  `CREATE TABLE IF NOT EXISTS outbox (
    request_id TEXT PRIMARY KEY,
    entry TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT
  )`,
  "CREATE INDEX IF NOT EXISTS outbox_due_idx ON outbox (next_attempt_at)",
];

export function initWalletSchema(sql: SqlStorage): void {
  for (const statement of SCHEMA) sql.exec(statement);
}

/** bigint → SQLite INTEGER, refusing anything a JS number cannot hold exactly. */
export function toSqlAmount(amount: bigint): number {
  const n = Number(amount);
  if (!Number.isSafeInteger(n)) throw new RangeError(`amount ${amount} is outside the per-wallet range (< 2^53)`);
  return n;
}

function amountOf(value: SqlStorageValue): bigint {
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw new TypeError("corrupt amount in storage");
  return BigInt(value);
}

function numberOrNull(value: SqlStorageValue): number | null {
  return value === null ? null : Number(value);
}

type Row = Record<string, SqlStorageValue>;

export function loadCredit(sql: SqlStorage): CreditState {
  const c = sql.exec<Row>("SELECT * FROM credit WHERE id = 1").one();
  const reservations = new Map<string, Reservation>();
  for (const r of sql.exec<Row>("SELECT request_id, amount, expires_at FROM reservations")) {
    reservations.set(String(r.request_id), { amount: amountOf(r.amount!), expiresAt: Number(r.expires_at) });
  }
  const holds = new Map<string, bigint>();
  for (const h of sql.exec<Row>("SELECT hold_id, amount FROM holds")) holds.set(String(h.hold_id), amountOf(h.amount!));
  const settlements = new Map<string, SettlementDebit>();
  for (const d of sql.exec<Row>("SELECT batch_id, amount, slot FROM settlements WHERE pending = 1")) {
    settlements.set(String(d.batch_id), { amount: amountOf(d.amount!), slot: Number(d.slot) });
  }
  const withdrawals = new Map<string, Withdrawal>();
  for (const w of sql.exec<Row>("SELECT * FROM withdrawals WHERE pending = 1")) {
    const amount = amountOf(w.amount!);
    const id = String(w.withdrawal_id);
    if (w.phase === "in_flight") withdrawals.set(id, { amount, phase: "in_flight", expiresAt: Number(w.expires_at) });
    else if (w.phase === "landed") withdrawals.set(id, { amount, phase: "landed", slot: Number(w.landed_slot) });
    else withdrawals.set(id, { amount, phase: "expired", clearsAtEpoch: Number(w.clears_at_epoch) });
  }
  return {
    chain: {
      amount: amountOf(c.chain_amount!),
      slot: numberOrNull(c.chain_slot!),
      fetchedAt: numberOrNull(c.chain_fetched_at!),
      epoch: Number(c.chain_epoch),
      stale: c.chain_stale === 1,
      staleUntilEpoch: Number(c.stale_until_epoch),
    },
    unsettled: amountOf(c.unsettled!),
    reservations,
    holds,
    settlements,
    withdrawals,
    flagged: c.flagged_reason === null ? null : String(c.flagged_reason),
  };
}

/** Calls `upsert` for entries added or replaced in `next` and `remove` for keys gone from it. */
function diffMap<V>(
  prev: ReadonlyMap<string, V>,
  next: ReadonlyMap<string, V>,
  upsert: (key: string, value: V) => void,
  remove: (key: string) => void,
): void {
  if (prev === next) return;
  for (const [key, value] of next) if (prev.get(key) !== value) upsert(key, value);
  for (const key of prev.keys()) if (!next.has(key)) remove(key);
}

/** Writes the difference between two states (transitions never mutate: changed parts are new objects). */
export function persistCredit(sql: SqlStorage, prev: CreditState, next: CreditState, now: number): void {
  if (prev === next) return;
  if (prev.chain !== next.chain || prev.unsettled !== next.unsettled || prev.flagged !== next.flagged) {
    const c = next.chain;
    sql.exec(
      `UPDATE credit SET chain_amount = ?, chain_slot = ?, chain_fetched_at = ?, chain_epoch = ?, chain_stale = ?,
        stale_until_epoch = ?, unsettled = ?, flagged_reason = ?,
        flagged_at = CASE WHEN ? IS NULL THEN NULL ELSE coalesce(flagged_at, ?) END
       WHERE id = 1`,
      toSqlAmount(c.amount),
      c.slot,
      c.fetchedAt,
      c.epoch,
      c.stale ? 1 : 0,
      c.staleUntilEpoch,
      toSqlAmount(next.unsettled),
      next.flagged,
      next.flagged,
      now,
    );
  }
  diffMap(
    prev.reservations,
    next.reservations,
    (id, r) =>
      sql.exec(
        "INSERT INTO reservations (request_id, amount, expires_at) VALUES (?, ?, ?) ON CONFLICT (request_id) DO UPDATE SET amount = excluded.amount, expires_at = excluded.expires_at",
        id,
        toSqlAmount(r.amount),
        r.expiresAt,
      ),
    (id) => sql.exec("DELETE FROM reservations WHERE request_id = ?", id),
  );
  diffMap(
    prev.holds,
    next.holds,
    (id, amount) =>
      sql.exec(
        "INSERT INTO holds (hold_id, amount, created_at) VALUES (?, ?, ?) ON CONFLICT (hold_id) DO UPDATE SET amount = excluded.amount",
        id,
        toSqlAmount(amount),
        now,
      ),
    (id) => sql.exec("DELETE FROM holds WHERE hold_id = ?", id),
  );
  diffMap(
    prev.settlements,
    next.settlements,
    (id, d) =>
      sql.exec(
        "INSERT INTO settlements (batch_id, amount, slot, applied_at, pending) VALUES (?, ?, ?, ?, 1) ON CONFLICT (batch_id) DO UPDATE SET pending = 1",
        id,
        toSqlAmount(d.amount),
        d.slot,
        now,
      ),
    (id) => sql.exec("UPDATE settlements SET pending = 0 WHERE batch_id = ?", id),
  );
  diffMap(
    prev.withdrawals,
    next.withdrawals,
    (id, w) =>
      sql.exec(
        `INSERT INTO withdrawals (withdrawal_id, amount, phase, expires_at, landed_slot, clears_at_epoch, started_at, pending)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (withdrawal_id) DO UPDATE SET phase = excluded.phase, landed_slot = excluded.landed_slot,
           clears_at_epoch = excluded.clears_at_epoch, pending = 1`,
        id,
        toSqlAmount(w.amount),
        w.phase,
        w.phase === "in_flight" ? w.expiresAt : null,
        w.phase === "landed" ? w.slot : null,
        w.phase === "expired" ? w.clearsAtEpoch : null,
        now,
      ),
    (id) => sql.exec("UPDATE withdrawals SET pending = 0 WHERE withdrawal_id = ?", id),
  );
}

export type FinishedKind = "request" | "hold";

export function finishedOutcome(sql: SqlStorage, kind: FinishedKind, id: string): FinishedOutcome | undefined {
  const row = sql
    .exec<{ outcome: string }>("SELECT outcome FROM finished WHERE kind = ? AND id = ?", kind, id)
    .toArray()[0];
  return row ? (row.outcome as FinishedOutcome) : undefined;
}

export function recordFinished(sql: SqlStorage, kind: FinishedKind, id: string, outcome: string, now: number): void {
  sql.exec(
    "INSERT INTO finished (kind, id, outcome, finished_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET outcome = excluded.outcome, finished_at = excluded.finished_at",
    kind,
    id,
    outcome,
    now,
  );
}

/** Forgets finished ids older than `before`, a bounded number per call. */
export function purgeFinished(sql: SqlStorage, before: number, limit: number): void {
  sql.exec(
    "DELETE FROM finished WHERE rowid IN (SELECT rowid FROM finished WHERE finished_at < ? ORDER BY finished_at LIMIT ?)",
    before,
    limit,
  );
}

export function oldestFinishedAt(sql: SqlStorage): number | null {
  const row = sql.exec<{ t: number | null }>("SELECT min(finished_at) AS t FROM finished").one();
  return row.t;
}

export function getMeta(sql: SqlStorage, key: string): string | null {
  const row = sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
  return row ? row.value : null;
}

export function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec(
    "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    key,
    value,
  );
}

export interface IoState {
  refreshFailures: number;
  /** Backoff gate for vault reads after failures (epoch ms), 0 when none. */
  nextRefreshAt: number;
  /** When the last vault read began (epoch ms). */
  lastRefreshAt: number;
  flushFailures: number;
  /** Backoff gate for outbox flushes while Postgres is unreachable (epoch ms), 0 when none. */
  nextFlushAt: number;
}

export function loadIo(sql: SqlStorage): IoState {
  const r = sql
    .exec<Record<string, number>>(
      "SELECT refresh_failures, next_refresh_at, last_refresh_at, flush_failures, next_flush_at FROM credit WHERE id = 1",
    )
    .one();
  return {
    refreshFailures: r.refresh_failures!,
    nextRefreshAt: r.next_refresh_at!,
    lastRefreshAt: r.last_refresh_at!,
    flushFailures: r.flush_failures!,
    nextFlushAt: r.next_flush_at!,
  };
}

export function saveRefreshAttempt(sql: SqlStorage, startedAt: number): void {
  sql.exec("UPDATE credit SET last_refresh_at = ? WHERE id = 1", startedAt);
}

export function saveRefreshBackoff(sql: SqlStorage, failures: number, nextAt: number): void {
  sql.exec("UPDATE credit SET refresh_failures = ?, next_refresh_at = ? WHERE id = 1", failures, nextAt);
}

export function saveFlushBackoff(sql: SqlStorage, failures: number, nextAt: number): void {
  sql.exec("UPDATE credit SET flush_failures = ?, next_flush_at = ? WHERE id = 1", failures, nextAt);
}
