/**
 * Model-based property tests of the credit state machine against a simulated world: a vault on a
 * chain with slots, settlement collections and withdrawals that land at slots of their own, and an
 * RPC whose snapshots arrive late and out of order. For ANY sequence of operations the machine's
 * `available` must stay ≥ 0 and never exceed what the wallet could truly spend; money is conserved;
 * and once everything is resolved and a fresh snapshot arrives, `available` is exact again.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CreditState, FinishedOutcome } from "../../workers/credit/state.ts";
import * as credit from "../../workers/credit/state.ts";

type Op =
  | { t: "reserve"; amount: number; reuse: number | null }
  | { t: "confirm"; pick: number; pct: number; over: boolean }
  | { t: "refund"; pick: number }
  | { t: "time"; ms: number }
  | { t: "deposit"; amount: number }
  | { t: "collect"; pct: number }
  | { t: "report"; pick: number }
  | { t: "wStart"; amount: number; ttl: number }
  | { t: "wLand"; pick: number }
  | { t: "wFinish"; pick: number }
  | { t: "fetch" }
  | { t: "fetchBegin" }
  | { t: "fetchEnd"; pick: number; lag: number }
  | { t: "invalidate" }
  | { t: "hold"; amount: number }
  | { t: "release"; pick: number; capture: boolean; pct: number }
  | { t: "flag" };

const pick = fc.nat({ max: 1_000 });
const pct = fc.integer({ min: 0, max: 100 });

function opArb(withWithdrawals: boolean, instantFetchWeight: number): fc.Arbitrary<Op> {
  // Weighted so that runs reach the interesting states: funded vaults, open reservations,
  // unsettled charges, collections in flight and snapshots racing them.
  const ops: Array<{ arbitrary: fc.Arbitrary<Op>; weight: number }> = [
    {
      weight: 30,
      arbitrary: fc.record({
        t: fc.constant("reserve" as const),
        amount: fc.integer({ min: 1, max: 2_000 }),
        reuse: fc.option(pick, { freq: 8, nil: null }),
      }),
    },
    { weight: 25, arbitrary: fc.record({ t: fc.constant("confirm" as const), pick, pct, over: fc.boolean() }) },
    { weight: 8, arbitrary: fc.record({ t: fc.constant("refund" as const), pick }) },
    { weight: 8, arbitrary: fc.record({ t: fc.constant("time" as const), ms: fc.integer({ min: 0, max: 40_000 }) }) },
    // Long pauses: reservations expire, withdrawals lapse.
    {
      weight: 2,
      arbitrary: fc.record({ t: fc.constant("time" as const), ms: fc.integer({ min: 30_000, max: 120_000 }) }),
    },
    {
      weight: 10,
      arbitrary: fc.record({ t: fc.constant("deposit" as const), amount: fc.integer({ min: 1, max: 20_000 }) }),
    },
    { weight: 10, arbitrary: fc.record({ t: fc.constant("collect" as const), pct }) },
    { weight: 10, arbitrary: fc.record({ t: fc.constant("report" as const), pick }) },
    { weight: instantFetchWeight, arbitrary: fc.record({ t: fc.constant("fetch" as const) }) },
    { weight: 6, arbitrary: fc.record({ t: fc.constant("fetchBegin" as const) }) },
    {
      weight: 8,
      arbitrary: fc.record({ t: fc.constant("fetchEnd" as const), pick, lag: fc.nat({ max: 1_000 }) }),
    },
    { weight: 3, arbitrary: fc.record({ t: fc.constant("invalidate" as const) }) },
    {
      weight: 5,
      arbitrary: fc.record({ t: fc.constant("hold" as const), amount: fc.integer({ min: 1, max: 2_000 }) }),
    },
    {
      weight: 5,
      arbitrary: fc.record({ t: fc.constant("release" as const), pick, capture: fc.boolean(), pct }),
    },
    // Flagging ends most of the interesting behaviour, so it is rare.
    { weight: 1, arbitrary: fc.record({ t: fc.constant("flag" as const) }) },
  ];
  if (withWithdrawals) {
    ops.push(
      {
        weight: 6,
        arbitrary: fc.record({
          t: fc.constant("wStart" as const),
          amount: fc.integer({ min: 1, max: 5_000 }),
          ttl: fc.integer({ min: 1_000, max: 30_000 }),
        }),
      },
      { weight: 6, arbitrary: fc.record({ t: fc.constant("wLand" as const), pick }) },
      { weight: 6, arbitrary: fc.record({ t: fc.constant("wFinish" as const), pick }) },
    );
  }
  return fc.oneof(...ops);
}

const scenario = (withWithdrawals: boolean, instantFetchWeight = 15) =>
  fc.array(opArb(withWithdrawals, instantFetchWeight), { minLength: 10, maxLength: 150, size: "max" });

interface WorldWithdrawal {
  amount: bigint;
  expiresAt: number;
  landedSlot: number | null;
}

/** The simulated world plus the machine under test, driven the way the WalletDO drives it. */
class World {
  now = 1_000_000;
  /** balances[slot] = the vault's true balance at that slot; the last entry is current. */
  balances: bigint[] = [0n];
  s: CreditState = credit.emptyState();
  finished = new Map<string, FinishedOutcome>();
  finishedHolds = new Set<string>();
  appliedBatches = new Set<string>();
  startedWithdrawals = new Set<string>();
  /** Every request id ever reserved, to pick confirm/refund targets (open or not). */
  requestIds: string[] = [];
  /** Open reservations as the model sees them. */
  open = new Map<string, bigint>();
  holds = new Map<string, bigint>();
  holdIds: string[] = [];
  /** Confirmed charges not yet collected on chain: the truth the machine must never undercount. */
  uncollected = 0n;
  totalCharged = 0n;
  totalReported = 0n;
  collections: Array<{ batchId: string; amount: bigint; slot: number; reported: boolean }> = [];
  withdrawals = new Map<string, WorldWithdrawal>();
  withdrawalIds: string[] = [];
  fetches: Array<{ epoch: number; startSlot: number; fetchedAt: number }> = [];
  seq = 0;

  readonly laggingRpc: boolean;

  constructor(laggingRpc: boolean) {
    this.laggingRpc = laggingRpc;
  }

  get slot(): number {
    return this.balances.length - 1;
  }
  get vault(): bigint {
    return this.balances[this.slot]!;
  }

  /** The chain moves: a new slot with a new balance. */
  land(delta: bigint): number {
    this.balances.push(this.vault + delta);
    expect(this.vault >= 0n).toBe(true);
    return this.slot;
  }

  /** Every DO method first applies time (tick), like WalletDO#transact. */
  step<R>(fn: (s: CreditState) => credit.Step<R>): R {
    const ticked = credit.tick(this.s, this.now);
    for (const id of ticked.result.expired) {
      this.finished.set(id, "expired");
      this.open.delete(id);
    }
    const { state, result } = fn(ticked.state);
    this.s = state;
    return result;
  }

  /** Withdrawals that may still land: not landed, blockhash still valid. */
  landableWithdrawals(): bigint {
    let total = 0n;
    for (const w of this.withdrawals.values()) if (w.landedSlot === null && this.now < w.expiresAt) total += w.amount;
    return total;
  }

  /** What the wallet could truly spend right now. */
  trueAvailable(): bigint {
    const reserved = [...this.open.values()].reduce((a, b) => a + b, 0n);
    const held = [...this.holds.values()].reduce((a, b) => a + b, 0n);
    return this.vault - this.uncollected - reserved - held - this.landableWithdrawals();
  }

  checkInvariants(): void {
    const s = this.s;
    const a = credit.available(s);
    expect(a >= 0n).toBe(true);
    const formula = s.chain.amount - s.unsettled - credit.reservedTotal(s) - credit.heldTotal(s);
    expect(a <= formula || a === 0n).toBe(true);
    expect(a <= (formula > 0n ? formula : 0n)).toBe(true);
    // Never overstated against the truth (which also proves the truth never goes negative: no overspend).
    expect(a <= this.trueAvailable()).toBe(true);
    // Conservation: every charge is either still unsettled or was collected by a reported batch.
    expect(this.totalCharged).toBe(s.unsettled + this.totalReported);
    const unreported = this.collections.filter((c) => !c.reported).reduce((x, c) => x + c.amount, 0n);
    expect(s.unsettled).toBe(this.uncollected + unreported);
    expect(credit.reservedTotal(s)).toBe([...this.open.values()].reduce((x, y) => x + y, 0n));
    expect(credit.heldTotal(s)).toBe([...this.holds.values()].reduce((x, y) => x + y, 0n));
  }

  run(op: Op): void {
    switch (op.t) {
      case "reserve": {
        const reused = op.reuse !== null && this.requestIds.length > 0;
        const id = reused ? this.requestIds[op.reuse! % this.requestIds.length]! : `r${this.seq++}`;
        const amount = BigInt(op.amount);
        const cooling = credit.cooldownUntil(credit.tick(this.s, this.now).state, this.now) !== null;
        const r = this.step((s) =>
          credit.reserve(s, { requestId: id, amount, now: this.now, keyValid: true, finished: this.finished.get(id) }),
        );
        if (this.s.flagged !== null) expect(r).toMatchObject({ ok: false, reason: "flagged" });
        else if (cooling) expect(r).toMatchObject({ ok: false, reason: "cooldown" });
        else if (reused) expect(r).toMatchObject({ ok: false, reason: "duplicate_request" });
        if (r.ok) {
          this.requestIds.push(id);
          this.open.set(id, amount);
        }
        return;
      }
      case "confirm": {
        if (this.requestIds.length === 0) return;
        // Mostly an open reservation; sometimes any id ever used (finished, expired: dedupe, late confirm).
        const open = [...this.open.keys()];
        const id =
          open.length > 0 && op.pick % 3 !== 0
            ? open[op.pick % open.length]!
            : this.requestIds[op.pick % this.requestIds.length]!;
        const wasOpen = this.open.has(id) && credit.tick(this.s, this.now).state.reservations.has(id);
        const reserved = this.open.get(id) ?? BigInt(1 + op.pct);
        let charge = (reserved * BigInt(op.pct)) / 100n;
        if (charge < 1n) charge = 1n;
        if (op.over) charge = reserved + 1n;
        const fee = charge / 10n;
        const r = this.step((s) =>
          credit.confirm(s, {
            requestId: id,
            charge,
            sellerPayout: charge - fee,
            platformFee: fee,
            finished: this.finished.get(id),
          }),
        );
        if (r.ok) {
          this.uncollected += charge;
          this.totalCharged += charge;
          this.open.delete(id);
          this.finished.set(id, "confirmed");
        }
        if (op.over && wasOpen) expect(r).toEqual({ ok: false, reason: "charge_exceeds_reservation" });
        if (!op.over && wasOpen) expect(r).toEqual({ ok: true, charge, released: reserved - charge });
        return;
      }
      case "refund": {
        if (this.requestIds.length === 0) return;
        const id = this.requestIds[op.pick % this.requestIds.length]!;
        const r = this.step((s) => credit.refund(s, { requestId: id, finished: this.finished.get(id) }));
        if (r.ok && r.released > 0n) {
          expect(r.released).toBe(this.open.get(id));
          this.open.delete(id);
          this.finished.set(id, "refunded");
        }
        return;
      }
      case "time":
        this.now += op.ms;
        this.step((s) => ({ state: s, result: undefined }));
        return;
      case "deposit":
        this.land(BigInt(op.amount));
        return;
      case "collect": {
        const amount = (this.uncollected * BigInt(op.pct)) / 100n;
        if (amount === 0n) return;
        this.uncollected -= amount;
        const slot = this.land(-amount);
        this.collections.push({ batchId: `b${this.seq++}`, amount, slot, reported: false });
        return;
      }
      case "report": {
        if (this.collections.length === 0) return;
        const c = this.collections[op.pick % this.collections.length]!;
        const r = this.step((s) =>
          credit.applySettlement(s, {
            batchId: c.batchId,
            amount: c.amount,
            slot: c.slot,
            applied: this.appliedBatches.has(c.batchId),
          }),
        );
        expect(r.applied).toBe(!c.reported);
        if (r.applied) {
          c.reported = true;
          this.appliedBatches.add(c.batchId);
          this.totalReported += c.amount;
        }
        return;
      }
      case "wStart": {
        const id = `w${this.seq++}`;
        const amount = BigInt(op.amount);
        const expiresAt = this.now + op.ttl;
        const before = credit.available(credit.tick(this.s, this.now).state);
        const r = this.step((s) =>
          credit.startWithdrawal(s, { withdrawalId: id, amount, expiresAt, now: this.now, known: false }),
        );
        if (r.ok) {
          expect(amount <= before).toBe(true);
          this.startedWithdrawals.add(id);
          this.withdrawals.set(id, { amount, expiresAt, landedSlot: null });
          this.withdrawalIds.push(id);
        }
        return;
      }
      case "wLand": {
        if (this.withdrawalIds.length === 0) return;
        const w = this.withdrawals.get(this.withdrawalIds[op.pick % this.withdrawalIds.length]!)!;
        if (w.landedSlot !== null || this.now >= w.expiresAt) return; // blockhash expired: it can never land
        w.landedSlot = this.land(-w.amount);
        return;
      }
      case "wFinish": {
        if (this.withdrawalIds.length === 0) return;
        const id = this.withdrawalIds[op.pick % this.withdrawalIds.length]!;
        const w = this.withdrawals.get(id)!;
        if (w.landedSlot !== null) {
          const landedSlot = w.landedSlot;
          this.step((s) => ({
            state: credit.finishWithdrawal(s, { withdrawalId: id, outcome: { landedSlot } }),
            result: undefined,
          }));
        } else if (this.now >= w.expiresAt) {
          this.step((s) => ({
            state: credit.finishWithdrawal(s, { withdrawalId: id, outcome: { expired: true } }),
            result: undefined,
          }));
        }
        return;
      }
      case "fetch":
        // A read that begins and answers at once, at the current slot.
        this.step((s) =>
          credit.observeSnapshot(s, {
            amount: this.vault,
            slot: this.slot,
            fetchEpoch: s.chain.epoch,
            fetchedAt: this.now,
          }),
        );
        return;
      case "fetchBegin":
        this.step((s) => {
          this.fetches.push({ epoch: s.chain.epoch, startSlot: this.slot, fetchedAt: this.now });
          return { state: s, result: undefined };
        });
        return;
      case "fetchEnd": {
        if (this.fetches.length === 0) return;
        const [f] = this.fetches.splice(op.pick % this.fetches.length, 1);
        // An honest node answers at a slot ≥ the one current when it was asked; a lagging one, any slot.
        const low = this.laggingRpc ? 0 : f!.startSlot;
        const slot = low + (op.lag % (this.slot - low + 1));
        this.step((s) =>
          credit.observeSnapshot(s, {
            amount: this.balances[slot]!,
            slot,
            fetchEpoch: f!.epoch,
            fetchedAt: f!.fetchedAt,
          }),
        );
        return;
      }
      case "invalidate":
        this.step((s) => ({ state: credit.markStale(s), result: undefined }));
        return;
      case "hold": {
        const id = `h${this.seq++}`;
        const amount = BigInt(op.amount);
        const r = this.step((s) =>
          credit.hold(s, { holdId: id, amount, now: this.now, finished: this.finishedHolds.has(id) }),
        );
        if (r.ok) {
          this.holds.set(id, amount);
          this.holdIds.push(id);
        }
        return;
      }
      case "release": {
        if (this.holdIds.length === 0) return;
        const id = this.holdIds[op.pick % this.holdIds.length]!;
        const held = this.holds.get(id) ?? 1n;
        let charge = (held * BigInt(op.pct)) / 100n;
        if (charge < 1n) charge = 1n;
        const requestId = `c${this.seq++}`;
        const r = this.step((s) =>
          credit.release(s, {
            holdId: id,
            capture: op.capture
              ? { requestId, charge, sellerPayout: charge, platformFee: 0n, finished: undefined }
              : undefined,
          }),
        );
        if (r.ok) {
          expect(r.released + r.captured).toBe(held);
          this.holds.delete(id);
          this.finishedHolds.add(id);
          if (op.capture) {
            this.uncollected += charge;
            this.totalCharged += charge;
            this.finished.set(requestId, "confirmed");
          }
        }
        return;
      }
      case "flag":
        this.step((s) => ({ state: credit.flag(s, "skim"), result: undefined }));
        return;
    }
  }

  /** Resolve everything, then one fresh snapshot: `available` must be exact, nothing left pending. */
  settleDown(): void {
    for (const id of [...this.open.keys()]) {
      const r = this.step((s) => credit.refund(s, { requestId: id, finished: this.finished.get(id) }));
      if (r.ok && r.released > 0n) this.open.delete(id);
    }
    for (const c of this.collections.filter((x) => !x.reported)) {
      this.run({ t: "report", pick: this.collections.indexOf(c) });
    }
    for (const [id, w] of this.withdrawals) {
      if (w.landedSlot === null) this.now = Math.max(this.now, w.expiresAt);
      this.run({ t: "wFinish", pick: this.withdrawalIds.indexOf(id) });
    }
    for (const id of [...this.holds.keys()]) {
      this.step((s) => credit.release(s, { holdId: id }));
      this.holds.delete(id);
    }
    this.checkInvariants();
    const epoch = this.s.chain.epoch;
    this.step((s) =>
      credit.observeSnapshot(s, { amount: this.vault, slot: this.slot, fetchEpoch: epoch, fetchedAt: this.now }),
    );
    expect(this.s.settlements.size).toBe(0);
    expect(this.s.withdrawals.size).toBe(0);
    expect(this.s.reservations.size).toBe(0);
    expect(this.s.chain.stale).toBe(false);
    const exact = this.vault - this.uncollected;
    expect(credit.available(this.s)).toBe(exact > 0n ? exact : 0n);
  }
}

function runScenario(ops: Op[], laggingRpc: boolean): void {
  const world = new World(laggingRpc);
  for (const op of ops) {
    world.run(op);
    world.checkInvariants();
  }
  world.settleDown();
}

describe("credit state machine (model-based)", () => {
  it("never overstates available, conserves money and converges, for any sequence (honest RPC)", () => {
    fc.assert(
      fc.property(scenario(true), (ops) => runScenario(ops, false)),
      { numRuns: 400 },
    );
  }, 60_000);

  it("never overstates when every snapshot races the operations (reads begin and answer apart)", () => {
    fc.assert(
      fc.property(scenario(true, 0), (ops) => runScenario(ops, false)),
      { numRuns: 400 },
    );
  }, 60_000);

  it("stays safe when snapshots lag arbitrarily and arrive out of order (slot fencing)", () => {
    // Withdrawal expiry relies on a snapshot fetched after the expiry, which a lagging node may not
    // honour (decision 006); settlement and landed-withdrawal debits are slot-fenced and must hold.
    fc.assert(
      fc.property(scenario(false), (ops) => runScenario(ops, true)),
      { numRuns: 300 },
    );
  }, 60_000);

  it("admits exactly floor(available / amount) of many equal reservations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 7 }), (balance, unit) => {
        let s = credit.observeSnapshot(credit.emptyState(), {
          amount: BigInt(balance),
          slot: 1,
          fetchEpoch: 0,
          fetchedAt: 0,
        }).state;
        let ok = 0;
        for (let i = 0; i < 200; i++) {
          const step = credit.reserve(s, {
            requestId: `r${i}`,
            amount: BigInt(unit),
            now: 1,
            keyValid: true,
            finished: undefined,
          });
          s = step.state;
          if (step.result.ok) ok++;
        }
        expect(ok).toBe(Math.min(200, Math.floor(balance / unit)));
      }),
    );
  });
});
