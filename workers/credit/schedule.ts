/**
 * When the WalletDO's alarm must run, and the retry backoffs it uses. Pure: `now` and the state
 * come in, a time comes out; the DO only carries it out with `setAlarm`.
 */
import { type CreditState, WITHDRAWAL_LAPSE_GRACE_MS } from "./state.ts";

/** A snapshot older than this is refreshed before it is relied on again (DESIGN §4). */
export const SNAPSHOT_MAX_AGE_MS = 30_000;
/** While pending debits wait for a newer slot, the vault is re-read this often. */
export const DEBIT_POLL_MS = 2_000;
/** Finished request ids are remembered at least this long to refuse duplicates. */
export const DEDUPE_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Forgetting waits this much longer, so a busy wallet purges about once an hour, not once per request. */
export const PURGE_SLACK_MS = 60 * 60 * 1000;
/** Ledger rows wait up to this long so a burst of confirms reaches Postgres in one batch. */
export const OUTBOX_BATCH_DELAY_MS = 1_000;
/** Postgres or Solana unreachable: retry after 1 s, 2 s, 4 s … at most this. */
export const IO_BACKOFF_CAP_MS = 60_000;
/** A ledger row Postgres refuses (e.g. a missing listing): retried after 10 s, 20 s … at most this. */
export const ROW_BACKOFF_CAP_MS = 60 * 60 * 1000;

/** `base × 2^failures`, capped; `failures` counts consecutive failures before this retry (≥ 1). */
export function backoffMs(failures: number, baseMs: number, capMs: number): number {
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  return Math.min(capMs, baseMs * 2 ** exp);
}

export function snapshotIsOld(s: CreditState, now: number): boolean {
  return s.chain.fetchedAt === null || now - s.chain.fetchedAt >= SNAPSHOT_MAX_AGE_MS;
}

/** Debits only a newer snapshot can clear: settlements, landed and expired withdrawals. */
export function hasSnapshotDebits(s: CreditState): boolean {
  if (s.settlements.size > 0) return true;
  for (const w of s.withdrawals.values()) if (w.phase !== "in_flight") return true;
  return false;
}

/** Minimum spacing of alarm-driven vault reads, so a refresh that changes nothing cannot spin. */
export const MIN_REFRESH_INTERVAL_MS = 1_000;

export interface RefreshTiming {
  /** Backoff gate after failed reads (epoch ms), 0 when none. */
  nextRefreshAt: number;
  /** When the last read began (epoch ms), 0 when never. */
  lastRefreshAt: number;
}

/**
 * When the alarm should next read the vault, or null when nothing needs it: a stale snapshot
 * (deposit reported, snapshot old) or pending debits that only a newer snapshot can clear.
 */
export function refreshDueAt(s: CreditState, hasVault: boolean, t: RefreshTiming): number | null {
  if (!hasVault) return null;
  if (s.chain.stale) return Math.max(t.nextRefreshAt, t.lastRefreshAt + MIN_REFRESH_INTERVAL_MS);
  if (hasSnapshotDebits(s)) return Math.max(t.nextRefreshAt, t.lastRefreshAt + DEBIT_POLL_MS);
  return null;
}

export interface AlarmInputs {
  state: CreditState;
  now: number;
  /** From `refreshDueAt`. */
  refreshDueAt: number | null;
  /** Earliest time an outbox row may be flushed (backoff applied), or null when the outbox is empty. */
  outboxDueAt: number | null;
  /** Oldest remembered finished request id, or null. */
  oldestFinishedAt: number | null;
}

/** The earliest moment something is due (never before `now`), or null when the wallet is idle. */
export function nextAlarmAt(i: AlarmInputs): number | null {
  const times: number[] = [];
  for (const r of i.state.reservations.values()) times.push(r.expiresAt);
  for (const w of i.state.withdrawals.values()) {
    if (w.phase === "in_flight") times.push(w.expiresAt + WITHDRAWAL_LAPSE_GRACE_MS);
  }
  if (i.refreshDueAt !== null) times.push(i.refreshDueAt);
  if (i.outboxDueAt !== null) times.push(i.outboxDueAt + OUTBOX_BATCH_DELAY_MS);
  if (i.oldestFinishedAt !== null) times.push(i.oldestFinishedAt + DEDUPE_WINDOW_MS + PURGE_SLACK_MS);
  if (times.length === 0) return null;
  return Math.max(i.now, Math.min(...times));
}
