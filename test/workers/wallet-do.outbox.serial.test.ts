/**
 * The ledger outbox against a real Postgres that goes away: confirms keep succeeding while it is
 * stopped (the hot path never touches Postgres), and once it is back every ledger entry arrives
 * exactly once — also when a flush is repeated after Postgres already committed it, and while one
 * entry Postgres refuses (unknown listing) sits in the outbox without blocking the others.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { eq, inArray } from "drizzle-orm";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createDb, createPool } from "../../db/client.ts";
import { ledgerEntries } from "../../db/schema.ts";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import type { EngineInfo } from "../setup/engines.ts";
import {
  callEntry,
  createSellerListing,
  entryFor,
  fundedWallet,
  storageRows,
  type WalletStub,
} from "./wallet-do-helpers.ts";

const engines: EngineInfo = inject("engines");
const controlUrl = engines.controlUrl;
let postgresStopped = false;

async function control(action: "stop" | "start"): Promise<void> {
  if (!controlUrl) throw new Error("the engines control server is not running (dev/engines-main.ts)");
  const res = await fetch(`${controlUrl}/postgres/${action}`, { method: "POST" });
  expect(res.status, await res.text()).toBe(200);
  postgresStopped = action === "stop";
}

afterAll(async () => {
  if (postgresStopped) await control("start");
});

/** Lifts the flush backoff and runs the alarm now, as the next scheduled alarm would. */
async function flushNow(stub: WalletStub): Promise<void> {
  await runInDurableObject(stub, async (_i: WalletDO, state) => {
    state.storage.sql.exec("UPDATE credit SET next_flush_at = 0");
    await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(stub);
}

async function ledgerRows(requestIds: string[]) {
  const pool = createPool(env);
  try {
    return await createDb(pool)
      .select({ requestId: ledgerEntries.requestId, charge: ledgerEntries.charge, buyer: ledgerEntries.buyerWallet })
      .from(ledgerEntries)
      .where(inArray(ledgerEntries.requestId, requestIds));
  } finally {
    await pool.end();
  }
}

async function fullLedgerRows(requestIds: string[]) {
  const pool = createPool(env);
  try {
    return await createDb(pool)
      .select({
        requestId: ledgerEntries.requestId,
        kind: ledgerEntries.kind,
        buyerWallet: ledgerEntries.buyerWallet,
        payeeWallet: ledgerEntries.payeeWallet,
        sellerId: ledgerEntries.sellerId,
        listingId: ledgerEntries.listingId,
        taskId: ledgerEntries.taskId,
        charge: ledgerEntries.charge,
        sellerPayout: ledgerEntries.sellerPayout,
        platformFee: ledgerEntries.platformFee,
        units: ledgerEntries.units,
        createdAt: ledgerEntries.createdAt,
      })
      .from(ledgerEntries)
      .where(inArray(ledgerEntries.requestId, requestIds));
  } finally {
    await pool.end();
  }
}

describe("WalletDO ledger outbox", () => {
  it("keeps confirming while Postgres is down, then delivers every entry exactly once", async () => {
    const seller = await createSellerListing();
    const t = await fundedWallet(10_000_000);
    const ids = Array.from({ length: 30 }, (_, i) => `${t.wallet.slice(0, 8)}-call-${i}`);
    const poison = `${t.wallet.slice(0, 8)}-unknown-listing`;

    await control("stop");
    const started = performance.now();
    const confirmed = await Promise.all(
      ids.map(async (id, i) => {
        const { charge, entry } = callEntry(seller, BigInt(1_000 + i));
        const r = await t.stub.reserve(id, t.apiKey, charge);
        expect(r.ok).toBe(true);
        return t.stub.confirm(id, charge, entry);
      }),
    );
    console.log(`30 reserve+confirm with Postgres down: ${(performance.now() - started).toFixed(0)} ms`);
    for (const c of confirmed) expect(c.ok).toBe(true);
    expect((await t.stub.reserve(poison, t.apiKey, 500n)).ok).toBe(true);
    expect((await t.stub.confirm(poison, 500n, entryFor(500n, { wallet: seller.wallet }))).ok).toBe(true);

    // The flush fails: nothing leaves the outbox, and the outbox backs off.
    await flushNow(t.stub);
    expect(await storageRows(t.stub, "SELECT count(*) AS n FROM outbox")).toEqual([{ n: 31 }]);
    const [io] = await storageRows<{ flush_failures: number; next_flush_at: number }>(
      t.stub,
      "SELECT flush_failures, next_flush_at FROM credit",
    );
    expect(io!.flush_failures).toBeGreaterThanOrEqual(1);
    expect(io!.next_flush_at).toBeGreaterThan(Date.now());
    // The backoff also keeps the alarm from retrying at once.
    await runInDurableObject(t.stub, async (_i: WalletDO, state) => {
      expect(await state.storage.getAlarm()).toBeGreaterThan(Date.now());
    });

    // Keep a copy of the rows, to replay a flush whose delete was lost after Postgres committed.
    const copy = await storageRows<{ request_id: string; entry: string; created_at: number }>(
      t.stub,
      "SELECT request_id, entry, created_at FROM outbox",
    );

    await control("start");
    await flushNow(t.stub);
    let rows = await ledgerRows([...ids, poison]);
    expect(rows.map((r) => r.requestId).sort()).toEqual([...ids].sort());
    const unsettled = (await t.stub.balance()).unsettled;
    expect(rows.reduce((sum, r) => sum + r.charge, 0n) + 500n).toBe(unsettled);
    expect(new Set(rows.map((r) => r.buyer))).toEqual(new Set([t.wallet]));
    // Every column arrives as the outbox held it (the flush sends columns as arrays: types and order matter).
    const full = await fullLedgerRows(ids);
    for (const held of copy.filter((r) => r.request_id !== poison)) {
      const e = JSON.parse(held.entry) as Record<string, string | number | null>;
      expect(full.find((r) => r.requestId === held.request_id)).toEqual({
        requestId: e.requestId,
        kind: e.kind,
        buyerWallet: e.buyerWallet,
        payeeWallet: e.payeeWallet,
        sellerId: e.sellerId,
        listingId: e.listingId,
        taskId: e.taskId,
        charge: BigInt(e.charge as string),
        sellerPayout: BigInt(e.sellerPayout as string),
        platformFee: BigInt(e.platformFee as string),
        units: e.units,
        createdAt: new Date(e.confirmedAt as number),
      });
    }

    // Only the refused entry stays, with its own backoff and the Postgres error code (FK violation).
    const left = await storageRows<{ request_id: string; attempts: number; last_error: string }>(
      t.stub,
      "SELECT request_id, attempts, last_error FROM outbox",
    );
    expect(left).toEqual([{ request_id: poison, attempts: expect.any(Number), last_error: "23503" }]);
    // ≥ 1: the scheduled alarm may have flushed too, next to the one this test ran.
    expect(left[0]!.attempts).toBeGreaterThanOrEqual(1);

    // Replay: the same entries again (as if the delete had been lost) → still exactly once.
    await runInDurableObject(t.stub, (_i: WalletDO, state) => {
      for (const row of copy.filter((r) => r.request_id !== poison)) {
        state.storage.sql.exec(
          "INSERT INTO outbox (request_id, entry, created_at, next_attempt_at) VALUES (?, ?, ?, 0)",
          row.request_id,
          row.entry,
          row.created_at,
        );
      }
    });
    await flushNow(t.stub);
    rows = await ledgerRows([...ids, poison]);
    expect(rows).toHaveLength(ids.length);
    expect(await storageRows(t.stub, "SELECT request_id FROM outbox")).toEqual([{ request_id: poison }]);

    const pool = createPool(env);
    try {
      const all = await createDb(pool)
        .select({ requestId: ledgerEntries.requestId })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.buyerWallet, t.wallet));
      expect(all).toHaveLength(ids.length);
    } finally {
      await pool.end();
    }
  });
});
