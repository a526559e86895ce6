/**
 * WalletDO money rules against the real chain: deposits seen through invalidate, settlement slot
 * fencing, withdrawal cooldown, holds, the flag, and input validation.
 */
import { env } from "cloudflare:test";
import { createSolanaRpc } from "@solana/kit";
import { describe, expect, it } from "vitest";
import { entryFor, fundedWallet, rejects, storageRows } from "./wallet-do-helpers.ts";

const rpc = createSolanaRpc(env.SOLANA_RPC_URL);

async function currentSlot(): Promise<number> {
  return Number(await rpc.getSlot({ commitment: "confirmed" }).send());
}

async function mint(wallet: string, usdc: number): Promise<void> {
  const res = await fetch(`${env.SOLANA_RPC_URL}/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ wallet, usdc }),
  });
  expect(res.status).toBe(200);
}

describe("WalletDO money", () => {
  it("sees a deposit after invalidate, and never before the vault is read", async () => {
    const t = await fundedWallet(100);
    await mint(t.wallet, 400);
    // The snapshot is fresh, so without invalidate the deposit is not visible yet (understated, never over).
    expect((await t.stub.balance()).onChain).toBe(100n);
    await t.stub.invalidate();
    expect(await t.stub.balance()).toMatchObject({ onChain: 500n, available: 500n });
  });

  it("keeps a settlement as a debit until a snapshot at its slot shows it (slot fencing)", async () => {
    const t = await fundedWallet(1_000);
    expect((await t.stub.reserve("call", t.apiKey, 400n)).ok).toBe(true);
    expect((await t.stub.confirm("call", 400n, entryFor(400n))).ok).toBe(true);
    expect(await t.stub.balance()).toMatchObject({ available: 600n, unsettled: 400n });
    // Settlement says it collected 400 at a slot the chain has not reached: the vault still shows 1000.
    const future = (await currentSlot()) + 1_000_000;
    expect(await t.stub.applySettlement("batch-1", 400n, future)).toEqual({ applied: true });
    expect(await t.stub.applySettlement("batch-1", 400n, future)).toEqual({ applied: false });
    await t.stub.invalidate();
    const b = await t.stub.balance();
    expect(b).toMatchObject({ onChain: 1_000n, unsettled: 0n, available: 600n });
    const debits = await storageRows(t.stub, "SELECT batch_id, pending FROM settlements");
    expect(debits).toEqual([{ batch_id: "batch-1", pending: 1 }]);
  });

  it("a settlement the snapshot already reflects needs no debit", async () => {
    const t = await fundedWallet(1_000);
    expect((await t.stub.reserve("call", t.apiKey, 400n)).ok).toBe(true);
    expect((await t.stub.confirm("call", 400n, entryFor(400n))).ok).toBe(true);
    expect(await t.stub.applySettlement("batch-old", 400n, 0)).toEqual({ applied: true });
    // The vault was not really collected here, so available now shows the full 1000: the DO trusted the slot.
    expect(await t.stub.balance()).toMatchObject({ unsettled: 0n, available: 1_000n });
    expect(await t.stub.applySettlement("batch-old", 400n, 0)).toEqual({ applied: false });
  });

  it("during a withdrawal cooldown every new reservation is refused; above available is refused", async () => {
    const t = await fundedWallet(1_000);
    const expiresAt = Date.now() + 90_000;
    expect(await t.stub.startWithdrawal("w-big", 1_001n, expiresAt)).toEqual({
      ok: false,
      reason: "insufficient_credit",
      available: 1_000n,
    });
    const started = await t.stub.startWithdrawal("w-1", 600n, expiresAt);
    expect(started).toEqual({ ok: true, available: 400n, cooldownUntil: expiresAt });
    const refused = await Promise.all(Array.from({ length: 20 }, (_, i) => t.stub.reserve(`c-${i}`, t.apiKey, 1n)));
    for (const r of refused) expect(r).toMatchObject({ ok: false, reason: "cooldown" });
    expect(await t.stub.startWithdrawal("w-2", 1n, expiresAt)).toMatchObject({ ok: false, reason: "cooldown" });
    expect(await t.stub.hold("h", 1n)).toMatchObject({ ok: false, reason: "cooldown" });
    expect((await t.stub.balance()).cooldownUntil).toBe(expiresAt);

    // It landed: the cooldown ends; the 600 stays a debit until a snapshot at that slot (the vault is unchanged here).
    await t.stub.finishWithdrawal("w-1", { landedSlot: (await currentSlot()) + 1_000_000 });
    expect(await t.stub.balance()).toMatchObject({ cooldownUntil: null, available: 400n });
    expect((await t.stub.reserve("after", t.apiKey, 400n)).ok).toBe(true);
    expect(await t.stub.startWithdrawal("w-1", 600n, Date.now() + 60_000)).toMatchObject({ ok: false });
  });

  it("an expired withdrawal is released by the next snapshot read after the expiry", async () => {
    const t = await fundedWallet(1_000);
    expect((await t.stub.startWithdrawal("w", 700n, Date.now() + 60_000)).ok).toBe(true);
    await t.stub.finishWithdrawal("w", { expired: true });
    // balance() reads the vault (the expiry asked for a newer snapshot), which shows it never left.
    await t.stub.invalidate();
    expect(await t.stub.balance()).toMatchObject({ available: 1_000n, cooldownUntil: null });
  });

  it("holds escrow, release returns it, capture books part of it", async () => {
    const t = await fundedWallet(1_000);
    expect(await t.stub.hold("task-1", 500n)).toEqual({ ok: true, available: 500n });
    expect(await t.stub.hold("task-1", 1n)).toMatchObject({ ok: false, reason: "duplicate_hold" });
    expect(await t.stub.hold("task-2", 501n)).toEqual({ ok: false, reason: "insufficient_credit", available: 500n });
    expect(await t.stub.release("task-1")).toEqual({ ok: true });
    expect(await t.stub.release("task-1")).toEqual({ ok: false });
    expect(await t.stub.hold("task-1", 1n)).toMatchObject({ ok: false, reason: "duplicate_hold" });
    expect((await t.stub.hold("task-3", 300n)).ok).toBe(true);
    const entry = { ...entryFor(200n), kind: "task_reward" as const, listingId: undefined, sellerId: undefined };
    await rejects(t.stub, (w) => w.release("task-3", { requestId: "reward-3", charge: 200n, entry }), /taskId/);
    const reward = { ...entry, taskId: crypto.randomUUID() };
    expect(await t.stub.release("task-3", { requestId: "reward-3", charge: 200n, entry: reward })).toEqual({
      ok: true,
    });
    expect(await t.stub.balance()).toMatchObject({ held: 0n, unsettled: 200n, available: 800n });
  });

  it("a flagged wallet gets no new reservations, holds or withdrawals; open ones still confirm", async () => {
    const t = await fundedWallet(1_000);
    expect((await t.stub.reserve("open", t.apiKey, 100n)).ok).toBe(true);
    await t.stub.flag("skim: settlement collection failed");
    expect(await t.stub.reserve("new", t.apiKey, 1n)).toEqual({ ok: false, reason: "flagged" });
    expect(await t.stub.hold("h", 1n)).toMatchObject({ ok: false, reason: "flagged" });
    expect(await t.stub.startWithdrawal("w", 1n, Date.now() + 60_000)).toMatchObject({ ok: false, reason: "flagged" });
    expect(await t.stub.confirm("open", 100n, entryFor(100n))).toMatchObject({ ok: true });
    expect((await t.stub.balance()).flagged).toBe(true);
  });

  it("refuses malformed calls without changing anything", async () => {
    const t = await fundedWallet(1_000);
    await rejects(t.stub, (w) => w.reserve("r", t.apiKey, 0n), /amount/);
    await rejects(t.stub, (w) => w.reserve("", t.apiKey, 1n), /requestId/);
    await rejects(t.stub, (w) => w.reserve("r", t.apiKey, 2n ** 60n), /amount/);
    // A rate is checked whole every time, also right after the same numbers were accepted.
    const rate = { perSecond: 1_000, burst: 1_000 };
    expect((await t.stub.reserve("rate-ok", t.apiKey, 1n, rate)).ok).toBe(true);
    const extra = { ...rate, extra: 1 } as typeof rate;
    await rejects(t.stub, (w) => w.reserve("rate-extra", t.apiKey, 1n, extra), /rate/);
    await rejects(t.stub, (w) => w.reserve("rate-bad", t.apiKey, 1n, { perSecond: 1_000, burst: 0.5 }), /rate/);
    expect(await t.stub.refund("rate-ok")).toEqual({ ok: true, released: 1n });
    expect((await t.stub.reserve("r", t.apiKey, 100n)).ok).toBe(true);
    // A charge never goes at zero, and must split exactly into payout + fee.
    await rejects(t.stub, (w) => w.confirm("r", 0n, entryFor(1n)), /charge/);
    await rejects(t.stub, (w) => w.confirm("r", 50n, entryFor(49n)), /exactly/);
    await rejects(t.stub, (w) => w.confirm("r", 50n, { ...entryFor(50n), listingId: undefined }), /listingId/);
    expect(await t.stub.confirm("r", 101n, entryFor(101n))).toEqual({
      ok: false,
      reason: "charge_exceeds_reservation",
    });
    expect(await t.stub.balance()).toMatchObject({ reserved: 100n, unsettled: 0n, available: 900n });
  });
});
