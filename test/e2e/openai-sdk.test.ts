/**
 * The real `openai` npm client against the built Worker: a buyer points `baseURL` at a listing of
 * the demo upstream's OpenAI-compatible API and pays per token. Checks what an SDK user sees
 * (completions, streams, typed errors) and that the balance moves by exactly the metered charge.
 */
import OpenAI, { APIError, AuthenticationError } from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { fundedBuyer } from "../../dev/lib/buyer.ts";
import { computeFees, priceForTokens } from "../../workers/credit/fees.ts";
import { balanceOf, sellerWithListing, settledBalance } from "./helpers.ts";

const gateway = inject("workerUrl");
const engines = inject("engines");

const PRICE_PER_1K = 1000n;
const MODEL = "demo-chat-1";

let baseURL: string;
let buyerKey: string;
let listingId: string;
const SERVICE = `e2e-llm-${Math.random().toString(36).slice(2, 8)}`;

/** The buyer's charge for `tokens` tokens at the listing's price (price + 5 % buyer fee). */
function chargeFor(tokens: number): bigint {
  return computeFees(priceForTokens(PRICE_PER_1K, tokens)).charge;
}

/** Retries off: each test makes exactly the calls it counts. */
function client(options: { apiKey?: string; fetch?: typeof fetch } = {}): OpenAI {
  return new OpenAI({ baseURL, apiKey: options.apiKey ?? buyerKey, maxRetries: 0, fetch: options.fetch });
}

function ask(content: string): ChatCompletionCreateParamsNonStreaming {
  return { model: MODEL, messages: [{ role: "user", content }] };
}

/** Waits until no reservation is open and returns the available balance. */
async function idleAvailable(): Promise<bigint> {
  const b = await settledBalance(gateway, buyerKey, (x) => x.reserved === "0");
  expect(b.reserved).toBe("0");
  return BigInt(b.available);
}

/** Waits until the call is confirmed: available is exactly `expected` and nothing is reserved. */
async function expectAvailable(expected: bigint): Promise<void> {
  const b = await settledBalance(gateway, buyerKey, (x) => x.reserved === "0" && BigInt(x.available) === expected);
  expect({ available: BigInt(b.available), reserved: b.reserved }).toEqual({ available: expected, reserved: "0" });
}

/** The `event: proxygate` trailer of a raw SSE body (after `data: [DONE]`). */
function trailerOf(raw: string): { requestId: string; cost: string; receipt: string } {
  const events = raw.split(/\r?\n\r?\n/);
  const done = events.findIndex((e) => e.trim() === "data: [DONE]");
  const trailer = events.find((e) => e.startsWith("event: proxygate\n"));
  expect(done).toBeGreaterThanOrEqual(0);
  expect(trailer, "a proxygate trailer event").toBeDefined();
  expect(events.indexOf(trailer as string)).toBeGreaterThan(done);
  return JSON.parse((trailer as string).slice("event: proxygate\ndata: ".length));
}

beforeAll(async () => {
  const { listing } = await sellerWithListing(gateway, engines.solanaRpcUrl, {
    service: SERVICE,
    category: "llm",
    upstreamBaseUrl: engines.upstreamUrl,
    allowedMethods: ["GET", "POST"],
    allowedPaths: ["/v1/chat/completions", "/v1/models"],
    keyInjection: { kind: "bearer" },
    price: PRICE_PER_1K.toString(),
    pricingUnit: "per_1k_tokens",
    capacity: { total: 1000, reservedForSelf: 0, window: "minute" },
    providerKey: engines.upstreamApiKey,
  });
  baseURL = `${gateway}/v1/proxy/${listing.id}/v1`;
  listingId = listing.id;
  const buyer = await fundedBuyer(gateway, engines.solanaRpcUrl, engines.vars.USDC_MINT, 5_000_000);
  buyerKey = buyer.apiKey;
  // The WalletDO refreshes its chain snapshot on a balance read; reservations never read the chain.
  const b = await balanceOf(gateway, buyerKey);
  expect(b.available).toBe("5000000");
});

describe("the openai SDK through a proxygate listing", () => {
  it("gets a chat completion with usage and is charged exactly X-Proxygate-Cost", async () => {
    const before = await idleAvailable();
    const { data, response } = await client()
      .chat.completions.create(ask("What does a capacity fence do?"))
      .withResponse();

    const content = data.choices[0]?.message.content ?? "";
    expect(content).toContain("What does a capacity fence do?");
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));

    const cost = BigInt(response.headers.get("x-proxygate-cost") ?? "-1");
    expect(cost).toBe(chargeFor(data.usage?.total_tokens ?? 0));
    expect(cost).toBeGreaterThan(0n);
    expect(response.headers.get("x-proxygate-receipt")).toMatch(/^pgr1\./);
    await expectAvailable(before - cost);
  });

  it("streams chunk by chunk, survives the trailer event and is charged its cost", async () => {
    const prompt = "Stream me a short answer, please?";
    const reference = await client().chat.completions.create(ask(prompt));
    const referenceText = reference.choices[0]?.message.content ?? "";
    const expectedCost = chargeFor(reference.usage?.total_tokens ?? 0);
    const before = await idleAvailable();

    // A fetch that tees the body: the SDK reads one branch, the test keeps the raw SSE text.
    let raw: Promise<string> | undefined;
    const recording: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (res.body === null) return res;
      const [sdk, copy] = res.body.tee();
      raw = new Response(copy).text();
      return new Response(sdk, { status: res.status, statusText: res.statusText, headers: res.headers });
    };

    const started = performance.now();
    const stream = await client({ fetch: recording }).chat.completions.create({ ...ask(prompt), stream: true });
    const arrivals: number[] = [];
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      // The gateway asked the upstream for usage; the buyer did not, so that chunk must not reach them.
      expect(chunk.choices.length).toBeGreaterThan(0);
      expect(chunk.usage ?? null).toBeNull();
      const piece = chunk.choices[0]?.delta.content ?? "";
      if (piece !== "") {
        arrivals.push(performance.now() - started);
        text += piece;
      }
    }
    const total = performance.now() - started;

    expect(text).toBe(referenceText);
    expect(arrivals.length).toBeGreaterThanOrEqual(2);
    expect(chunks).toBeGreaterThan(arrivals.length);
    // The demo upstream waits ~20 ms between chunks: passed through live, the first one arrives long
    // before the end; buffered, all would arrive together.
    const first = arrivals[0] as number;
    expect(total - first).toBeGreaterThan(Math.min(200, (arrivals.length - 1) * 10));

    expect(raw).toBeDefined();
    const trailer = trailerOf(await (raw as Promise<string>));
    expect(BigInt(trailer.cost)).toBe(expectedCost);
    expect(trailer.receipt).toMatch(/^pgr1\./);
    await expectAvailable(before - expectedCost);
  });

  it("charges a plain SDK stream, which stops reading at [DONE], the same as the plain call", async () => {
    const prompt = "Is a stream billed like a plain call?";
    const reference = await client().chat.completions.create(ask(prompt));
    const expectedCost = chargeFor(reference.usage?.total_tokens ?? 0);
    const before = await idleAvailable();

    const stream = await client().chat.completions.create({ ...ask(prompt), stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";

    expect(text).toBe(reference.choices[0]?.message.content);
    await expectAvailable(before - expectedCost);
  });

  it("throws AuthenticationError (401) for a wrong API key, with our error envelope", async () => {
    const wallet = buyerKey.split("_")[1] as string;
    const forged = `pgk_${wallet}_${"1".repeat(32)}`;
    const before = await idleAvailable();

    const err = await client({ apiKey: forged })
      .chat.completions.create(ask("hello"))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(AuthenticationError);
    expect((err as AuthenticationError).status).toBe(401);
    expect((err as AuthenticationError).code).toBe("unauthorized");
    expect((err as AuthenticationError).headers.get("x-proxygate-cost")).toBe("0");
    expect(await idleAvailable()).toBe(before);
  });

  it("refuses a path the listing does not allow (embeddings) with 400 invalid_request, uncharged", async () => {
    const before = await idleAvailable();

    const err = await client()
      .embeddings.create({ model: "demo-embed-1", input: "not listed" })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(APIError);
    const apiErr = err as APIError;
    expect(apiErr.status).toBe(400);
    // Our envelope ({code, message, requestId}), not the upstream's OpenAI error ({type, param}).
    expect(apiErr.error).toMatchObject({ code: "invalid_request" });
    expect(apiErr.error).toHaveProperty("requestId", apiErr.headers?.get("x-proxygate-request-id"));
    expect(apiErr.error).not.toHaveProperty("type");
    expect(apiErr.headers?.get("x-proxygate-cost")).toBe("0");
    expect(await idleAvailable()).toBe(before);
  });
});

describe("the openai SDK with baseURL = <gateway>/v1/proxy/<service>", () => {
  it("is routed to a seller of the service, names it, and is charged its metered cost", async () => {
    const before = await idleAvailable();
    const byService = new OpenAI({ baseURL: `${gateway}/v1/proxy/${SERVICE}/v1`, apiKey: buyerKey, maxRetries: 0 });
    const { data, response } = await byService.chat.completions
      .create(ask("Which seller serves a call by service?"))
      .withResponse();
    expect(data.choices[0]?.message.content ?? "").toContain("Which seller serves a call by service?");
    expect(response.headers.get("x-proxygate-listing")).toBe(listingId);
    const cost = BigInt(response.headers.get("x-proxygate-cost") ?? "-1");
    expect(cost).toBe(chargeFor(data.usage?.total_tokens ?? 0));
    await expectAvailable(before - cost);

    const stream = await byService.chat.completions.create({ ...ask("And streamed?"), stream: true });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toContain("And streamed?");
  });
});
