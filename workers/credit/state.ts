/**
 * The wallet-credit state machine: pure, deterministic transitions over one buyer wallet's money.
 * The WalletDO (durable-objects/wallet.ts) loads this state from SQLite, applies one transition and
 * persists the difference, all in one synchronous storage transaction.
 *
 * The one invariant: `available` is never overstated. Every on-chain decrease of the vault
 * (settlement collection, withdrawal) is tracked here as a pending debit from the moment it may
 * happen until a chain snapshot provably reflects it, so a stale or lagging snapshot can only
 * understate. See docs/decisions/006-wallet-credit-model.md.
 *
 * Lookups that would need unbounded history (request ids finished in the last 24 h, settlement
 * batches applied) are not part of the state: the caller looks them up and passes the answer in.
 */
import type { ConfirmResult, RefundResult, ReserveResult, WithdrawalStart } from "./interface.ts";

/** An unconfirmed reservation is refunded this long after it was made (DESIGN §2). */
export const RESERVATION_TTL_MS = 30_000;
/**
 * A withdrawal nobody reported keeps its pending debit this long past its blockhash expiry before
 * it lapses (covers a caller whose expiry estimate was a little early).
 */
export const WITHDRAWAL_LAPSE_GRACE_MS = 60_000;

export interface Reservation {
  amount: bigint;
  /** Epoch ms; at or after it, the reservation is refunded. */
  expiresAt: number;
}

/** A settlement collection that landed at `slot` but that the snapshot may not show yet. */
export interface SettlementDebit {
  amount: bigint;
  slot: number;
}

/**
 * A withdrawal the platform co-signed. Its amount is a pending debit in every phase:
 * - in_flight: it may land until `expiresAt` (its blockhash expiry); new reservations wait (cooldown);
 * - landed: it landed at `slot`; cleared by a snapshot at slot ≥ `slot`;
 * - expired: it can never land; cleared by a snapshot whose fetch began at epoch ≥ `clearsAtEpoch`.
 */
export type Withdrawal =
  | { amount: bigint; phase: "in_flight"; expiresAt: number }
  | { amount: bigint; phase: "landed"; slot: number }
  | { amount: bigint; phase: "expired"; clearsAtEpoch: number };

export interface ChainSnapshot {
  /** The vault's token balance at `slot` (0 before the first snapshot or without a vault). */
  amount: bigint;
  slot: number | null;
  /** Epoch ms when the fetch that produced this snapshot began; for the refresh policy only. */
  fetchedAt: number | null;
  /**
   * Observation epoch: bumped by every event that needs "a snapshot fetched after this" (invalidate,
   * withdrawal expiry). A fetch records the epoch when it begins; clock-free ordering.
   */
  epoch: number;
  /** A refresh is wanted (deposit reported, snapshot old). Cleared by a fetch begun at epoch ≥ `staleUntilEpoch`. */
  stale: boolean;
  staleUntilEpoch: number;
}

export interface CreditState {
  chain: ChainSnapshot;
  /** Confirmed charges not yet collected by settlement. */
  unsettled: bigint;
  reservations: ReadonlyMap<string, Reservation>;
  holds: ReadonlyMap<string, bigint>;
  /** Pending debits of settlement collections, by batch id. */
  settlements: ReadonlyMap<string, SettlementDebit>;
  /** Withdrawals not yet reflected by a snapshot, by withdrawal id. */
  withdrawals: ReadonlyMap<string, Withdrawal>;
  /** Skim/abuse flag reason; a flagged wallet gets no new reservations, holds or withdrawals. */
  flagged: string | null;
}

/** How a request id ended, as remembered for deduplication. */
export type FinishedOutcome = "confirmed" | "refunded" | "expired";

export interface Step<R> {
  state: CreditState;
  result: R;
}

/** The split a charge must carry: `charge = sellerPayout + platformFee`, charge ≥ 1. */
export interface ChargeSplit {
  charge: bigint;
  sellerPayout: bigint;
  platformFee: bigint;
}

export function emptyState(): CreditState {
  return {
    chain: { amount: 0n, slot: null, fetchedAt: null, epoch: 0, stale: false, staleUntilEpoch: 0 },
    unsettled: 0n,
    reservations: new Map(),
    holds: new Map(),
    settlements: new Map(),
    withdrawals: new Map(),
    flagged: null,
  };
}

function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

export function reservedTotal(s: CreditState): bigint {
  return sum(Array.from(s.reservations.values(), (r) => r.amount));
}

export function heldTotal(s: CreditState): bigint {
  return sum(s.holds.values());
}

/** Settlement collections and withdrawals the snapshot may not reflect yet. */
export function pendingDebitsTotal(s: CreditState): bigint {
  return (
    sum(Array.from(s.settlements.values(), (d) => d.amount)) + sum(Array.from(s.withdrawals.values(), (w) => w.amount))
  );
}

/** `chain − unsettled − reserved − held − pending debits`, floored at 0. */
export function available(s: CreditState): bigint {
  const a = s.chain.amount - s.unsettled - reservedTotal(s) - heldTotal(s) - pendingDebitsTotal(s);
  return a > 0n ? a : 0n;
}

/** Until when new reservations are refused (the latest in-flight withdrawal's expiry), or null. */
export function cooldownUntil(s: CreditState, now: number): number | null {
  let until: number | null = null;
  for (const w of s.withdrawals.values()) {
    if (w.phase === "in_flight" && w.expiresAt > now && (until === null || w.expiresAt > until)) until = w.expiresAt;
  }
  return until;
}

function assertPositive(name: string, amount: bigint): void {
  if (amount <= 0n) throw new RangeError(`${name} must be > 0, got ${amount}`);
}

/** Throws on a malformed split: that is a caller bug, not a business outcome. */
export function assertChargeSplit(split: ChargeSplit): void {
  if (split.charge < 1n) throw new RangeError("a successful call is never metered at zero: charge must be ≥ 1");
  if (split.sellerPayout < 0n || split.platformFee < 0n) throw new RangeError("payout and fee must be ≥ 0");
  if (split.sellerPayout + split.platformFee !== split.charge) {
    throw new RangeError("charge must equal sellerPayout + platformFee exactly");
  }
}

function withMap<K, V>(map: ReadonlyMap<K, V>, key: K, value: V | undefined): Map<K, V> {
  const next = new Map(map);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}

function retryAfterSeconds(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

export interface ReserveInput {
  requestId: string;
  amount: bigint;
  now: number;
  ttlMs?: number;
  /** The API key hashed to a registered, unrevoked key of this wallet. */
  keyValid: boolean;
  /** How this request id ended, if it did within the dedupe window. */
  finished: FinishedOutcome | undefined;
}

/** Checks in order: key → flag → cooldown → duplicate → available ≥ amount. */
export function reserve(s: CreditState, input: ReserveInput): Step<ReserveResult> {
  assertPositive("amount", input.amount);
  if (!input.keyValid) return { state: s, result: { ok: false, reason: "unauthorized" } };
  if (s.flagged !== null) return { state: s, result: { ok: false, reason: "flagged" } };
  const until = cooldownUntil(s, input.now);
  if (until !== null) {
    return { state: s, result: { ok: false, reason: "cooldown", retryAfter: retryAfterSeconds(until, input.now) } };
  }
  if (s.reservations.has(input.requestId) || input.finished !== undefined) {
    return { state: s, result: { ok: false, reason: "duplicate_request" } };
  }
  const before = available(s);
  if (before < input.amount)
    return { state: s, result: { ok: false, reason: "insufficient_credit", available: before } };
  const expiresAt = input.now + (input.ttlMs ?? RESERVATION_TTL_MS);
  const state = {
    ...s,
    reservations: withMap(s.reservations, input.requestId, { amount: input.amount, expiresAt }),
  };
  return {
    state,
    result: { ok: true, requestId: input.requestId, amount: input.amount, expiresAt, available: available(state) },
  };
}

export interface ConfirmInput extends ChargeSplit {
  requestId: string;
  finished: FinishedOutcome | undefined;
}

/**
 * Books `charge` (≤ the reservation) as unsettled and releases the rest. A confirm that arrives
 * after its reservation expired (a slow upstream) is still booked when `available` covers it, so a
 * served call is not free; otherwise it is refused as unknown.
 */
export function confirm(s: CreditState, input: ConfirmInput): Step<ConfirmResult> {
  assertChargeSplit(input);
  const reservation = s.reservations.get(input.requestId);
  if (!reservation) {
    if (input.finished === "confirmed") return { state: s, result: { ok: false, reason: "already_confirmed" } };
    if (input.finished === "expired" && input.charge <= available(s)) {
      return {
        state: { ...s, unsettled: s.unsettled + input.charge },
        result: { ok: true, charge: input.charge, released: 0n },
      };
    }
    return { state: s, result: { ok: false, reason: "unknown_request" } };
  }
  if (input.charge > reservation.amount) {
    return { state: s, result: { ok: false, reason: "charge_exceeds_reservation" } };
  }
  return {
    state: {
      ...s,
      unsettled: s.unsettled + input.charge,
      reservations: withMap(s.reservations, input.requestId, undefined),
    },
    result: { ok: true, charge: input.charge, released: reservation.amount - input.charge },
  };
}

/** Releases an open reservation. Refunding a request that already ended without a charge is a no-op. */
export function refund(
  s: CreditState,
  input: { requestId: string; finished: FinishedOutcome | undefined },
): Step<RefundResult> {
  const reservation = s.reservations.get(input.requestId);
  if (!reservation) {
    if (input.finished === "confirmed") return { state: s, result: { ok: false, reason: "already_confirmed" } };
    if (input.finished !== undefined) return { state: s, result: { ok: true, released: 0n } };
    return { state: s, result: { ok: false, reason: "unknown_request" } };
  }
  return {
    state: { ...s, reservations: withMap(s.reservations, input.requestId, undefined) },
    result: { ok: true, released: reservation.amount },
  };
}

/**
 * Time passes: reservations past their deadline are refunded (expire = refund), and in-flight
 * withdrawals past expiry + grace lapse (their debit then waits for a snapshot fetched after now).
 */
export function tick(s: CreditState, now: number): Step<{ expired: string[]; lapsed: string[] }> {
  const expired = [...s.reservations].filter(([, r]) => r.expiresAt <= now).map(([id]) => id);
  const lapsed = [...s.withdrawals]
    .filter(([, w]) => w.phase === "in_flight" && w.expiresAt + WITHDRAWAL_LAPSE_GRACE_MS <= now)
    .map(([id]) => id);
  if (expired.length === 0 && lapsed.length === 0) return { state: s, result: { expired, lapsed } };
  const reservations = new Map(s.reservations);
  for (const id of expired) reservations.delete(id);
  let state: CreditState = { ...s, reservations };
  if (lapsed.length > 0) {
    const epoch = s.chain.epoch + 1;
    const withdrawals = new Map(s.withdrawals);
    for (const id of lapsed) {
      const w = s.withdrawals.get(id)!;
      withdrawals.set(id, { amount: w.amount, phase: "expired", clearsAtEpoch: epoch });
    }
    state = { ...state, chain: { ...s.chain, epoch }, withdrawals };
  }
  return { state, result: { expired, lapsed } };
}

export type HoldRefusal = "insufficient_credit" | "duplicate_hold" | "flagged" | "cooldown";

export function hold(
  s: CreditState,
  input: { holdId: string; amount: bigint; now: number; finished: boolean },
): Step<{ ok: true; available: bigint } | { ok: false; reason: HoldRefusal; available?: bigint }> {
  assertPositive("amount", input.amount);
  if (s.flagged !== null) return { state: s, result: { ok: false, reason: "flagged" } };
  if (cooldownUntil(s, input.now) !== null) return { state: s, result: { ok: false, reason: "cooldown" } };
  if (s.holds.has(input.holdId) || input.finished) return { state: s, result: { ok: false, reason: "duplicate_hold" } };
  const before = available(s);
  if (before < input.amount)
    return { state: s, result: { ok: false, reason: "insufficient_credit", available: before } };
  const state = { ...s, holds: withMap(s.holds, input.holdId, input.amount) };
  return { state, result: { ok: true, available: available(state) } };
}

export type ReleaseResult =
  | { ok: true; released: bigint; captured: bigint }
  | { ok: false; reason: "unknown_hold" | "charge_exceeds_hold" | "duplicate_request" };

/** Ends a hold: all of it back to available, or `capture.charge` of it booked as unsettled. */
export function release(
  s: CreditState,
  input: {
    holdId: string;
    capture?: ChargeSplit & { requestId: string; finished: FinishedOutcome | undefined };
  },
): Step<ReleaseResult> {
  const amount = s.holds.get(input.holdId);
  if (amount === undefined) return { state: s, result: { ok: false, reason: "unknown_hold" } };
  const holds = withMap(s.holds, input.holdId, undefined);
  const capture = input.capture;
  if (!capture) return { state: { ...s, holds }, result: { ok: true, released: amount, captured: 0n } };
  assertChargeSplit(capture);
  if (capture.charge > amount) return { state: s, result: { ok: false, reason: "charge_exceeds_hold" } };
  if (s.reservations.has(capture.requestId) || capture.finished !== undefined) {
    return { state: s, result: { ok: false, reason: "duplicate_request" } };
  }
  return {
    state: { ...s, holds, unsettled: s.unsettled + capture.charge },
    result: { ok: true, released: amount - capture.charge, captured: capture.charge },
  };
}

/** A deposit was reported, or the snapshot is old: the next refresh must begin after this. */
export function markStale(s: CreditState): CreditState {
  const epoch = s.chain.epoch + 1;
  return { ...s, chain: { ...s.chain, epoch, stale: true, staleUntilEpoch: epoch } };
}

/** The vault changed (or was set): forget the old balance (0 understates) and want a refresh. */
export function resetChain(s: CreditState): CreditState {
  return markStale({ ...s, chain: { ...s.chain, amount: 0n, slot: null, fetchedAt: null } });
}

export interface SnapshotInput {
  amount: bigint;
  slot: number;
  /** `chain.epoch` read when the fetch began. */
  fetchEpoch: number;
  /** Epoch ms when the fetch began. */
  fetchedAt: number;
}

/**
 * A vault balance read at `slot`. Older than the current snapshot → ignored. Otherwise it replaces
 * the snapshot and clears every pending debit it provably reflects: settlements and landed
 * withdrawals at slot ≤ its slot, expired withdrawals whose clearing epoch the fetch began in.
 */
export function observeSnapshot(s: CreditState, input: SnapshotInput): Step<{ accepted: boolean }> {
  if (input.amount < 0n) throw new RangeError("a token balance is never negative");
  if (s.chain.slot !== null && input.slot < s.chain.slot) return { state: s, result: { accepted: false } };
  const settlements = new Map([...s.settlements].filter(([, d]) => d.slot > input.slot));
  const withdrawals = new Map(
    [...s.withdrawals].filter(([, w]) => {
      if (w.phase === "landed") return w.slot > input.slot;
      if (w.phase === "expired") return w.clearsAtEpoch > input.fetchEpoch;
      return true;
    }),
  );
  const stillStale = s.chain.stale && input.fetchEpoch < s.chain.staleUntilEpoch;
  return {
    state: {
      ...s,
      chain: { ...s.chain, amount: input.amount, slot: input.slot, fetchedAt: input.fetchedAt, stale: stillStale },
      settlements,
      withdrawals,
    },
    result: { accepted: true },
  };
}

/**
 * Settlement collected `amount` from the vault in a transaction that landed at `slot`: unsettled
 * shrinks now, and the same amount stays a pending debit until a snapshot at slot ≥ `slot` shows
 * the vault without it. Idempotent per batch (`applied`: the batch was applied before).
 */
export function applySettlement(
  s: CreditState,
  input: { batchId: string; amount: bigint; slot: number; applied: boolean },
): Step<{ applied: boolean }> {
  if (input.amount < 0n) throw new RangeError("a settlement amount is never negative");
  if (input.applied || s.settlements.has(input.batchId)) return { state: s, result: { applied: false } };
  const unsettled = s.unsettled > input.amount ? s.unsettled - input.amount : 0n;
  const reflected = s.chain.slot !== null && s.chain.slot >= input.slot;
  const settlements = reflected
    ? s.settlements
    : withMap(s.settlements, input.batchId, { amount: input.amount, slot: input.slot });
  return { state: { ...s, unsettled, settlements }, result: { applied: true } };
}

/**
 * The gateway is about to co-sign a withdrawal: refused if flagged, while another one is in
 * flight, or above available. The amount is a pending debit from now on, and new reservations
 * wait until it lands or `expiresAt` (its blockhash expiry). Repeating the same start is a no-op.
 */
export function startWithdrawal(
  s: CreditState,
  input: { withdrawalId: string; amount: bigint; expiresAt: number; now: number; known: boolean },
): Step<WithdrawalStart> {
  assertPositive("amount", input.amount);
  if (input.expiresAt <= input.now) throw new RangeError("a withdrawal's expiry must be in the future");
  const refuse = (reason: "insufficient_credit" | "cooldown" | "flagged") => ({
    state: s,
    result: { ok: false as const, reason, available: available(s) },
  });
  if (s.flagged !== null) return refuse("flagged");
  const existing = s.withdrawals.get(input.withdrawalId);
  if (existing?.phase === "in_flight" && existing.amount === input.amount && existing.expiresAt > input.now) {
    return { state: s, result: { ok: true, available: available(s), cooldownUntil: existing.expiresAt } };
  }
  // Another withdrawal in flight, or this id was used before: never co-sign twice.
  if (cooldownUntil(s, input.now) !== null || existing || input.known) return refuse("cooldown");
  if (available(s) < input.amount) return refuse("insufficient_credit");
  const state = {
    ...s,
    withdrawals: withMap(s.withdrawals, input.withdrawalId, {
      amount: input.amount,
      phase: "in_flight",
      expiresAt: input.expiresAt,
    }),
  };
  return { state, result: { ok: true, available: available(state), cooldownUntil: input.expiresAt } };
}

/** The withdrawal landed at `landedSlot`, or its blockhash expired so it never will. Unknown ids are ignored. */
export function finishWithdrawal(
  s: CreditState,
  input: { withdrawalId: string; outcome: { landedSlot: number } | { expired: true } },
): CreditState {
  const w = s.withdrawals.get(input.withdrawalId);
  if (!w) return s;
  if ("landedSlot" in input.outcome) {
    const slot = input.outcome.landedSlot;
    const reflected = s.chain.slot !== null && s.chain.slot >= slot;
    return {
      ...s,
      withdrawals: withMap(
        s.withdrawals,
        input.withdrawalId,
        reflected ? undefined : { amount: w.amount, phase: "landed", slot },
      ),
    };
  }
  if (w.phase === "landed") return s;
  const epoch = s.chain.epoch + 1;
  return {
    ...s,
    chain: { ...s.chain, epoch },
    withdrawals: withMap(s.withdrawals, input.withdrawalId, {
      amount: w.amount,
      phase: "expired",
      clearsAtEpoch: epoch,
    }),
  };
}

export function flag(s: CreditState, reason: string): CreditState {
  return s.flagged !== null ? s : { ...s, flagged: reason };
}
