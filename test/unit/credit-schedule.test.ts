import { describe, expect, it } from "vitest";
import {
  backoffMs,
  DEBIT_POLL_MS,
  DEDUPE_WINDOW_MS,
  MIN_REFRESH_INTERVAL_MS,
  nextAlarmAt,
  OUTBOX_BATCH_DELAY_MS,
  PURGE_SLACK_MS,
  refreshDueAt,
  snapshotIsOld,
} from "../../workers/credit/schedule.ts";
import * as credit from "../../workers/credit/state.ts";

const NOW = 5_000_000;
const idle = { refreshDueAt: null, outboxDueAt: null, oldestFinishedAt: null };

describe("backoffMs", () => {
  it("doubles from the base and stops at the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(n, 1_000, 60_000))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(backoffMs(10_000, 1_000, 60_000)).toBe(60_000);
  });
});

describe("refreshDueAt", () => {
  const timing = { nextRefreshAt: 0, lastRefreshAt: NOW };
  it("never reads without a vault, nor when nothing needs a newer snapshot", () => {
    expect(refreshDueAt(credit.markStale(credit.emptyState()), false, timing)).toBeNull();
    expect(refreshDueAt(credit.emptyState(), true, timing)).toBeNull();
  });

  it("reads a stale snapshot soon (rate-limited) and after any backoff", () => {
    const stale = credit.markStale(credit.emptyState());
    expect(refreshDueAt(stale, true, timing)).toBe(NOW + MIN_REFRESH_INTERVAL_MS);
    expect(refreshDueAt(stale, true, { nextRefreshAt: NOW + 9_000, lastRefreshAt: NOW })).toBe(NOW + 9_000);
  });

  it("polls while a pending debit waits for a newer slot", () => {
    const s = credit.applySettlement(credit.emptyState(), { batchId: "b", amount: 1n, slot: 5, applied: false }).state;
    expect(refreshDueAt(s, true, timing)).toBe(NOW + DEBIT_POLL_MS);
  });
});

describe("nextAlarmAt", () => {
  it("is null for an idle wallet", () => {
    expect(nextAlarmAt({ state: credit.emptyState(), now: NOW, ...idle })).toBeNull();
  });

  it("is the earliest due moment, never in the past", () => {
    const s = credit.reserve(
      credit.observeSnapshot(credit.emptyState(), { amount: 10n, slot: 1, fetchEpoch: 0, fetchedAt: 0 }).state,
      {
        requestId: "r",
        amount: 1n,
        now: NOW,
        keyValid: true,
        finished: undefined,
      },
    ).state;
    expect(nextAlarmAt({ state: s, now: NOW, ...idle })).toBe(NOW + 30_000);
    // Ledger rows are batched for a moment; anything overdue runs now.
    expect(nextAlarmAt({ state: s, now: NOW, ...idle, outboxDueAt: NOW })).toBe(NOW + OUTBOX_BATCH_DELAY_MS);
    expect(nextAlarmAt({ state: s, now: NOW, ...idle, outboxDueAt: NOW - 60_000 })).toBe(NOW);
    expect(nextAlarmAt({ state: s, now: NOW, ...idle, refreshDueAt: NOW + 1_000 })).toBe(NOW + 1_000);
    expect(nextAlarmAt({ state: credit.emptyState(), now: NOW, ...idle, oldestFinishedAt: NOW - 10 })).toBe(
      NOW - 10 + DEDUPE_WINDOW_MS + PURGE_SLACK_MS,
    );
  });

  it("wakes up when an unreported withdrawal lapses", () => {
    const s = credit.startWithdrawal(
      credit.observeSnapshot(credit.emptyState(), { amount: 10n, slot: 1, fetchEpoch: 0, fetchedAt: 0 }).state,
      { withdrawalId: "w", amount: 5n, expiresAt: NOW + 60_000, now: NOW, known: false },
    ).state;
    expect(nextAlarmAt({ state: s, now: NOW, ...idle })).toBe(NOW + 60_000 + credit.WITHDRAWAL_LAPSE_GRACE_MS);
  });
});

describe("snapshotIsOld", () => {
  it("is old when never read or read 30 s ago", () => {
    expect(snapshotIsOld(credit.emptyState(), NOW)).toBe(true);
    const s = credit.observeSnapshot(credit.emptyState(), { amount: 1n, slot: 1, fetchEpoch: 0, fetchedAt: NOW }).state;
    expect(snapshotIsOld(s, NOW + 29_999)).toBe(false);
    expect(snapshotIsOld(s, NOW + 30_000)).toBe(true);
  });
});
