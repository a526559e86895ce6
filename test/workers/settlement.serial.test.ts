/**
 * Settlement against real Postgres and the local chain (LiteSVM), as a new user lives it: buyers
 * with real multisig vaults call sellers' listings through the gateway, the cron settles, and the
 * on-chain USDC balances move by exactly the planned amounts — once, whatever happens: two runs at
 * once, a crash between sending and recording, a vault without funds, the Solana RPC down.
 * Serial project: the RPC-down test takes the shared local node down for a moment.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { type Address, address } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../workers/index.ts";
import { createRedis } from "../../workers/lib/redis.ts";
import { type RunOptions, runSettlement } from "../../workers/settlement/run.ts";
import { loadPlatformKeys } from "../../workers/solana/keys.ts";
import { query } from "./auth-helpers.ts";
import { faucet, signAndSend, tokenBalance, transferUsdc, usdcAccount } from "./chain-helpers.ts";
import { json, type Party, signedIn } from "./party-helpers.ts";
import { BASE, configureFence, engines } from "./proxy-helpers.ts";
import { SELF } from "./self.ts";
import { walletStub } from "./wallet-do-helpers.ts";

const PRICE = 1_000n;
const CHARGE = 1_050n;
const PAYOUT = 950n;
const FEE = 100n;
const NOW_DUE: RunOptions["config"] = { minPayout: 0n, minCollection: 0n, maxAgeMs: 0 };

interface Buyer extends Party {
  vault: Address;
}
interface SellerParty extends Party {
  listingId: string;
  account: Address;
}

function api(apiKey: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Signed in, vault opened (multisig + settlement delegate), `usdc` deposited and reported. */
async function vaultBuyer(usdc: bigint): Promise<Buyer> {
  const party = await signedIn();
  await faucet(party.signer.address, { usdc: Number(usdc) + 1 });
  const opened = await json<{ vault: string; transaction: string }>(await api(party.apiKey, "/v1/vault", {}), 201);
  await signAndSend(opened.transaction, party.signer);
  await json(await api(party.apiKey, "/v1/vault"), 200);
  const vault = address(opened.vault);
  if (usdc > 0n) {
    const signature = await transferUsdc(party.signer, vault, usdc);
    await json(await api(party.apiKey, "/v1/deposits", { signature }), 201);
  }
  await json(await api(party.apiKey, "/v1/balance"), 200);
  return { ...party, vault };
}

/** A signed-in seller with one listing of the demo data API at 1 000 micro-USDC per call. */
async function seller(existing?: Party): Promise<SellerParty> {
  const party = existing ?? (await signedIn());
  const wallet = party.signer.address;
  const [row] = await query<{ id: string }>("INSERT INTO sellers (wallet_address) VALUES ($1) RETURNING id", [wallet]);
  const [listing] = await query<{ id: string }>(
    `INSERT INTO listings (seller_id, service, category, upstream_base_url, allowed_methods, allowed_paths, price, capacity_total)
     VALUES ($1, 'demo-data', 'data', $2, '{GET}', '{/data/**}', $3, 1000) RETURNING id`,
    [row?.id, engines.upstreamUrl, PRICE.toString()],
  );
  await configureFence(
    {
      listingId: listing?.id as string,
      sellerId: row?.id as string,
      sellerWallet: wallet,
      service: "demo-data",
      status: "active",
      upstreamBaseUrl: engines.upstreamUrl,
      allowedMethods: ["GET"],
      allowedPaths: ["/data/**"],
      keyInjection: { kind: "header", name: "X-Api-Key" },
      price: PRICE,
      pricingUnit: "per_call",
      capacity: { total: 1_000, reservedForSelf: 0, window: "minute" },
      configVersion: 1,
    },
    engines.upstreamApiKey,
  );
  return { ...party, listingId: listing?.id as string, account: await usdcAccount(party.signer.address) };
}

/** `n` calls through the gateway, then the buyer's outbox flushed until Postgres has every entry. */
async function calls(buyer: Buyer, s: SellerParty, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await SELF.fetch(`${BASE}/v1/proxy/${s.listingId}/data/quotes/ACME`, {
      headers: { authorization: `Bearer ${buyer.apiKey}` },
    });
    expect(res.status, await res.text()).toBe(200);
  }
  const stub = walletStub(buyer.signer.address);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const b = await stub.balance();
    await runDurableObjectAlarm(stub);
    const [row] = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_entries WHERE buyer_wallet = $1 AND payee_wallet = $2 AND status = 'unsettled'",
      [buyer.signer.address, s.signer.address],
    );
    if (b.reserved === 0n && (row?.n ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error("ledger entries did not reach Postgres");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Balance of a token account that may not exist yet (0 then). */
async function balanceOf(account: Address): Promise<bigint> {
  try {
    return await tokenBalance(account);
  } catch {
    return 0n;
  }
}

let treasury: Address;

async function snapshot(accounts: Address[]): Promise<Map<Address, bigint>> {
  return new Map(await Promise.all(accounts.map(async (a) => [a, await balanceOf(a)] as const)));
}

function deltas(before: Map<Address, bigint>, after: Map<Address, bigint>): Map<Address, bigint> {
  return new Map([...after].map(([a, v]) => [a, v - (before.get(a) ?? 0n)]));
}

async function rpcOutage(down: boolean): Promise<void> {
  const res = await fetch(`${env.SOLANA_RPC_URL}/admin/outage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ down }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  const keys = await loadPlatformKeys(env);
  treasury = await usdcAccount(keys.treasury.address);
  // A float in the treasury, so sellers can be paid even when a buyer's collection fails.
  await faucet(keys.treasury.address, { usdc: 50_000_000 });
});

afterAll(async () => {
  await rpcOutage(false);
});

describe("settlement", () => {
  let s1: SellerParty;
  let s2: SellerParty;
  let b1: Buyer;
  let b2: Buyer;

  beforeAll(async () => {
    [s1, s2, b1, b2] = await Promise.all([seller(), seller(), vaultBuyer(5_000_000n), vaultBuyer(5_000_000n)]);
  });

  it("calls → cron: sellers rise by exactly their payouts, the treasury by exactly the fees, buyers' vaults fall by their charges", async () => {
    await calls(b1, s1, 3);
    await calls(b1, s2, 1);
    await calls(b2, s2, 2);
    const accounts = [s1.account, s2.account, b1.vault, b2.vault, treasury];
    const before = await snapshot(accounts);

    const summary = await runSettlement(env, { config: NOW_DUE });
    expect(summary.ran && summary.executed?.status).toBe("completed");

    const d = deltas(before, await snapshot(accounts));
    expect(d.get(s1.account)).toBe(3n * PAYOUT);
    expect(d.get(s2.account)).toBe(3n * PAYOUT);
    expect(d.get(b1.vault)).toBe(-4n * CHARGE);
    expect(d.get(b2.vault)).toBe(-2n * CHARGE);
    expect(d.get(treasury)).toBe(6n * FEE);

    const open = await query<{ n: number }>(
      "SELECT count(*)::int AS n FROM ledger_entries WHERE buyer_wallet = ANY($1) AND status <> 'settled'",
      [[b1.signer.address, b2.signer.address]],
    );
    expect(open[0]?.n).toBe(0);
    // The WalletDO was told: nothing unsettled, and the debit is not counted twice.
    const bal = await walletStub(b1.signer.address).balance();
    expect(bal.unsettled).toBe(0n);
    expect(bal.available).toBe(5_000_000n - 4n * CHARGE);

    // Every transaction carries the Memo naming batch and index, and is on chain.
    const batchId = summary.ran ? (summary.planned as string) : "";
    const detail = await json<{
      status: string;
      totals: { collected: string; paidOut: string; fees: string };
      transfers: Array<{ kind: string; amount: string; signature: string; status: string; txIndex: number }>;
    }>(await api(s1.apiKey, `/v1/settlements/${batchId}`), 200);
    expect(detail.status).toBe("completed");
    expect(BigInt(detail.totals.collected) - BigInt(detail.totals.paidOut)).toBe(BigInt(detail.totals.fees));
    expect(detail.transfers).toEqual([
      expect.objectContaining({ kind: "payout", amount: String(3n * PAYOUT), status: "confirmed" }),
    ]);
    const tx = await fetch(env.SOLANA_RPC_URL, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "getTransaction",
        params: [detail.transfers[0]?.signature, { encoding: "jsonParsed", maxSupportedTransactionVersion: 0 }],
      }),
    });
    expect(JSON.stringify(await tx.json())).toContain(`proxygate:${batchId}:${detail.transfers[0]?.txIndex}`);

    // Seller views.
    const earnings = await json<{ pending: string; settled: string; byListing: Array<{ calls: number }> }>(
      await api(s1.apiKey, "/v1/seller/earnings"),
      200,
    );
    expect(earnings).toMatchObject({ pending: "0", settled: String(3n * PAYOUT) });
    expect(earnings.byListing).toEqual([expect.objectContaining({ listingId: s1.listingId, calls: 3 })]);
    const list = await json<{ settlements: Array<{ batchId: string; amount: string; status: string }> }>(
      await api(s1.apiKey, "/v1/seller/settlements"),
      200,
    );
    expect(list.settlements[0]).toMatchObject({ batchId, amount: String(3n * PAYOUT), status: "confirmed" });
    expect((await api(s1.apiKey, "/v1/seller/earnings?days=0")).status).toBe(400);
    expect((await api(s1.apiKey, "/v1/seller/settlements?cursor=nope")).status).toBe(400);
    expect((await SELF.fetch(`${BASE}/v1/seller/earnings`)).status).toBe(401);
    // A wallet with no part in the batch sees nothing of it.
    const stranger = await signedIn();
    expect((await api(stranger.apiKey, `/v1/settlements/${batchId}`)).status).toBe(404);
  });

  it("two runs at once, without the lock, pay exactly once; with the lock the second run stands aside", async () => {
    await calls(b1, s1, 2);
    await calls(b2, s1, 1);
    const mine = await query<{ id: string }>(
      "SELECT id::text FROM ledger_entries WHERE status = 'unsettled' AND payee_wallet = $1",
      [s1.signer.address],
    );
    expect(mine).toHaveLength(3);
    const accounts = [s1.account, b1.vault, b2.vault, treasury];
    const before = await snapshot(accounts);
    const runs = await Promise.all([
      runSettlement(env, { config: NOW_DUE, useLock: false }),
      runSettlement(env, { config: NOW_DUE, useLock: false }),
    ]);
    expect(runs.every((r) => r.ran)).toBe(true);
    // Whatever the interleaving, the entries went into exactly one batch; finish anything pending.
    await runSettlement(env, { config: NOW_DUE });
    const batches = await query<{ id: string; status: string }>(
      "SELECT DISTINCT settlement_batch_id AS id, status FROM ledger_entries WHERE id = ANY($1::bigint[])",
      [mine.map((r) => r.id)],
    );
    expect(batches).toEqual([{ id: expect.any(String), status: "settled" }]);
    const d = deltas(before, await snapshot(accounts));
    expect(d.get(s1.account)).toBe(3n * PAYOUT);
    expect(d.get(b1.vault)).toBe(-2n * CHARGE);
    expect(d.get(b2.vault)).toBe(-1n * CHARGE);
    expect(d.get(treasury)).toBe(3n * FEE);

    await calls(b1, s2, 1);
    const locked = await Promise.all([
      runSettlement(env, { config: NOW_DUE }),
      runSettlement(env, { config: NOW_DUE }),
    ]);
    expect(locked.filter((r) => !r.ran)).toHaveLength(1);
  });

  it("a crash between sending and recording the outcome: the next run finds the signature and pays nothing twice", async () => {
    await calls(b1, s1, 2);
    const accounts = [s1.account, b1.vault, treasury];
    const before = await snapshot(accounts);
    let crashes = 0;
    const crashed = await runSettlement(env, {
      config: NOW_DUE,
      faults: {
        afterSend: () => {
          crashes++;
          throw new Error("injected crash after send");
        },
      },
    });
    expect(crashes).toBe(1);
    expect(crashed.ran && crashed.executed?.status).toBe("pending");
    const resumed = await runSettlement(env, { config: NOW_DUE });
    expect(resumed.ran && resumed.resumed.map((r) => r.status)).toEqual(["completed"]);
    const d = deltas(before, await snapshot(accounts));
    expect(d.get(s1.account)).toBe(2n * PAYOUT);
    expect(d.get(b1.vault)).toBe(-2n * CHARGE);
    expect(d.get(treasury)).toBe(2n * FEE);
  });

  it("a crash after recording but before sending: re-signed only once the recorded one has provably expired", async () => {
    await calls(b2, s2, 1);
    const accounts = [s2.account, b2.vault, treasury];
    const before = await snapshot(accounts);
    const crashed = await runSettlement(env, {
      config: NOW_DUE,
      faults: {
        beforeSend: () => {
          throw new Error("injected crash before send");
        },
      },
    });
    expect(crashed.ran && crashed.executed?.status).toBe("pending");
    // Not found, but its blockhash could still land it: the run waits rather than re-sign.
    const waiting = await runSettlement(env, { config: NOW_DUE });
    expect(waiting.ran && waiting.resumed[0]?.status).toBe("pending");
    expect(await balanceOf(b2.vault)).toBe(before.get(b2.vault));
    const expired = await fetch(`${env.SOLANA_RPC_URL}/admin/expire-blockhash`, { method: "POST" });
    expect(expired.status).toBe(200);
    const done = await runSettlement(env, { config: NOW_DUE });
    expect(done.ran && done.resumed[0]?.status).toBe("completed");
    const d = deltas(before, await snapshot(accounts));
    expect(d.get(s2.account)).toBe(PAYOUT);
    expect(d.get(b2.vault)).toBe(-CHARGE);
    expect(d.get(treasury)).toBe(FEE);
  });

  it("a vault without the funds: the buyer is flagged everywhere, its entries forfeited, the sellers paid", async () => {
    const skimmer = await vaultBuyer(3_000n);
    let n = 0;
    const owe = (s: SellerParty) =>
      query(
        `INSERT INTO ledger_entries (request_id, kind, buyer_wallet, payee_wallet, seller_id, listing_id, charge, seller_payout, platform_fee)
         SELECT $1, 'call', $2, s.wallet_address, s.id, l.id, $4, $5, $6 FROM listings l JOIN sellers s ON s.id = l.seller_id WHERE l.id = $3`,
        [
          `skim-${skimmer.signer.address.slice(0, 8)}-${n++}`,
          skimmer.signer.address,
          s.listingId,
          CHARGE.toString(),
          PAYOUT.toString(),
          FEE.toString(),
        ],
      );
    // The ledger says it owes 5 calls (5 250) while the vault holds 3 000: as after a skim.
    for (let i = 0; i < 5; i++) await owe(s1);
    await calls(b1, s1, 1); // an honest buyer in the same batch (and the same collection transaction)
    // A seller flagged itself: what the skimmer owes it stays held, never paid (nor forfeited).
    const held = await seller();
    await query(
      "UPDATE wallets SET is_flagged = true, flagged_reason = 'test: held payee', flagged_at = now() WHERE address = $1",
      [held.signer.address],
    );
    const accounts = [s1.account, s2.account, held.account, skimmer.vault, b1.vault, treasury];
    const before = await snapshot(accounts);
    let late = false;
    const summary = await runSettlement(env, {
      config: NOW_DUE,
      faults: {
        // Two more of its calls reach the ledger after planning: forfeited too, and their seller paid.
        beforeSend: async () => {
          if (late) return;
          late = true;
          await owe(s2);
          await owe(s2);
          await owe(held);
        },
      },
    });
    expect(summary.ran && summary.executed, JSON.stringify(summary)).toMatchObject({
      status: "completed",
      skimmed: [skimmer.signer.address],
    });

    const d = deltas(before, await snapshot(accounts));
    expect(d.get(skimmer.vault)).toBe(0n);
    expect(d.get(b1.vault)).toBe(-CHARGE);
    expect(d.get(s1.account)).toBe(6n * PAYOUT);
    expect(d.get(s2.account)).toBe(2n * PAYOUT);
    expect(d.get(held.account)).toBe(0n);
    // The treasury fronts the skimmer's part: + the honest fee − the skimmer's payouts.
    expect(d.get(treasury)).toBe(FEE - 7n * PAYOUT);

    const [w] = await query<{ is_flagged: boolean }>("SELECT is_flagged FROM wallets WHERE address = $1", [
      skimmer.signer.address,
    ]);
    expect(w?.is_flagged).toBe(true);
    expect(await createRedis(env).get(`skim:${skimmer.signer.address}`)).toBeTruthy();
    expect((await walletStub(skimmer.signer.address).balance()).flagged).toBe(true);
    const statuses = await query<{ payee: string; status: string }>(
      "SELECT DISTINCT payee_wallet = $2 AS payee, status FROM ledger_entries WHERE buyer_wallet = $1 ORDER BY 1",
      [skimmer.signer.address, held.signer.address],
    );
    expect(statuses).toEqual([
      { payee: false, status: "forfeited" },
      { payee: true, status: "unsettled" },
    ]);

    // A call of the flagged wallet that reaches the ledger later: forfeited at planning, seller paid.
    await owe(s1);
    const again = await snapshot(accounts);
    const next = await runSettlement(env, { config: NOW_DUE });
    expect(next.ran && next.executed?.status).toBe("completed");
    const d2 = deltas(again, await snapshot(accounts));
    expect(d2.get(s1.account)).toBe(PAYOUT);
    expect(d2.get(treasury)).toBe(-PAYOUT);
    expect(d2.get(skimmer.vault)).toBe(0n);
  });

  it("a wallet that is both buyer and seller: its vault pays only the difference (netting)", async () => {
    const both = await vaultBuyer(5_000_000n);
    const asSeller = await seller(both);
    await calls(both, s1, 3); // owes 3 × 1 050
    await calls(b2, asSeller, 2); // earns 2 × 950
    const accounts = [both.vault, asSeller.account, s1.account, b2.vault, treasury];
    const before = await snapshot(accounts);
    const summary = await runSettlement(env, { config: NOW_DUE });
    expect(summary.ran && summary.executed?.status).toBe("completed");
    const d = deltas(before, await snapshot(accounts));
    expect(d.get(both.vault)).toBe(-(3n * CHARGE - 2n * PAYOUT));
    expect(d.get(asSeller.account)).toBe(0n);
    expect(d.get(s1.account)).toBe(3n * PAYOUT);
    expect(d.get(b2.vault)).toBe(-2n * CHARGE);
    expect(d.get(treasury)).toBe(5n * FEE);
    // Its WalletDO: the gross charges are settled. Until a snapshot shows the vault after the
    // collection, the whole gross amount stays a pending debit: understated, never overstated.
    const stub = walletStub(both.signer.address);
    const early = await stub.balance();
    expect(early.unsettled).toBe(0n);
    expect(early.available).toBe(5_000_000n - 3n * CHARGE);
    await stub.invalidate();
    expect((await stub.balance()).available).toBe(5_000_000n - 3n * CHARGE + 2n * PAYOUT);
  });

  it("a flagged payee's payout is held: carried over untouched (not forfeited), paid once the flag is lifted", async () => {
    const buyer = await vaultBuyer(1_000_000n);
    const flagged = await seller();
    await calls(buyer, flagged, 2);
    await query(
      "UPDATE wallets SET is_flagged = true, flagged_reason = 'test: held payee', flagged_at = now() WHERE address = $1",
      [flagged.signer.address],
    );
    const accounts = [flagged.account, buyer.vault];
    const before = await snapshot(accounts);
    await runSettlement(env, { config: NOW_DUE });
    const held = deltas(before, await snapshot(accounts));
    expect(held.get(flagged.account)).toBe(0n);
    expect(held.get(buyer.vault)).toBe(0n);
    const open = await query<{ status: string; batch: string | null }>(
      "SELECT status, settlement_batch_id AS batch FROM ledger_entries WHERE payee_wallet = $1",
      [flagged.signer.address],
    );
    expect(open).toEqual([
      { status: "unsettled", batch: null },
      { status: "unsettled", batch: null },
    ]);

    await query("UPDATE wallets SET is_flagged = false WHERE address = $1", [flagged.signer.address]);
    const summary = await runSettlement(env, { config: NOW_DUE });
    expect(summary.ran && summary.executed?.status).toBe("completed");
    const paid = deltas(before, await snapshot(accounts));
    expect(paid.get(flagged.account)).toBe(2n * PAYOUT);
    expect(paid.get(buyer.vault)).toBe(-2n * CHARGE);
  });

  it("Solana RPC down during a run: the batch stays pending and completes on the next run", async () => {
    await calls(b2, s1, 2);
    const accounts = [s1.account, b2.vault, treasury];
    const before = await snapshot(accounts);
    await rpcOutage(true);
    let pending: Awaited<ReturnType<typeof runSettlement>>;
    try {
      pending = await runSettlement(env, { config: NOW_DUE });
    } finally {
      await rpcOutage(false);
    }
    expect(pending.ran && pending.executed?.status).toBe("pending");
    const [batch] = await query<{ status: string }>("SELECT status FROM settlement_batches WHERE id = $1", [
      pending.ran ? pending.planned : "",
    ]);
    expect(batch?.status).toBe("executing");
    expect(deltas(before, await snapshot(accounts)).get(s1.account)).toBe(0n);

    const next = await runSettlement(env, { config: NOW_DUE });
    expect(next.ran && next.resumed.map((r) => r.status)).toEqual(["completed"]);
    const d = deltas(before, await snapshot(accounts));
    expect(d.get(s1.account)).toBe(2n * PAYOUT);
    expect(d.get(b2.vault)).toBe(-2n * CHARGE);
    expect(d.get(treasury)).toBe(2n * FEE);
  });

  it("the cron itself (default thresholds): entries older than a day are settled below the minimum", async () => {
    const buyer = await vaultBuyer(1_000_000n);
    await query(
      `INSERT INTO ledger_entries (request_id, kind, buyer_wallet, payee_wallet, seller_id, listing_id, charge, seller_payout, platform_fee, created_at)
       SELECT $1, 'call', $2, s.wallet_address, s.id, l.id, $4, $5, $6, now() - interval '2 days'
         FROM listings l JOIN sellers s ON s.id = l.seller_id WHERE l.id = $3`,
      [`cron-${buyer.signer.address.slice(0, 8)}`, buyer.signer.address, s2.listingId, "1050", "950", "100"],
    );
    const accounts = [s2.account, buyer.vault];
    const before = await snapshot(accounts);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const d = deltas(before, await snapshot(accounts));
    expect(d.get(buyer.vault)).toBe(-CHARGE);
    expect(d.get(s2.account)).toBe(PAYOUT);
  });
});
