/**
 * The load benchmark's reconciliation (bench/lib/reconcile.ts): consistent books pass, and every
 * corruption a real fault could produce — an entry lost, duplicated, altered or leaked from a
 * refunded call, a vault, payee or treasury off by one micro-USDC, a WalletDO that disagrees — is
 * caught. Property-based over generated runs (fast-check), plus one named case per corruption.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CallOutcome,
  type Delta,
  type EntryStatus,
  type LedgerRow,
  type ReconcileInput,
  reconcile,
} from "../../bench/lib/reconcile.ts";

const LISTING = "00000000-0000-4000-8000-000000000001";

interface Spec {
  buyer: number;
  payee: number;
  charge: bigint;
  feeBps: number;
  status: EntryStatus;
  charged: boolean;
}

/** A run whose books balance by construction: chain deltas and WalletDO views follow the ledger. */
function world(specs: readonly Spec[], buyers = 3, payees = 2): ReconcileInput {
  const calls: CallOutcome[] = [];
  const ledger: LedgerRow[] = [];
  const vaults = new Map<string, Delta>(
    Array.from({ length: buyers }, (_, i) => [`buyer${i}`, { before: 10_000_000n, after: 10_000_000n }]),
  );
  const payeeMap = new Map<string, Delta>(
    Array.from({ length: payees }, (_, i) => [`payee${i}`, { before: 5n, after: 5n }]),
  );
  const treasury: Delta = { before: 1_000_000n, after: 1_000_000n };
  const unsettled = new Map<string, bigint>([...vaults.keys()].map((w) => [w, 0n]));
  specs.forEach((s, i) => {
    const wallet = `buyer${s.buyer % buyers}`;
    const payee = `payee${s.payee % payees}`;
    const requestId = `req${i}`;
    if (!s.charged) {
      calls.push({ wallet, kind: "fault", expectCharged: false, requestId, receipt: null, status: 502 });
      return;
    }
    const fee = (s.charge * BigInt(s.feeBps)) / 10_000n;
    const payout = s.charge - fee;
    calls.push({
      wallet,
      kind: "ok",
      expectCharged: true,
      requestId,
      receipt: { requestId, wallet, listing: LISTING, charge: s.charge },
      status: 200,
    });
    ledger.push({ requestId, buyer: wallet, payee, listing: LISTING, charge: s.charge, payout, fee, status: s.status });
    const v = vaults.get(wallet)!;
    const p = payeeMap.get(payee)!;
    if (s.status === "settled") {
      v.after -= s.charge;
      p.after += payout;
      treasury.after += fee;
    } else if (s.status === "forfeited") {
      p.after += payout;
      treasury.after -= payout;
    } else unsettled.set(wallet, (unsettled.get(wallet) ?? 0n) + s.charge);
  });
  return {
    calls,
    ledger,
    vaults,
    payees: payeeMap,
    treasury,
    walletUnsettled: unsettled,
    expectAllSettled: specs.every((s) => !s.charged || s.status === "settled" || s.status === "forfeited"),
  };
}

const spec = fc.record({
  buyer: fc.nat(9),
  payee: fc.nat(9),
  charge: fc.bigInt({ min: 1n, max: 2n ** 40n }),
  feeBps: fc.integer({ min: 0, max: 2_000 }),
  status: fc.constantFrom<EntryStatus>("settled", "settled", "unsettled", "in_batch", "forfeited"),
  charged: fc.boolean(),
});
const settledSpec = spec.map((s) => ({ ...s, status: "settled" as const, charged: true }));

const failing = (input: ReconcileInput) =>
  reconcile(input)
    .checks.filter((c) => !c.ok)
    .map((c) => c.check);

interface Editable extends ReconcileInput {
  calls: CallOutcome[];
  ledger: LedgerRow[];
  vaults: Map<string, Delta>;
  payees: Map<string, Delta>;
  walletUnsettled: Map<string, bigint>;
}

function clone(input: ReconcileInput): Editable {
  return {
    ...input,
    calls: input.calls.map((c) => ({ ...c, receipt: c.receipt && { ...c.receipt } })),
    ledger: input.ledger.map((r) => ({ ...r })),
    vaults: new Map([...input.vaults].map(([k, v]) => [k, { ...v }])),
    payees: new Map([...input.payees].map(([k, v]) => [k, { ...v }])),
    treasury: { ...input.treasury },
    walletUnsettled: new Map(input.walletUnsettled),
  };
}

describe("reconcile", () => {
  it("consistent books pass, whatever the mix of settled, open and forfeited entries", () => {
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 40 }), (specs) => {
        const r = reconcile(world(specs));
        expect(r.checks.filter((c) => !c.ok)).toEqual([]);
        expect(r.ok).toBe(true);
        expect(r.totals.charges - r.totals.payouts).toBe(r.totals.fees);
      }),
    );
  });

  it("any one balance off by one micro-USDC (vault, payee or treasury, either direction) is caught", () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 20 }),
        fc.constantFrom("vault", "payee", "treasury"),
        fc.nat(9),
        fc.constantFrom(1n, -1n),
        (specs, where, pick, by) => {
          const input = clone(world(specs));
          const bump = (m: ReadonlyMap<string, Delta>) => {
            const d = [...m.values()][pick % m.size]!;
            d.after += by;
          };
          if (where === "vault") bump(input.vaults);
          else if (where === "payee") bump(input.payees);
          else input.treasury.after += by;
          expect(reconcile(input).ok).toBe(false);
        },
      ),
    );
  });

  describe("each corruption is named by its check", () => {
    const base = () => clone(world(fc.sample(settledSpec, { numRuns: 12, seed: 42 })));

    it("a clean base passes", () => {
      expect(failing(base())).toEqual([]);
    });

    it("a lost ledger entry", () => {
      const input = base();
      input.ledger.splice(3, 1);
      expect(failing(input)).toContain("charged calls in the ledger exactly once");
    });

    it("a duplicated ledger entry", () => {
      const input = base();
      input.ledger.push({ ...input.ledger[0]! });
      const failed = failing(input);
      expect(failed).toContain("duplicate request ids in the ledger");
      expect(failed).toContain("charged calls in the ledger exactly once");
    });

    it("a refunded call (or its retry reservation) written to the ledger", () => {
      const input = base();
      input.calls.push({
        wallet: "buyer0",
        kind: "fault",
        expectCharged: false,
        requestId: "gone",
        receipt: null,
        status: 502,
      });
      input.ledger.push({ ...input.ledger[0]!, requestId: "gone-r", status: "unsettled" });
      expect(failing(input)).toContain("failed calls in the ledger");
    });

    it("an entry nobody was charged for", () => {
      const input = base();
      input.ledger.push({ ...input.ledger[0]!, requestId: "phantom" });
      expect(failing(input)).toContain("ledger entries no agent was charged for");
    });

    it("an entry whose charge differs from the signed receipt", () => {
      const input = base();
      const row = input.ledger[2]!;
      row.charge += 1n;
      row.fee += 1n;
      const failed = failing(input);
      expect(failed).toContain("receipt = entry (wallet, listing, charge)");
      expect(failed).toContain("Σ receipts = Σ ledger charges");
    });

    it("an entry charged to another wallet", () => {
      const input = base();
      const row = input.ledger.find((r) => r.buyer === "buyer0")!;
      row.buyer = "buyer1";
      expect(failing(input)).toContain("receipt = entry (wallet, listing, charge)");
    });

    it("a payout moved into the fee (the seller shortchanged)", () => {
      const input = base();
      const row = input.ledger[1]!;
      row.payout -= 1n;
      row.fee += 1n;
      const failed = failing(input);
      expect(failed).toContain("Σ payouts = received on chain + open");
      expect(failed).toContain("treasury Δ = Σ settled fees − Σ forfeited payouts");
    });

    it("a split that does not add up", () => {
      const input = base();
      input.ledger[0]!.fee += 1n;
      expect(failing(input)).toContain("Σ fees = Σ (charge − payout)");
    });

    it("a WalletDO whose unsettled disagrees with the ledger", () => {
      const input = base();
      input.walletUnsettled.set("buyer0", 1n);
      expect(failing(input)).toContain("WalletDO unsettled = ledger open");
    });

    it("an entry left open although everything was due (books still balance, the run is incomplete)", () => {
      const input = base();
      const row = input.ledger[0]!;
      row.status = "unsettled";
      input.vaults.get(row.buyer)!.after += row.charge;
      input.walletUnsettled.set(row.buyer, row.charge);
      const payee = input.payees.get(row.payee)!;
      payee.after -= row.payout;
      input.treasury.after -= row.fee;
      expect(failing(input)).toEqual(["entries still open after settlement (all were due)"]);
    });

    it("a call that should have failed was charged", () => {
      const input = base();
      input.calls[0]!.expectCharged = false;
      expect(failing(input)).toEqual(["calls that did not behave as their kind expects"]);
    });
  });
});
