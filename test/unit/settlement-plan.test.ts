import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type PairAggregate, type PlanConfig, packTransfers, planSettlement } from "../../workers/settlement/plan.ts";

const NOW = 1_800_000_000_000;
const wallets = ["A", "B", "C", "D", "E", "F"];

const pairArb: fc.Arbitrary<PairAggregate> = fc
  .record({
    buyer: fc.constantFrom(...wallets),
    payee: fc.constantFrom(...wallets),
    payout: fc.bigInt({ min: 0n, max: 10n ** 15n }),
    fee: fc.bigInt({ min: 0n, max: 10n ** 12n }),
    entries: fc.integer({ min: 1, max: 10_000 }),
    age: fc.integer({ min: 0, max: 10 * 86_400_000 }),
  })
  .filter((r) => r.payout + r.fee > 0n)
  .map((r) => ({
    buyer: r.buyer,
    payee: r.payee,
    payout: r.payout,
    fee: r.fee,
    charge: r.payout + r.fee,
    entries: r.entries,
    oldestAt: NOW - r.age,
  }));

/**
 * Unique (buyer, payee) pairs, as SQL's GROUP BY yields them, and some flagged wallets: a flagged
 * buyer's pairs are all forfeit, a flagged payee's pairs all `payeeFlagged`.
 */
const pairsArb: fc.Arbitrary<PairAggregate[]> = fc
  .tuple(
    fc.uniqueArray(pairArb, { selector: (p) => `${p.buyer}|${p.payee}`, maxLength: 30 }),
    fc.subarray(wallets, { maxLength: 3 }),
  )
  .map(([pairs, flaggedList]) => {
    const flagged = new Set(flaggedList);
    return pairs.map((p) => ({
      ...p,
      ...(flagged.has(p.buyer) ? { forfeit: true } : {}),
      ...(flagged.has(p.payee) ? { payeeFlagged: true } : {}),
    }));
  });

const configArb: fc.Arbitrary<PlanConfig> = fc.record({
  now: fc.constant(NOW),
  minPayout: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  minCollection: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  maxAgeMs: fc.integer({ min: 0, max: 10 * 86_400_000 }),
});

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe("planSettlement", () => {
  it("conserves money exactly: collections − payouts = covered fees − forfeited payouts; covered + forfeited + carried = all", () => {
    fc.assert(
      fc.property(pairsArb, configArb, (pairs, config) => {
        const plan = planSettlement(pairs, config);
        const { covered: c, forfeited: f, carried: k } = plan;
        expect(plan.totalCollected - plan.totalPaidOut).toBe(c.fee - f.payout);
        expect(c.charge + f.charge + k.charge).toBe(sum(pairs.map((p) => p.charge)));
        expect(c.payout + f.payout + k.payout).toBe(sum(pairs.map((p) => p.payout)));
        expect(c.fee + f.fee + k.fee).toBe(sum(pairs.map((p) => p.fee)));
        expect(c.entries + f.entries + k.entries).toBe(pairs.reduce((s, p) => s + p.entries, 0));
        const collected = sum(plan.transfers.filter((t) => t.kind === "collection").map((t) => t.amount));
        expect(collected).toBe(plan.totalCollected);
      }),
    );
  });

  it("nets: one transfer per wallet at most, never zero, equal to its net position over covered pairs", () => {
    fc.assert(
      fc.property(pairsArb, configArb, (pairs, config) => {
        const plan = planSettlement(pairs, config);
        const seen = new Set<string>();
        for (const t of plan.transfers) {
          expect(seen.has(t.wallet)).toBe(false);
          seen.add(t.wallet);
          expect(t.amount > 0n).toBe(true);
          const net = sum(
            plan.pairs.map(
              (p) => (p.buyer === t.wallet && !p.forfeit ? p.charge : 0n) - (p.payee === t.wallet ? p.payout : 0n),
            ),
          );
          expect(t.kind === "collection" ? net : -net).toBe(t.amount);
        }
      }),
    );
  });

  it("covers a pair exactly when its payee is not flagged and it and its buyer (unless forfeit) are due (threshold or age)", () => {
    fc.assert(
      fc.property(pairsArb, configArb, (all, config) => {
        const plan = planSettlement(all, config);
        const pairs = all.filter((p) => !p.payeeFlagged);
        const oldest = (w: string) =>
          Math.min(...pairs.filter((p) => p.buyer === w || p.payee === w).map((p) => p.oldestAt));
        const old = (w: string) => config.now - oldest(w) >= config.maxAgeMs;
        const owed = (w: string) => sum(pairs.filter((p) => p.payee === w).map((p) => p.payout));
        const spent = (w: string) => sum(pairs.filter((p) => p.buyer === w && !p.forfeit).map((p) => p.charge));
        const key = (p: PairAggregate) => `${p.buyer}|${p.payee}`;
        const covered = new Set(plan.pairs.map(key));
        for (const p of all.filter((x) => x.payeeFlagged)) expect(covered.has(key(p))).toBe(false);
        for (const p of pairs) {
          const due =
            (owed(p.payee) >= config.minPayout || old(p.payee)) &&
            (p.forfeit === true || spent(p.buyer) >= config.minCollection || old(p.buyer));
          expect(covered.has(key(p))).toBe(due);
        }
      }),
    );
  });

  it("is deterministic: input order does not matter", () => {
    fc.assert(
      fc.property(pairsArb, configArb, fc.infiniteStream(fc.nat()), (pairs, config, rnd) => {
        const shuffled = [...pairs]
          .map((p) => ({ p, k: rnd.next().value }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.p);
        expect(planSettlement(shuffled, config)).toEqual(planSettlement(pairs, config));
      }),
    );
  });

  it("refuses an aggregate whose charge is not payout + fee", () => {
    expect(() =>
      planSettlement([{ buyer: "A", payee: "B", charge: 10n, payout: 5n, fee: 4n, entries: 1, oldestAt: NOW }], {
        now: NOW,
        minPayout: 0n,
        minCollection: 0n,
        maxAgeMs: 0,
      }),
    ).toThrow(RangeError);
  });

  it("holds a flagged payee's payout, even on a forfeit pair whose payee is the flagged buyer itself", () => {
    const config = { now: NOW, minPayout: 0n, minCollection: 0n, maxAgeMs: 0 };
    const plan = planSettlement(
      [
        {
          buyer: "S",
          payee: "S",
          charge: 105n,
          payout: 95n,
          fee: 10n,
          entries: 1,
          oldestAt: NOW,
          forfeit: true,
          payeeFlagged: true,
        },
        { buyer: "S", payee: "B", charge: 210n, payout: 190n, fee: 20n, entries: 2, oldestAt: NOW, forfeit: true },
        { buyer: "A", payee: "S", charge: 315n, payout: 285n, fee: 30n, entries: 3, oldestAt: NOW, payeeFlagged: true },
      ],
      config,
    );
    // S is paid nothing and A is not charged for S; B is still paid from the treasury.
    expect(plan.transfers).toEqual([{ kind: "payout", wallet: "B", amount: 190n }]);
    expect(plan.carried).toEqual({ charge: 420n, payout: 380n, fee: 40n, entries: 4 });
    expect(plan.forfeited.entries).toBe(2);
    expect(plan.pairs.map((p) => p.payee)).toEqual(["B"]);
  });

  it("a wallet that is both buyer and seller pays only the difference", () => {
    const plan = planSettlement(
      [
        { buyer: "A", payee: "B", charge: 1_050n, payout: 950n, fee: 100n, entries: 1, oldestAt: NOW },
        { buyer: "B", payee: "A", charge: 2_100n, payout: 1_900n, fee: 200n, entries: 2, oldestAt: NOW },
      ],
      { now: NOW, minPayout: 0n, minCollection: 0n, maxAgeMs: 1 },
    );
    expect(plan.transfers).toEqual([
      { kind: "collection", wallet: "B", amount: 2_100n - 950n },
      { kind: "payout", wallet: "A", amount: 1_900n - 1_050n },
    ]);
  });
});

describe("packTransfers", () => {
  it("never mixes kinds in one transaction and never exceeds the limits", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("collection" as const, "payout" as const), { maxLength: 200 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (kinds, c, p) => {
          const sorted = [...kinds].sort();
          const transfers = sorted.map((kind, i) => ({ kind, wallet: `W${i}`, amount: 1n }));
          const txs = packTransfers(transfers, { collectionsPerTx: c, payoutsPerTx: p });
          const groups = new Map<number, string[]>();
          txs.forEach((tx, i) => {
            groups.set(tx, [...(groups.get(tx) ?? []), sorted[i] as string]);
          });
          for (const kindsInTx of groups.values()) {
            expect(new Set(kindsInTx).size).toBe(1);
            expect(kindsInTx.length).toBeLessThanOrEqual(kindsInTx[0] === "collection" ? c : p);
          }
          // Dense: tx indexes run 0, 1, 2 … without gaps.
          expect([...groups.keys()]).toEqual([...groups.keys()].map((_, i) => i));
        },
      ),
    );
  });
});
