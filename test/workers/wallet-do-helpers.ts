/** Helpers for the WalletDO tests: real objects, a real vault balance on the local chain, real Postgres rows. */
import { env, runInDurableObject } from "cloudflare:test";
import { generateKeyPairSigner } from "@solana/kit";
import { expect } from "vitest";
import { createDb, createPool } from "../../db/client.ts";
import { listings, sellers, wallets } from "../../db/schema.ts";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import { hashApiKey, newApiKey } from "../../workers/auth/api-key.ts";
import { computeFees } from "../../workers/credit/fees.ts";
import type { LedgerEntryDraft } from "../../workers/credit/interface.ts";

export type WalletStub = DurableObjectStub<WalletDO>;

export async function newAddress(): Promise<string> {
  return (await generateKeyPairSigner()).address;
}

export function walletStub(wallet: string): WalletStub {
  return env.WALLET.get(env.WALLET.idFromName(wallet));
}

export interface TestWallet {
  wallet: string;
  apiKey: string;
  keyId: string;
  stub: WalletStub;
}

/** A fresh wallet with one registered API key (as sign-in would register it). */
export async function walletWithKey(): Promise<TestWallet> {
  const wallet = await newAddress();
  const { apiKey } = newApiKey(wallet);
  const keyId = crypto.randomUUID();
  const stub = walletStub(wallet);
  await stub.registerKey(wallet, keyId, await hashApiKey(apiKey));
  return { wallet, apiKey, keyId, stub };
}

/**
 * Mints `usdc` micro-USDC into a token account on the local chain (the faucet's associated token
 * account of `wallet`) and makes it the wallet's vault; the DO reads the balance from chain.
 */
export async function fundVault(t: TestWallet, usdc: number): Promise<string> {
  const res = await fetch(`${env.SOLANA_RPC_URL}/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ wallet: t.wallet, usdc }),
  });
  const body = (await res.json()) as { ata: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  await t.stub.setVault(t.wallet, body.ata);
  return body.ata;
}

/** A wallet with a key and a vault holding `usdc`, its snapshot already read. */
export async function fundedWallet(usdc: number): Promise<TestWallet & { vault: string }> {
  const t = await walletWithKey();
  const vault = await fundVault(t, usdc);
  const balance = await t.stub.balance();
  expect(balance.onChain).toBe(BigInt(usdc));
  expect(balance.available).toBe(BigInt(usdc));
  return { ...t, vault };
}

export interface Seller {
  wallet: string;
  sellerId: string;
  listingId: string;
}

/** A seller and a listing in Postgres: the rows a call's ledger entry references. */
export async function createSellerListing(): Promise<Seller> {
  const wallet = await newAddress();
  const pool = createPool(env);
  try {
    const db = createDb(pool);
    await db.insert(wallets).values({ address: wallet });
    const [seller] = await db.insert(sellers).values({ walletAddress: wallet }).returning({ id: sellers.id });
    const [listing] = await db
      .insert(listings)
      .values({
        sellerId: seller!.id,
        service: "demo",
        category: "test",
        upstreamBaseUrl: "http://127.0.0.1:1",
        allowedMethods: ["POST"],
        allowedPaths: ["/v1/chat/completions"],
        price: 1_000n,
        capacityTotal: 100,
      })
      .returning({ id: listings.id });
    return { wallet, sellerId: seller!.id, listingId: listing!.id };
  } finally {
    await pool.end();
  }
}

/** The ledger entry of a call priced `price`, with the fee split from the fee function. */
export function callEntry(seller: Seller, price: bigint): { charge: bigint; entry: LedgerEntryDraft } {
  const fees = computeFees(price);
  return {
    charge: fees.charge,
    entry: {
      kind: "call",
      listingId: seller.listingId,
      sellerId: seller.sellerId,
      payeeWallet: seller.wallet,
      units: 1,
      sellerPayout: fees.sellerPayout,
      platformFee: fees.platformFee,
    },
  };
}

/** A ledger entry for `charge` (payout = charge − 1, fee = 1) with FK ids that need not exist. */
export function entryFor(charge: bigint, ids: Partial<Seller> = {}): LedgerEntryDraft {
  return {
    kind: "call",
    listingId: ids.listingId ?? crypto.randomUUID(),
    sellerId: ids.sellerId ?? crypto.randomUUID(),
    payeeWallet: ids.wallet ?? "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU",
    units: 1,
    sellerPayout: charge - 1n,
    platformFee: 1n,
  };
}

/** Runs SQL inside the object (what an operator or a test sees in its storage). */
export function storageRows<T extends Record<string, SqlStorageValue>>(
  stub: WalletStub,
  query: string,
  ...bindings: unknown[]
): Promise<T[]> {
  return runInDurableObject(stub, (_instance: WalletDO, state) =>
    state.storage.sql.exec<T>(query, ...bindings).toArray(),
  );
}

/**
 * Asserts that a WalletDO method throws, calling it on the instance inside the object rather than
 * through the stub: a rejecting DO RPC leaks an unhandled rejection under the vitest pool
 * (cloudflare/workers-sdk#14736) even when the test handles it.
 */
export function rejects(
  stub: WalletStub,
  call: (wallet: WalletDO) => Promise<unknown>,
  message: RegExp,
): Promise<void> {
  return runInDurableObject(stub, async (instance: WalletDO) => {
    await expect(call(instance)).rejects.toThrow(message);
  });
}
