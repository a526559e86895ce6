/**
 * Helpers for the proxy tests: a funded buyer (real WalletDO, real vault balance on the local
 * chain), a seller + listing in Postgres (the ledger's foreign keys) and the listing's fence
 * configured with a really sealed provider key pointing at the demo upstream.
 */
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { expect, inject } from "vitest";
import type { EngineInfo } from "../../dev/engines-main.ts";
import type { ListingConfig } from "../../workers/fence/interface.ts";
import { importMasterKeys, sealProviderKey } from "../../workers/lib/key-vault.ts";
import { query } from "./auth-helpers.ts";
import { SELF } from "./self.ts";
import { createSellerListing, fundedWallet, type Seller, type TestWallet } from "./wallet-do-helpers.ts";

export const BASE = "http://gateway.test";
export const engines: EngineInfo = inject("engines");

export type Buyer = TestWallet & { vault: string };

/** A buyer with `usdc` micro-USDC of credit and one API key. */
export function newBuyer(usdc = 10_000_000): Promise<Buyer> {
  return fundedWallet(usdc);
}

export interface TestListing {
  seller: Seller;
  config: ListingConfig;
  /** The provider key sealed into the fence. */
  providerKey: string;
}

type ListingOverrides = Partial<Omit<ListingConfig, "listingId" | "sellerId" | "sellerWallet" | "key">>;

/** Configures (or reconfigures) a listing's fence with `providerKey` sealed for (listing, version). */
export async function configureFence(config: Omit<ListingConfig, "key">, providerKey: string, version = 1) {
  const ring = await importMasterKeys(env.VAULT_MASTER_KEYS);
  const sealed = await sealProviderKey(ring, providerKey, { listingId: config.listingId, keyVersion: version });
  const full: ListingConfig = { ...config, key: { ...sealed, version } };
  const fence = env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName(config.listingId));
  expect(await fence.configure(full)).toEqual({ applied: true });
  return full;
}

/**
 * A listing of the demo data API (GET /data/**, `X-Api-Key` injection, 1 000 micro-USDC per call)
 * unless `overrides` say otherwise; its rows exist in Postgres so confirmed calls reach the ledger.
 */
export async function newListing(
  overrides: ListingOverrides = {},
  providerKey = engines.upstreamApiKey,
): Promise<TestListing> {
  const seller = await createSellerListing();
  const config = await configureFence(
    {
      listingId: seller.listingId,
      sellerId: seller.sellerId,
      sellerWallet: seller.wallet,
      service: "demo-data",
      status: "active",
      upstreamBaseUrl: engines.upstreamUrl,
      allowedMethods: ["GET"],
      allowedPaths: ["/data/**"],
      keyInjection: { kind: "header", name: "X-Api-Key" },
      price: 1_000n,
      pricingUnit: "per_call",
      capacity: { total: 1_000, reservedForSelf: 0, window: "minute" },
      configVersion: 1,
      ...overrides,
    },
    providerKey,
  );
  return { seller, config, providerKey };
}

/** An OpenAI-compatible chat listing of the demo upstream, priced per 1k tokens, bearer injection. */
export function chatListing(overrides: ListingOverrides = {}): Promise<TestListing> {
  return newListing({
    service: "demo-openai",
    upstreamBaseUrl: `${engines.upstreamUrl}/v1`,
    allowedMethods: ["GET", "POST"],
    allowedPaths: ["/chat/completions", "/models", "/debug/**"],
    keyInjection: { kind: "bearer" },
    price: 2_000n,
    pricingUnit: "per_1k_tokens",
    ...overrides,
  });
}

/** Query parameters that make the demo upstream fail (or echo) this one request. */
export function fault(
  kind: "503" | "500" | "429" | "401" | "cut" | "echo",
  extra: Record<string, string> = {},
): string {
  return new URLSearchParams({ demo_fault: kind, demo_token: engines.upstreamControlToken, ...extra }).toString();
}

export function proxyUrl(listing: TestListing, path: string): string {
  return `${BASE}/v1/proxy/${listing.config.listingId}${path}`;
}

/** A call through the gateway as the buyer. */
export function call(
  buyer: Pick<Buyer, "apiKey">,
  listing: TestListing,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  return SELF.fetch(proxyUrl(listing, path), {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      authorization: `Bearer ${buyer.apiKey}`,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
}

export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: "demo-chat-1",
  messages: [{ role: "user", content: "How many tokens is this question?" }],
  ...extra,
});

/** Waits until the buyer's WalletDO has nothing reserved (confirm/refund ran after the response). */
export async function settled(buyer: Buyer): Promise<{ available: bigint; unsettled: bigint; reserved: bigint }> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const b = await buyer.stub.balance();
    if (b.reserved === 0n) return b;
    if (Date.now() > deadline) throw new Error(`reservation still open: ${b.reserved}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Runs the buyer's WalletDO alarm until its outbox reached Postgres, then returns the ledger row. */
export async function ledgerRow(buyer: Buyer, requestId: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await runDurableObjectAlarm(buyer.stub);
    const rows = await query<{
      charge: string;
      seller_payout: string;
      platform_fee: string;
      units: string;
      created_at: Date;
      listing_id: string;
      buyer_wallet: string;
      payee_wallet: string;
    }>(
      "SELECT charge, seller_payout, platform_fee, units, created_at, listing_id, buyer_wallet, payee_wallet FROM ledger_entries WHERE request_id = $1",
      [requestId],
    );
    if (rows[0]) return rows[0];
    if (Date.now() > deadline) throw new Error(`no ledger entry for ${requestId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The SSE events of a body, as { event, data } pairs. */
export function sseEvents(text: string): Array<{ event: string | null; data: string }> {
  return text
    .split(/\n\n/)
    .filter((block) => block.trim() !== "")
    .map((block) => {
      let event: string | null = null;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      return { event, data: data.join("\n") };
    });
}

export async function receiptPublicKey(): Promise<string> {
  const res = await SELF.fetch(`${BASE}/v1/receipts/public-key`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { publicKey: string }).publicKey;
}
