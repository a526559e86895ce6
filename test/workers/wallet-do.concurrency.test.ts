/**
 * No overspend under concurrency, against the real WalletDO: the vault balance is real (minted on
 * the local chain, read by the DO via RPC), and the calls really interleave on the object.
 */
import { describe, expect, it } from "vitest";
import { entryFor, fundedWallet, storageRows } from "./wallet-do-helpers.ts";

describe("WalletDO under concurrency", () => {
  it("admits exactly 50 of 200 concurrent 1-unit reservations against available = 50", async () => {
    const t = await fundedWallet(50);
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => t.stub.reserve(`req-${i}`, t.apiKey, 1n)));
    const ms = performance.now() - started;
    console.log(`200 concurrent reserves: ${ms.toFixed(0)} ms`);
    const ok = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(ok).toHaveLength(50);
    expect(refused).toHaveLength(150);
    for (const r of refused) expect(r).toEqual({ ok: false, reason: "insufficient_credit", available: 0n });
    const balance = await t.stub.balance();
    expect(balance).toMatchObject({ available: 0n, reserved: 50n, onChain: 50n });
    const rows = await storageRows<{ n: number; total: number }>(
      t.stub,
      "SELECT count(*) AS n, sum(amount) AS total FROM reservations",
    );
    expect(rows[0]).toEqual({ n: 50, total: 50 });
  });

  it("the same request id twice, concurrently: one reservation, one charge", async () => {
    const t = await fundedWallet(1_000);
    const [a, b] = await Promise.all([t.stub.reserve("same", t.apiKey, 100n), t.stub.reserve("same", t.apiKey, 100n)]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect([a, b].find((r) => !r.ok)).toEqual({ ok: false, reason: "duplicate_request" });

    const entry = entryFor(80n);
    const confirms = await Promise.all([
      t.stub.confirm("same", 80n, entry),
      t.stub.confirm("same", 80n, entry),
      t.stub.confirm("same", 80n, entry),
    ]);
    expect(confirms.filter((c) => c.ok)).toEqual([{ ok: true, charge: 80n, released: 20n }]);
    expect(confirms.filter((c) => !c.ok)).toEqual([
      { ok: false, reason: "already_confirmed" },
      { ok: false, reason: "already_confirmed" },
    ]);
    // Sequentially too: a retried reserve or confirm of a finished request changes nothing.
    expect(await t.stub.reserve("same", t.apiKey, 100n)).toEqual({ ok: false, reason: "duplicate_request" });
    expect(await t.stub.refund("same")).toEqual({ ok: false, reason: "already_confirmed" });
    expect(await t.stub.balance()).toMatchObject({ available: 920n, unsettled: 80n, reserved: 0n });
    // One ledger entry. (Its listing does not exist in Postgres, so the flush keeps it in the outbox.)
    const outbox = await storageRows<{ request_id: string; entry: string }>(
      t.stub,
      "SELECT request_id, entry FROM outbox",
    );
    expect(outbox.map((r) => r.request_id)).toEqual(["same"]);
    expect(JSON.parse(outbox[0]!.entry)).toMatchObject({ charge: "80", sellerPayout: "79", platformFee: "1" });
  });

  it("mixed concurrent reserve/confirm/refund never push available below zero or reserved above the vault", async () => {
    const t = await fundedWallet(300);
    const ops = Array.from({ length: 120 }, async (_, i) => {
      const r = await t.stub.reserve(`mix-${i}`, t.apiKey, BigInt(1 + (i % 7)));
      if (!r.ok) return 0n;
      if (i % 3 === 0) {
        await t.stub.refund(`mix-${i}`);
        return 0n;
      }
      const charge = BigInt(1 + (i % 7));
      const c = await t.stub.confirm(`mix-${i}`, charge, entryFor(charge));
      return c.ok ? c.charge : 0n;
    });
    const charged = (await Promise.all(ops)).reduce((a, b) => a + b, 0n);
    const b = await t.stub.balance();
    expect(b.unsettled).toBe(charged);
    expect(b.reserved).toBe(0n);
    expect(b.available).toBe(300n - charged);
    expect(charged <= 300n).toBe(true);
  });
});
