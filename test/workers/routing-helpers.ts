/**
 * Helpers for the routing tests: extra demo upstreams (own latency and fault rates, started by the
 * engines' control server), sellers listing them under one service through the listings API, and
 * calls by service name through the gateway.
 */
import { runDurableObjectAlarm } from "cloudflare:test";
import { expect } from "vitest";
import { computeFees } from "../../workers/credit/fees.ts";
import type { OwnerListing } from "../../workers/listings/interface.ts";
import { parseReceipt } from "../../workers/receipts/receipt.ts";
import { query } from "./auth-helpers.ts";
import { createListing, newSeller, type Seller } from "./listings-helpers.ts";
import { BASE, type Buyer, engines } from "./proxy-helpers.ts";
import { SELF } from "./self.ts";

export interface Behaviour {
  latencyMs?: number;
  failRate?: number;
  rateLimitRate?: number;
}

/** Another demo upstream with its own behaviour; returns its base URL. */
export async function startUpstream(behaviour: Behaviour): Promise<string> {
  const res = await fetch(`${engines.controlUrl}/upstreams`, { method: "POST", body: JSON.stringify(behaviour) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

/** Changes a running demo upstream's behaviour (its own control endpoint). */
export async function setBehaviour(url: string, behaviour: Behaviour): Promise<void> {
  const res = await fetch(`${url}/__control`, {
    method: "POST",
    headers: { "x-control-token": engines.upstreamControlToken, "content-type": "application/json" },
    body: JSON.stringify(behaviour),
  });
  expect(res.status).toBe(200);
}

export function uniqueService(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A seller (own wallet, or `seller`) listing the demo data API of `upstreamUrl` under `service` at `price` per call. */
export async function sellerOf(
  service: string,
  upstreamUrl: string,
  price: bigint,
  seller?: Seller,
): Promise<OwnerListing> {
  return createListing(seller ?? (await newSeller()), {
    service,
    category: "data",
    upstreamBaseUrl: upstreamUrl,
    allowedPaths: ["/data/weather"],
    price: price.toString(),
    capacity: { total: 100_000, reservedForSelf: 0, window: "minute" },
    providerKey: engines.upstreamApiKey,
  });
}

export interface Served {
  status: number;
  listing: string | null;
  cost: bigint;
  receipt: string | null;
  retryAfter: string | null;
  body: string;
  /** Wall time of the call as the buyer saw it, ms. */
  ms: number;
}

/** One call by service name. */
export async function callService(buyer: Pick<Buyer, "apiKey">, service: string): Promise<Served> {
  const started = Date.now();
  const res = await SELF.fetch(`${BASE}/v1/proxy/${service}/data/weather?city=Lisbon`, {
    headers: { authorization: `Bearer ${buyer.apiKey}` },
  });
  return {
    status: res.status,
    listing: res.headers.get("x-proxygate-listing"),
    cost: BigInt(res.headers.get("x-proxygate-cost") ?? "-1"),
    receipt: res.headers.get("x-proxygate-receipt"),
    retryAfter: res.headers.get("retry-after"),
    body: await res.text(),
    ms: Date.now() - started,
  };
}

/** `n` calls, `concurrency` at a time, in order of completion batches. */
export async function callMany(
  buyer: Pick<Buyer, "apiKey">,
  service: string,
  n: number,
  concurrency = 4,
): Promise<Served[]> {
  const out: Served[] = [];
  for (let i = 0; i < n; i += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, n - i) }, () => callService(buyer, service));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** Median buyer-side wall time of the calls a listing served, ms. */
export function medianMs(calls: readonly Served[], listingId: string): number {
  const times = calls
    .filter((c) => c.listing === listingId)
    .map((c) => c.ms)
    .sort((a, b) => a - b);
  expect(times.length).toBeGreaterThan(0);
  return times[Math.floor(times.length / 2)] as number;
}

export function shareOf(calls: readonly Served[], listingId: string): number {
  return calls.length === 0 ? 0 : calls.filter((c) => c.listing === listingId).length / calls.length;
}

/** The buyer charge of one call at `price` per call (price + buyer fee). */
export function chargeAt(price: bigint): bigint {
  return computeFees(price).charge;
}

/** The signed fields of a receipt header. */
export function receiptFields(receipt: string): { requestId: string; listing: string; charge: bigint } {
  const parsed = parseReceipt(receipt);
  expect(parsed).not.toBeNull();
  const f = (parsed as NonNullable<typeof parsed>).fields;
  return { requestId: f.requestId, listing: f.listing, charge: BigInt(f.charge) };
}

/** Flushes the buyer's ledger outbox, then returns its ledger rows (request id → listing, charge). */
export async function ledgerOf(
  buyer: Buyer,
  expected: number,
): Promise<Map<string, { listing: string; charge: bigint }>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    await runDurableObjectAlarm(buyer.stub);
    const rows = await query<{ request_id: string; listing_id: string; charge: string }>(
      "SELECT request_id, listing_id, charge FROM ledger_entries WHERE buyer_wallet = $1",
      [buyer.wallet],
    );
    if (rows.length >= expected || Date.now() > deadline) {
      return new Map(rows.map((r) => [r.request_id, { listing: r.listing_id, charge: BigInt(r.charge) }]));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
