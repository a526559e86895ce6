/**
 * The metered proxy, happy paths, against real engines: a per-call data API (header and query key
 * injection) and a per-1k-token chat API (plain and streamed). The buyer is charged exactly
 * price + buyer fee (per call) or the fee split of the actual usage (tokens); the receipt verifies
 * and is re-issued identically from the ledger.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { computeFees, priceForTokens } from "../../workers/credit/fees.ts";
import { verifyReceipt } from "../../workers/receipts/receipt.ts";
import {
  BASE,
  type Buyer,
  call,
  chatBody,
  chatListing,
  configureFence,
  engines,
  ledgerRow,
  newBuyer,
  newListing,
  receiptPublicKey,
  settled,
  sseEvents,
  type TestListing,
} from "./proxy-helpers.ts";
import { SELF } from "./self.ts";

let publicKey: string;

beforeAll(async () => {
  publicKey = await receiptPublicKey();
});

describe("per-call data API", () => {
  let buyer: Buyer;
  let listing: TestListing;

  beforeAll(async () => {
    buyer = await newBuyer(10_000_000);
    listing = await newListing();
  });

  it("forwards with the key injected and charges price + buyer fee exactly, with a verifiable receipt", async () => {
    const before = await buyer.stub.balance();
    const res = await call(buyer, listing, "/data/quotes/ACME");
    const body = await res.text();
    expect(res.status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ symbol: "ACME" });

    const requestId = res.headers.get("x-proxygate-request-id")!;
    expect(requestId).toMatch(/^req_[0-9a-f]{28}$/);
    expect(res.headers.get("x-proxygate-listing")).toBe(listing.config.listingId);
    const charge = computeFees(1_000n).charge;
    expect(charge).toBe(1_050n);
    expect(res.headers.get("x-proxygate-cost")).toBe("1050");

    const receipt = res.headers.get("x-proxygate-receipt")!;
    const fields = await verifyReceipt(receipt, publicKey);
    expect(fields).toMatchObject({ requestId, wallet: buyer.wallet, listing: listing.config.listingId, charge });

    const after = await settled(buyer);
    expect(after.unsettled - before.unsettled).toBe(charge);
    expect(before.available - after.available).toBe(charge);

    // The ledger entry: the fee split of DESIGN §3, booked at the receipt's timestamp.
    const row = await ledgerRow(buyer, requestId);
    expect(row).toMatchObject({
      charge: "1050",
      seller_payout: "950",
      platform_fee: "100",
      units: "1",
      listing_id: listing.config.listingId,
      buyer_wallet: buyer.wallet,
      payee_wallet: listing.seller.wallet,
    });
    expect(new Date(row.created_at).getTime()).toBe(fields!.timestamp);

    // Re-issued from the ledger: the very same receipt, for the buyer and for the seller's wallet only.
    const again = await SELF.fetch(`${BASE}/v1/receipts/${requestId}`, {
      headers: { authorization: `Bearer ${buyer.apiKey}` },
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ receipt, requestId, charge: "1050", publicKey });
    const stranger = await newBuyer(1);
    const hidden = await SELF.fetch(`${BASE}/v1/receipts/${requestId}`, {
      headers: { authorization: `Bearer ${stranger.apiKey}` },
    });
    expect(hidden.status).toBe(404);
  });

  it("injects the key as a query parameter, replacing any the buyer sent", async () => {
    const byQuery = await newListing({ keyInjection: { kind: "query", name: "api_key" } });
    const res = await call(buyer, byQuery, "/data/weather?city=Oslo&api_key=buyer-guess");
    expect(res.status, await res.clone().text()).toBe(200);
    expect(await res.json()).toMatchObject({ city: "Oslo" });
    expect(res.headers.get("x-proxygate-cost")).toBe("1050");
  });

  it("Idempotency-Key: a retry is refused as a duplicate and charged once", async () => {
    const before = await settled(buyer);
    const headers = { "idempotency-key": `order-${crypto.randomUUID()}` };
    const first = await call(buyer, listing, "/data/quotes/IDEM", { headers });
    expect(first.status).toBe(200);
    const receipt = await verifyReceipt(first.headers.get("x-proxygate-receipt")!, publicKey);
    expect(receipt?.requestId).toMatch(/^idk_[0-9a-f]{40}$/);
    await first.arrayBuffer();
    const retry = await call(buyer, listing, "/data/quotes/IDEM", { headers });
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { error: { code: string } }).error.code).toBe("duplicate_request");
    const after = await settled(buyer);
    expect(after.unsettled - before.unsettled).toBe(1_050n);
  });
});

describe("per-1k-token chat API", () => {
  let buyer: Buyer;
  let listing: TestListing;
  const price = 2_000n;

  beforeAll(async () => {
    buyer = await newBuyer(10_000_000);
    listing = await chatListing({ price });
  });

  it("charges a completion from its usage object", async () => {
    const before = await settled(buyer);
    const res = await call(buyer, listing, "/chat/completions", { body: chatBody() });
    const body = (await res.json()) as { usage: { total_tokens: number }; choices: unknown[] };
    expect(res.status).toBe(200);
    const expected = computeFees(priceForTokens(price, body.usage.total_tokens)).charge;
    expect(res.headers.get("x-proxygate-cost")).toBe(expected.toString());
    const after = await settled(buyer);
    expect(after.unsettled - before.unsettled).toBe(expected);
    const row = await ledgerRow(buyer, res.headers.get("x-proxygate-request-id")!);
    expect(row.units).toBe(String(body.usage.total_tokens));
  });

  it("streams: chunks arrive before the upstream has finished; usage from the final chunk is charged", async () => {
    const before = await settled(buyer);
    const res = await call(buyer, listing, "/chat/completions", { body: chatBody({ stream: true }) });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const arrivals: Array<{ at: number; text: string }> = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      arrivals.push({ at: performance.now(), text: decoder.decode(value, { stream: true }) });
    }
    const text = arrivals.map((a) => a.text).join("");
    // The demo sends a chunk every 20 ms: the first content reached us long before the last.
    expect(arrivals.length).toBeGreaterThan(5);
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThan(100);
    expect(arrivals[0]!.text).toContain("chat.completion.chunk");

    const events = sseEvents(text);
    const doneAt = events.findIndex((e) => e.data === "[DONE]");
    expect(doneAt).toBeGreaterThan(0);
    // The buyer did not ask for usage: the usage-only chunk the gateway requested is not passed on.
    const chunks = events
      .filter((e) => e.event === null && e.data.startsWith("{"))
      .map((e) => JSON.parse(e.data) as { choices: unknown[] });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    // Cost and receipt come as one event after [DONE] (OpenAI SDKs stop reading at [DONE]).
    expect(events.at(-1)!.event).toBe("proxygate");
    expect(doneAt).toBe(events.length - 2);
    const trailer = JSON.parse(events.at(-1)!.data) as { requestId: string; cost: string; receipt: string };
    const fields = await verifyReceipt(trailer.receipt, publicKey);
    expect(fields?.charge.toString()).toBe(trailer.cost);

    const after = await settled(buyer);
    expect(after.unsettled - before.unsettled).toBe(BigInt(trailer.cost));
    const row = await ledgerRow(buyer, trailer.requestId);
    expect(row.charge).toBe(trailer.cost);
    expect(BigInt(trailer.cost)).toBe(computeFees(priceForTokens(price, Number(row.units))).charge);
  });

  it("a buyer who asked for usage gets the usage chunk, and is charged exactly its total", async () => {
    const res = await call(buyer, listing, "/chat/completions", {
      body: chatBody({ stream: true, stream_options: { include_usage: true } }),
    });
    const events = sseEvents(await res.text());
    const usage = events
      .filter((e) => e.data.startsWith("{") && e.event === null)
      .map((e) => JSON.parse(e.data) as { usage?: { total_tokens: number } | null })
      .find((c) => c.usage)?.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
    const trailer = JSON.parse(events.at(-1)!.data) as { cost: string };
    expect(trailer.cost).toBe(computeFees(priceForTokens(price, usage!.total_tokens)).charge.toString());
  });
});

describe("live listing changes", () => {
  it("a rotated key is used on the very next call; a paused listing is refused on the next call", async () => {
    const buyer = await newBuyer(1_000_000);
    const listing = await newListing({}, "sk-old-key-the-upstream-no-longer-takes");
    expect((await call(buyer, listing, "/data/quotes/ROT")).status).toBe(502);
    const { key: _old, ...config } = listing.config;
    await configureFence({ ...config, configVersion: 2 }, engines.upstreamApiKey, 2);
    const rotated = await call(buyer, listing, "/data/quotes/ROT");
    expect(rotated.status, await rotated.clone().text()).toBe(200);
    await configureFence({ ...config, configVersion: 3, status: "paused" }, engines.upstreamApiKey, 2);
    expect((await call(buyer, listing, "/data/quotes/ROT")).status).toBe(503);
  });
});

describe("price changes", () => {
  it("a price raised since this isolate cached it is charged in full, from a reservation swapped to cover it", async () => {
    const buyer = await newBuyer(1_000_000);
    const listing = await newListing();
    const publicKey = await receiptPublicKey();
    const before = await settled(buyer);
    const first = await call(buyer, listing, "/data/quotes/P1");
    expect(first.headers.get("x-proxygate-cost")).toBe("1050");
    await first.arrayBuffer();

    const { key: _key, ...config } = listing.config;
    await configureFence({ ...config, price: 5_000n, configVersion: 2 }, engines.upstreamApiKey);
    const raised = await call(buyer, listing, "/data/quotes/P2");
    expect(raised.status).toBe(200);
    expect(raised.headers.get("x-proxygate-cost")).toBe("5250");
    const fields = await verifyReceipt(raised.headers.get("x-proxygate-receipt")!, publicKey);
    // The cached (lower) reservation was refunded and a covering one made under a derived id.
    expect(fields?.requestId).toBe(`${raised.headers.get("x-proxygate-request-id")}-r`);
    await raised.arrayBuffer();

    await configureFence({ ...config, price: 100n, configVersion: 3 }, engines.upstreamApiKey);
    const lowered = await call(buyer, listing, "/data/quotes/P3");
    expect(lowered.headers.get("x-proxygate-cost")).toBe("105");
    await lowered.arrayBuffer();

    const after = await settled(buyer);
    expect(after.unsettled - before.unsettled).toBe(1_050n + 5_250n + 105n);
    expect(before.available - after.available).toBe(1_050n + 5_250n + 105n);
  });
});
