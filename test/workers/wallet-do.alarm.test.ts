/**
 * The WalletDO alarm: an unconfirmed reservation is refunded at its 30 s deadline, exactly. Time is
 * controlled by moving the stored deadline into the past and running the alarm (runDurableObjectAlarm).
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import { RESERVATION_TTL_MS } from "../../workers/credit/state.ts";
import { entryFor, fundedWallet, storageRows, type WalletStub } from "./wallet-do-helpers.ts";

/** Moves a reservation's deadline into the past, as if 30 s had gone by (the object then rereads its storage). */
function elapse(stub: WalletStub, requestId: string): Promise<void> {
  return runInDurableObject(stub, async (instance: WalletDO, state) => {
    state.storage.sql.exec("UPDATE reservations SET expires_at = ? WHERE request_id = ?", Date.now() - 1, requestId);
    await instance.reloadFromStorage();
  });
}

describe("WalletDO alarm", () => {
  it("schedules itself at the reservation deadline and refunds an unconfirmed reservation exactly", async () => {
    const t = await fundedWallet(1_000);
    const before = await t.stub.balance();
    const r = await t.stub.reserve("never-confirmed", t.apiKey, 300n);
    expect(r).toMatchObject({ ok: true, amount: 300n, available: 700n });
    if (!r.ok) return;
    expect(r.expiresAt - Date.now()).toBeGreaterThan(RESERVATION_TTL_MS - 5_000);

    const alarmAt = await runInDurableObject(t.stub, (_i: WalletDO, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    expect(alarmAt!).toBeLessThanOrEqual(r.expiresAt);

    // Before the deadline, the alarm leaves it alone.
    expect(await runDurableObjectAlarm(t.stub)).toBe(true);
    expect((await t.stub.balance()).reserved).toBe(300n);

    await elapse(t.stub, "never-confirmed");
    // Another object call would also expire it lazily; run only the alarm to prove the alarm does it.
    await runInDurableObject(t.stub, (_i: WalletDO, state) => state.storage.setAlarm(Date.now()));
    expect(await runDurableObjectAlarm(t.stub)).toBe(true);
    const rows = await storageRows(t.stub, "SELECT * FROM reservations");
    expect(rows).toEqual([]);
    const finished = await storageRows<{ outcome: string }>(
      t.stub,
      "SELECT outcome FROM finished WHERE kind = 'request' AND id = ?",
      "never-confirmed",
    );
    expect(finished).toEqual([{ outcome: "expired" }]);

    const after = await t.stub.balance();
    expect(after.available).toBe(before.available);
    expect(after).toMatchObject({ reserved: 0n, unsettled: 0n, onChain: 1_000n });

    // The id stays taken, and a refund after expiry is a harmless no-op.
    expect(await t.stub.reserve("never-confirmed", t.apiKey, 1n)).toEqual({ ok: false, reason: "duplicate_request" });
    expect(await t.stub.refund("never-confirmed")).toEqual({ ok: true, released: 0n });
  });

  it("a confirm that arrives after expiry is still booked when available covers it (never serve free)", async () => {
    const t = await fundedWallet(1_000);
    expect((await t.stub.reserve("slow", t.apiKey, 300n)).ok).toBe(true);
    await elapse(t.stub, "slow");
    expect(await t.stub.confirm("slow", 250n, entryFor(250n))).toEqual({ ok: true, charge: 250n, released: 0n });
    expect(await t.stub.balance()).toMatchObject({ available: 750n, unsettled: 250n, reserved: 0n });
    expect(await t.stub.confirm("slow", 250n, entryFor(250n))).toEqual({ ok: false, reason: "already_confirmed" });
  });

  it("clears the alarm once nothing is due", async () => {
    const t = await fundedWallet(100);
    expect((await t.stub.reserve("x", t.apiKey, 10n)).ok).toBe(true);
    expect((await t.stub.refund("x")).ok).toBe(true);
    // Only the remembered request id (24 h) and nothing sooner is due.
    await runInDurableObject(t.stub, (_i: WalletDO, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(t.stub);
    const alarmAt = await runInDurableObject(t.stub, (_i: WalletDO, state) => state.storage.getAlarm());
    expect(alarmAt! - Date.now()).toBeGreaterThan(23 * 60 * 60 * 1000);
  });
});
