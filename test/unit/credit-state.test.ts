/** Example-based tests of each rule of the credit state machine; the properties live in credit-properties.test.ts. */
import { describe, expect, it } from "vitest";
import type { CreditState } from "../../workers/credit/state.ts";
import * as credit from "../../workers/credit/state.ts";

const NOW = 1_000_000;

function funded(amount: bigint, slot = 10): CreditState {
  return credit.observeSnapshot(credit.emptyState(), { amount, slot, fetchEpoch: 0, fetchedAt: NOW }).state;
}

function reserveOk(s: CreditState, requestId: string, amount: bigint, now = NOW): CreditState {
  const step = credit.reserve(s, { requestId, amount, now, keyValid: true, finished: undefined });
  expect(step.result.ok).toBe(true);
  return step.state;
}

const split = (charge: bigint) => ({ charge, sellerPayout: charge - charge / 10n, platformFee: charge / 10n });

describe("reserve", () => {
  it("checks key → flag → cooldown → duplicate → available, in that order", () => {
    let s = reserveOk(funded(100n), "dup", 10n);
    s = credit.startWithdrawal(s, {
      withdrawalId: "w",
      amount: 1n,
      expiresAt: NOW + 5_000,
      now: NOW,
      known: false,
    }).state;
    s = credit.flag(s, "skim");
    const r = (keyValid: boolean, state: CreditState) =>
      credit.reserve(state, { requestId: "dup", amount: 1_000n, now: NOW, keyValid, finished: undefined }).result;
    expect(r(false, s)).toEqual({ ok: false, reason: "unauthorized" });
    expect(r(true, s)).toEqual({ ok: false, reason: "flagged" });
    s = { ...s, flagged: null };
    expect(r(true, s)).toEqual({ ok: false, reason: "cooldown", retryAfter: 5 });
    s = credit.finishWithdrawal(s, { withdrawalId: "w", outcome: { landedSlot: 5 } });
    expect(r(true, s)).toEqual({ ok: false, reason: "duplicate_request" });
    expect(
      credit.reserve(s, { requestId: "new", amount: 1_000n, now: NOW, keyValid: true, finished: undefined }).result,
    ).toEqual({ ok: false, reason: "insufficient_credit", available: 90n });
  });

  it("refuses a request id that already finished (confirmed, refunded or expired)", () => {
    for (const finished of ["confirmed", "refunded", "expired"] as const) {
      const r = credit.reserve(funded(100n), { requestId: "x", amount: 1n, now: NOW, keyValid: true, finished });
      expect(r.result).toEqual({ ok: false, reason: "duplicate_request" });
    }
  });

  it("admits exactly up to available and reports what is left", () => {
    const r = credit.reserve(funded(50n), {
      requestId: "a",
      amount: 50n,
      now: NOW,
      keyValid: true,
      finished: undefined,
    });
    expect(r.result).toEqual({ ok: true, requestId: "a", amount: 50n, expiresAt: NOW + 30_000, available: 0n });
    expect(credit.available(r.state)).toBe(0n);
  });

  it("throws on a non-positive amount (a caller bug)", () => {
    expect(() =>
      credit.reserve(funded(1n), { requestId: "a", amount: 0n, now: NOW, keyValid: true, finished: undefined }),
    ).toThrow(RangeError);
  });
});

describe("confirm / refund / expire", () => {
  it("books the charge, releases the rest, and refuses more than was reserved", () => {
    const s = reserveOk(funded(100n), "a", 40n);
    expect(credit.confirm(s, { requestId: "a", ...split(41n), finished: undefined }).result).toEqual({
      ok: false,
      reason: "charge_exceeds_reservation",
    });
    const done = credit.confirm(s, { requestId: "a", ...split(30n), finished: undefined });
    expect(done.result).toEqual({ ok: true, charge: 30n, released: 10n });
    expect(done.state.unsettled).toBe(30n);
    expect(credit.available(done.state)).toBe(70n);
    expect(credit.confirm(done.state, { requestId: "a", ...split(1n), finished: "confirmed" }).result).toEqual({
      ok: false,
      reason: "already_confirmed",
    });
    expect(credit.confirm(done.state, { requestId: "zz", ...split(1n), finished: undefined }).result).toEqual({
      ok: false,
      reason: "unknown_request",
    });
  });

  it("never meters a call at zero and insists on charge = payout + fee", () => {
    const s = reserveOk(funded(100n), "a", 40n);
    const confirm = (charge: bigint, sellerPayout: bigint, platformFee: bigint) => () =>
      credit.confirm(s, { requestId: "a", charge, sellerPayout, platformFee, finished: undefined });
    expect(confirm(0n, 0n, 0n)).toThrow(/never metered at zero/);
    expect(confirm(10n, 9n, 2n)).toThrow(/exactly/);
    expect(confirm(10n, 11n, -1n)).toThrow(/≥ 0/);
  });

  it("books a late confirm (after expiry) only when available covers it", () => {
    let s = reserveOk(funded(100n), "late", 60n);
    s = credit.tick(s, NOW + 30_000).state;
    expect(s.reservations.size).toBe(0);
    const other = reserveOk(s, "other", 50n, NOW + 30_000);
    expect(credit.confirm(other, { requestId: "late", ...split(60n), finished: "expired" }).result).toEqual({
      ok: false,
      reason: "unknown_request",
    });
    const booked = credit.confirm(s, { requestId: "late", ...split(60n), finished: "expired" });
    expect(booked.result).toEqual({ ok: true, charge: 60n, released: 0n });
    expect(credit.available(booked.state)).toBe(40n);
  });

  it("refund releases everything; repeating it is a no-op; a confirmed request cannot be refunded", () => {
    const s = reserveOk(funded(100n), "a", 40n);
    const r = credit.refund(s, { requestId: "a", finished: undefined });
    expect(r.result).toEqual({ ok: true, released: 40n });
    expect(credit.available(r.state)).toBe(100n);
    expect(credit.refund(r.state, { requestId: "a", finished: "refunded" }).result).toEqual({ ok: true, released: 0n });
    expect(credit.refund(r.state, { requestId: "a", finished: "confirmed" }).result).toEqual({
      ok: false,
      reason: "already_confirmed",
    });
    expect(credit.refund(r.state, { requestId: "b", finished: undefined }).result).toEqual({
      ok: false,
      reason: "unknown_request",
    });
  });

  it("expires a reservation exactly at its deadline", () => {
    const s = reserveOk(funded(100n), "a", 40n);
    expect(credit.tick(s, NOW + 29_999).result.expired).toEqual([]);
    const t = credit.tick(s, NOW + 30_000);
    expect(t.result.expired).toEqual(["a"]);
    expect(credit.available(t.state)).toBe(100n);
    expect(credit.tick(t.state, NOW + 40_000).state).toBe(t.state);
  });
});

describe("chain snapshots and pending debits", () => {
  it("ignores a snapshot older than the current one", () => {
    const s = funded(100n, 10);
    const r = credit.observeSnapshot(s, { amount: 1_000n, slot: 9, fetchEpoch: 0, fetchedAt: NOW });
    expect(r.result.accepted).toBe(false);
    expect(r.state.chain.amount).toBe(100n);
  });

  it("keeps a settlement as a pending debit until a snapshot at its slot shows it", () => {
    let s = reserveOk(funded(100n, 10), "a", 40n);
    s = credit.confirm(s, { requestId: "a", ...split(40n), finished: undefined }).state;
    expect(credit.available(s)).toBe(60n);
    // Collected on chain at slot 20: the vault is 60 now, but the snapshot still says 100.
    const applied = credit.applySettlement(s, { batchId: "b1", amount: 40n, slot: 20, applied: false });
    expect(applied.result.applied).toBe(true);
    s = applied.state;
    expect(s.unsettled).toBe(0n);
    expect(credit.available(s)).toBe(60n);
    // A lagging read at slot 19 still shows 100: the debit stays.
    s = credit.observeSnapshot(s, { amount: 100n, slot: 19, fetchEpoch: 0, fetchedAt: NOW }).state;
    expect(credit.available(s)).toBe(60n);
    expect(s.settlements.size).toBe(1);
    s = credit.observeSnapshot(s, { amount: 60n, slot: 20, fetchEpoch: 0, fetchedAt: NOW }).state;
    expect(s.settlements.size).toBe(0);
    expect(credit.available(s)).toBe(60n);
    expect(credit.applySettlement(s, { batchId: "b1", amount: 40n, slot: 20, applied: true }).result.applied).toBe(
      false,
    );
  });

  it("needs no debit for a settlement the snapshot already reflects", () => {
    const s = { ...funded(60n, 30), unsettled: 40n };
    const r = credit.applySettlement(s, { batchId: "b", amount: 40n, slot: 25, applied: false });
    expect(r.state.settlements.size).toBe(0);
    expect(credit.available(r.state)).toBe(60n);
  });

  it("a stale mark is cleared only by a read that began after it", () => {
    const s = funded(100n);
    const epochBefore = s.chain.epoch;
    const stale = credit.markStale(s);
    expect(stale.chain.stale).toBe(true);
    const early = credit.observeSnapshot(stale, { amount: 100n, slot: 11, fetchEpoch: epochBefore, fetchedAt: NOW });
    expect(early.state.chain.stale).toBe(true);
    const late = credit.observeSnapshot(stale, {
      amount: 150n,
      slot: 12,
      fetchEpoch: stale.chain.epoch,
      fetchedAt: NOW,
    });
    expect(late.state.chain.stale).toBe(false);
    expect(credit.available(late.state)).toBe(150n);
  });

  it("resetChain forgets the old vault's balance (understates until the new vault is read)", () => {
    const s = credit.resetChain(funded(100n));
    expect(s.chain).toMatchObject({ amount: 0n, slot: null, stale: true });
    expect(credit.available(s)).toBe(0n);
  });
});

describe("withdrawals", () => {
  const start = (s: CreditState, id: string, amount: bigint, known = false) =>
    credit.startWithdrawal(s, { withdrawalId: id, amount, expiresAt: NOW + 60_000, now: NOW, known });

  it("refuses above available, while another is in flight, when flagged, or for a used id", () => {
    const s = funded(100n);
    expect(start(s, "w", 101n).result).toEqual({ ok: false, reason: "insufficient_credit", available: 100n });
    const started = start(s, "w", 70n);
    expect(started.result).toEqual({ ok: true, available: 30n, cooldownUntil: NOW + 60_000 });
    expect(start(started.state, "w", 70n).result).toEqual(started.result);
    expect(start(started.state, "w2", 10n).result).toMatchObject({ ok: false, reason: "cooldown" });
    expect(start(credit.flag(s, "x"), "w", 1n).result).toMatchObject({ ok: false, reason: "flagged" });
    expect(start(s, "old", 1n, true).result).toMatchObject({ ok: false, reason: "cooldown" });
  });

  it("blocks reservations and holds during the cooldown, and lets them through after it", () => {
    const s = start(funded(100n), "w", 70n).state;
    expect(
      credit.reserve(s, { requestId: "a", amount: 1n, now: NOW + 59_999, keyValid: true, finished: undefined }).result,
    ).toMatchObject({ ok: false, reason: "cooldown" });
    expect(credit.hold(s, { holdId: "h", amount: 1n, now: NOW, finished: false }).result).toMatchObject({
      reason: "cooldown",
    });
    // Past its blockhash expiry the cooldown ends, but the amount still counts until a snapshot settles it.
    const after = credit.reserve(s, {
      requestId: "a",
      amount: 30n,
      now: NOW + 60_000,
      keyValid: true,
      finished: undefined,
    });
    expect(after.result).toMatchObject({ ok: true, available: 0n });
  });

  it("a landed withdrawal stays a debit until a snapshot at its slot", () => {
    let s = start(funded(100n, 10), "w", 70n).state;
    s = credit.finishWithdrawal(s, { withdrawalId: "w", outcome: { landedSlot: 15 } });
    expect(credit.cooldownUntil(s, NOW)).toBeNull();
    expect(credit.available(s)).toBe(30n);
    s = credit.observeSnapshot(s, { amount: 100n, slot: 14, fetchEpoch: s.chain.epoch, fetchedAt: NOW }).state;
    expect(credit.available(s)).toBe(30n);
    s = credit.observeSnapshot(s, { amount: 30n, slot: 15, fetchEpoch: s.chain.epoch, fetchedAt: NOW }).state;
    expect(s.withdrawals.size).toBe(0);
    expect(credit.available(s)).toBe(30n);
  });

  it("an expired withdrawal stays a debit until a read that began after the expiry", () => {
    let s = start(funded(100n, 10), "w", 70n).state;
    const epochBefore = s.chain.epoch;
    s = credit.finishWithdrawal(s, { withdrawalId: "w", outcome: { expired: true } });
    s = credit.observeSnapshot(s, { amount: 100n, slot: 20, fetchEpoch: epochBefore, fetchedAt: NOW }).state;
    expect(credit.available(s)).toBe(30n);
    s = credit.observeSnapshot(s, { amount: 100n, slot: 21, fetchEpoch: s.chain.epoch, fetchedAt: NOW }).state;
    expect(credit.available(s)).toBe(100n);
  });

  it("an unreported withdrawal lapses after expiry + grace, still guarded against reads begun before", () => {
    let s = start(funded(100n, 10), "w", 70n).state;
    const epochBefore = s.chain.epoch;
    // It actually landed at slot 12 and nobody reported it. Lapse:
    const lapseAt = NOW + 60_000 + credit.WITHDRAWAL_LAPSE_GRACE_MS;
    expect(credit.tick(s, lapseAt - 1).result.lapsed).toEqual([]);
    const t = credit.tick(s, lapseAt);
    expect(t.result.lapsed).toEqual(["w"]);
    s = t.state;
    // A read that began before the lapse answers at slot 11, before the landing: the debit must stay.
    s = credit.observeSnapshot(s, { amount: 100n, slot: 11, fetchEpoch: epochBefore, fetchedAt: NOW }).state;
    expect(credit.available(s)).toBe(30n);
    // A read begun after the lapse sees the landing.
    s = credit.observeSnapshot(s, { amount: 30n, slot: 13, fetchEpoch: s.chain.epoch, fetchedAt: lapseAt }).state;
    expect(s.withdrawals.size).toBe(0);
    expect(credit.available(s)).toBe(30n);
  });
});

describe("holds", () => {
  it("holds, releases, captures (booking part of it), and refuses duplicates", () => {
    const s = funded(100n);
    const h = credit.hold(s, { holdId: "h", amount: 60n, now: NOW, finished: false });
    expect(h.result).toEqual({ ok: true, available: 40n });
    expect(credit.hold(h.state, { holdId: "h", amount: 1n, now: NOW, finished: false }).result).toMatchObject({
      reason: "duplicate_hold",
    });
    expect(credit.hold(s, { holdId: "h", amount: 1n, now: NOW, finished: true }).result).toMatchObject({
      reason: "duplicate_hold",
    });
    expect(credit.hold(h.state, { holdId: "h2", amount: 41n, now: NOW, finished: false }).result).toEqual({
      ok: false,
      reason: "insufficient_credit",
      available: 40n,
    });
    const released = credit.release(h.state, { holdId: "h" });
    expect(released.result).toEqual({ ok: true, released: 60n, captured: 0n });
    expect(credit.available(released.state)).toBe(100n);
    const capture = { requestId: "task-1", ...split(50n), finished: undefined };
    expect(credit.release(h.state, { holdId: "h", capture: { ...capture, ...split(61n) } }).result).toEqual({
      ok: false,
      reason: "charge_exceeds_hold",
    });
    const captured = credit.release(h.state, { holdId: "h", capture });
    expect(captured.result).toEqual({ ok: true, released: 10n, captured: 50n });
    expect(captured.state.unsettled).toBe(50n);
    expect(credit.available(captured.state)).toBe(50n);
    expect(credit.release(captured.state, { holdId: "h" }).result).toEqual({ ok: false, reason: "unknown_hold" });
  });
});

describe("flag", () => {
  it("keeps the first reason and refuses new reservations, holds and withdrawals", () => {
    const s = credit.flag(credit.flag(funded(100n), "skim"), "other");
    expect(s.flagged).toBe("skim");
    expect(
      credit.reserve(s, { requestId: "a", amount: 1n, now: NOW, keyValid: true, finished: undefined }).result,
    ).toEqual({ ok: false, reason: "flagged" });
    expect(credit.hold(s, { holdId: "h", amount: 1n, now: NOW, finished: false }).result).toMatchObject({
      reason: "flagged",
    });
  });
});
