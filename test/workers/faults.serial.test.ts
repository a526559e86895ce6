/**
 * Engine faults, each with the protection it proves (issue 10 item 2):
 * - Redis down: calls keep being served (the fence and WalletDO hold the hot path; rate limits and
 *   health fail open), while a deposit is refused with 503 — never recorded without its replay claim.
 * - Solana RPC down: deposits and withdrawals are refused with 503 (nothing recorded, nothing reserved),
 *   and both work again once the RPC is back. (Settlement resuming: settlement.serial.test.ts.)
 * - A Durable Object restarted mid-traffic: the WalletDO's and the fence's state survive an abort of
 *   the instance between calls; the next call finds the same balance, unsettled total and capacity.
 * Serial project: Redis and the RPC are shared engines, taken down for a moment.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { type Address, address } from "@solana/kit";
import { afterAll, describe, expect, it } from "vitest";
import type { CapacityFenceDO } from "../../durable-objects/capacity-fence.ts";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import { query } from "./auth-helpers.ts";
import { faucet, signAndSend, transferUsdc } from "./chain-helpers.ts";
import { json, type Party, signedIn } from "./party-helpers.ts";
import { BASE, type Buyer, call, chatBody, chatListing, engines, newBuyer, settled } from "./proxy-helpers.ts";
import { SELF } from "./self.ts";
import { walletStub } from "./wallet-do-helpers.ts";

const fenceStub = (listingId: string) => env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName(listingId));

interface VaultParty extends Party {
  vault: Address;
}
interface Envelope {
  error: { code: string; message: string; requestId: string; retryAfter?: number };
}

let redisDown = false;
let rpcDown = false;

async function redis(action: "stop" | "start"): Promise<void> {
  if (!engines.controlUrl) throw new Error("the engines control server is not running (dev/engines-main.ts)");
  const res = await fetch(`${engines.controlUrl}/redis/${action}`, { method: "POST" });
  expect(res.status, await res.text()).toBe(200);
  redisDown = action === "stop";
}

async function rpcOutage(down: boolean): Promise<void> {
  const res = await fetch(`${env.SOLANA_RPC_URL}/admin/outage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ down }),
  });
  expect(res.status).toBe(200);
  rpcDown = down;
}

afterAll(async () => {
  if (redisDown) await redis("start");
  if (rpcDown) await rpcOutage(false);
});

async function refused(res: Response, status: number, code: string): Promise<Envelope["error"]> {
  const body = await json<Envelope>(res, status);
  expect(body.error.code).toBe(code);
  return body.error;
}

function api(apiKey: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** Signed in, with a vault opened on chain (nothing deposited yet) and `usdc` left in the wallet. */
async function vaultParty(usdc: number): Promise<VaultParty> {
  const party = await signedIn();
  await faucet(party.signer.address, { usdc });
  const opened = await json<{ vault: string; transaction: string }>(await api(party.apiKey, "/v1/vault", {}), 201);
  await signAndSend(opened.transaction, party.signer);
  await json(await api(party.apiKey, "/v1/vault"), 200);
  return { ...party, vault: address(opened.vault) };
}

async function depositRows(wallet: string): Promise<number> {
  const [row] = await query<{ n: number }>("SELECT count(*)::int AS n FROM deposits WHERE wallet_address = $1", [
    wallet,
  ]);
  return row?.n ?? 0;
}

async function paidCall(buyer: Buyer, listing: Awaited<ReturnType<typeof chatListing>>): Promise<bigint> {
  const res = await call(buyer, listing, "/chat/completions", { body: chatBody() });
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return BigInt(res.headers.get("x-proxygate-cost") ?? "-1");
}

describe("Redis down", () => {
  it("calls keep being served and charged; a deposit is refused with 503 and recorded once Redis is back", async () => {
    const party = await vaultParty(3_000_000);
    const signature = await transferUsdc(party.signer, party.vault, 2_000_000n);
    const buyer = await newBuyer(5_000_000);
    const listing = await chatListing();
    const warm = await paidCall(buyer, listing);

    await redis("stop");
    let costs = 0n;
    try {
      for (let i = 0; i < 4; i++) costs += await paidCall(buyer, listing);
      const error = await refused(
        await api(party.apiKey, "/v1/deposits", { signature }),
        503,
        "dependency_unavailable",
      );
      expect(error.retryAfter).toBeGreaterThan(0);
      expect(await depositRows(party.signer.address)).toBe(0);
    } finally {
      await redis("start");
    }
    expect((await settled(buyer)).unsettled).toBe(warm + costs);

    // Redis is back (empty: it never persists) and the deposit goes through exactly once.
    await json(await api(party.apiKey, "/v1/deposits", { signature }), 201);
    await refused(await api(party.apiKey, "/v1/deposits", { signature }), 409, "conflict");
    expect(await depositRows(party.signer.address)).toBe(1);
  }, 90_000);
});

describe("Solana RPC down", () => {
  it("deposits and withdrawals are refused with 503, nothing recorded or reserved; both work once it is back", async () => {
    const party = await vaultParty(3_000_000);
    // One deposit recorded while the RPC is up (the balance to withdraw from), one sent but not yet reported.
    const first = await transferUsdc(party.signer, party.vault, 1_000_000n);
    await json(await api(party.apiKey, "/v1/deposits", { signature: first }), 201);
    await json(await api(party.apiKey, "/v1/balance"), 200);
    const signature = await transferUsdc(party.signer, party.vault, 1_000_000n);

    await rpcOutage(true);
    try {
      await refused(await api(party.apiKey, "/v1/deposits", { signature }), 503, "dependency_unavailable");
      await refused(await api(party.apiKey, "/v1/withdrawals", { amount: "500000" }), 503, "dependency_unavailable");
    } finally {
      await rpcOutage(false);
    }
    expect(await depositRows(party.signer.address)).toBe(1);
    const [open] = await query<{ n: number }>("SELECT count(*)::int AS n FROM withdrawals WHERE wallet_address = $1", [
      party.signer.address,
    ]);
    expect(open?.n).toBe(0);

    await json(await api(party.apiKey, "/v1/deposits", { signature }), 201);
    expect(await depositRows(party.signer.address)).toBe(2);
    await json(await api(party.apiKey, "/v1/withdrawals", { amount: "500000" }), 201);
  }, 90_000);
});

describe("a Durable Object restarted mid-traffic", () => {
  it("the WalletDO and the fence keep their state across an abort between calls", async () => {
    const buyer = await newBuyer(5_000_000);
    const listing = await chatListing();
    let fence = fenceStub(listing.config.listingId);
    let spent = 0n;
    for (let round = 0; round < 3; round++) {
      const calls = await Promise.all([paidCall(buyer, listing), paidCall(buyer, listing)]);
      spent += calls.reduce((s, c) => s + c, 0n);
      const before = await settled(buyer);
      const fenceBefore = await fence.snapshot();
      expect(fenceBefore.usedInWindow).toBeGreaterThan(0);
      // Abort both instances: the next request builds fresh objects from their SQLite storage
      // (an aborted object's stubs are broken for good: fresh ones, as the next Worker request gets).
      await runInDurableObject(buyer.stub, (_i: WalletDO, state) => {
        state.abort("restart");
      }).catch(() => undefined);
      await runInDurableObject(fence, (_i: CapacityFenceDO, state) => {
        state.abort("restart");
      }).catch(() => undefined);
      buyer.stub = walletStub(buyer.wallet);
      fence = fenceStub(listing.config.listingId);
      expect(await settled(buyer)).toEqual(before);
      expect(before.unsettled).toBe(spent);
      expect(await fence.snapshot()).toEqual(fenceBefore);
    }
    // The key still authenticates and the configuration (with its sealed provider key) still serves.
    spent += await paidCall(buyer, listing);
    expect((await settled(buyer)).unsettled).toBe(spent);
  }, 90_000);
});
