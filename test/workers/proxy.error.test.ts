/**
 * The proxy's refusals and upstream failures: each answers with our envelope and the documented
 * status (docs/decisions/010-proxy.md), and a failed call costs the buyer nothing.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../workers/app.ts";
import {
  BASE,
  type Buyer,
  call,
  chatBody,
  chatListing,
  configureFence,
  fault,
  newBuyer,
  newListing,
  proxyUrl,
  settled,
  sseEvents,
  type TestListing,
} from "./proxy-helpers.ts";
import { startUpstream } from "./routing-helpers.ts";
import { SELF } from "./self.ts";

const app = createApp();

interface Envelope {
  error: { code: string; message: string; requestId: string; retryAfter?: number };
}

async function expectError(res: Response, status: number, code: string): Promise<Envelope> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  const body = JSON.parse(text) as Envelope;
  expect(body.error.code).toBe(code);
  expect(body.error.requestId).toBe(res.headers.get("x-proxygate-request-id"));
  return body;
}

let buyer: Buyer;
let listing: TestListing;

beforeAll(async () => {
  buyer = await newBuyer(5_000_000);
  listing = await newListing();
});

/** Runs `fn` and checks the buyer's money did not move (nothing reserved, nothing charged). */
async function costsNothing(fn: () => Promise<void>): Promise<void> {
  const before = await settled(buyer);
  await fn();
  const after = await settled(buyer);
  expect(after.available).toBe(before.available);
  expect(after.unsettled).toBe(before.unsettled);
}

describe("upstream failures are refunded", () => {
  it("5xx → 502 upstream_error", async () => {
    await costsNothing(async () => {
      const res = await call(buyer, listing, `/data/quotes/A?${fault("503")}`);
      await expectError(res, 502, "upstream_error");
      expect(res.headers.get("x-proxygate-cost")).toBe("0");
      expect(res.headers.get("x-proxygate-receipt")).toBeNull();
      await expectError(await call(buyer, listing, `/data/quotes/A?${fault("500")}`), 502, "upstream_error");
    });
  });

  it("the seller's key refused upstream (401) → 502 upstream_error", async () => {
    await costsNothing(async () => {
      await expectError(await call(buyer, listing, `/data/quotes/A?${fault("401")}`), 502, "upstream_error");
      const wrongKey = await newListing({}, "sk-not-the-upstream-key");
      await expectError(await call(buyer, wrongKey, "/data/quotes/A"), 502, "upstream_error");
    });
  });

  it("buyer-input 4xx keep their meaning (400, 404)", async () => {
    await costsNothing(async () => {
      await expectError(await call(buyer, listing, "/data/weather"), 400, "invalid_request");
      await expectError(await call(buyer, listing, "/data/nothing-here"), 404, "not_found");
    });
  });

  it("429 → 503 no_capacity with the upstream's Retry-After, and the listing backs off", async () => {
    const limited = await newListing();
    await costsNothing(async () => {
      const res = await call(buyer, limited, `/data/quotes/A?${fault("429", { demo_retry_after: "3" })}`);
      const body = await expectError(res, 503, "no_capacity");
      expect(res.headers.get("retry-after")).toBe("3");
      expect(body.error.retryAfter).toBe(3);
      // The backoff is applied after the response: the next call is refused by the fence, not forwarded.
      let next: Response | undefined;
      for (let i = 0; i < 50; i++) {
        next = await call(buyer, limited, "/data/quotes/A");
        if (next.status === 503) break;
        await next.arrayBuffer();
        await new Promise((r) => setTimeout(r, 20));
      }
      const refused = await expectError(next!, 503, "no_capacity");
      expect(refused.error.message).toMatch(/rate limiting/);
      expect(Number(next!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    });
  });

  it("an upstream slower than the timeout → 504 upstream_timeout, refunded", async () => {
    // A demo upstream that answers after 4 s, and a gateway (same bindings) that waits 1 s for headers.
    const slow = await newListing({ upstreamBaseUrl: await startUpstream({ latencyMs: 4_000 }) });
    const bindings = { ...env, UPSTREAM_TIMEOUT_MS: "1000" };
    await costsNothing(async () => {
      const ctx = createExecutionContext();
      const res = await app.request(
        proxyUrl(slow, "/data/quotes/A"),
        { headers: { authorization: `Bearer ${buyer.apiKey}` } },
        bindings,
        ctx,
      );
      await expectError(res, 504, "upstream_timeout");
      expect(res.headers.get("x-proxygate-cost")).toBe("0");
      await waitOnExecutionContext(ctx);
    });
    // The same listing with the default timeout: the answer arrives (the 504 above was the timeout's doing).
    const res = await call(buyer, slow, "/data/quotes/A");
    expect(res.status, await res.text()).toBe(200);
  });

  it("a stream cut midway ends with an SSE error event, never [DONE], and is refunded", async () => {
    const chat = await chatListing();
    await costsNothing(async () => {
      const res = await call(buyer, chat, `/chat/completions?${fault("cut", { demo_cut_after: "3" })}`, {
        body: chatBody({ stream: true }),
      });
      expect(res.status).toBe(200);
      const events = sseEvents(await res.text());
      expect(events.filter((e) => e.event === null && e.data.startsWith("{")).length).toBeGreaterThanOrEqual(2);
      expect(events.some((e) => e.data === "[DONE]")).toBe(false);
      expect(events.some((e) => e.event === "proxygate")).toBe(false);
      const last = events.at(-1)!;
      expect(last.event).toBe("error");
      expect((JSON.parse(last.data) as Envelope).error.code).toBe("upstream_error");
    });
  });
});

describe("refusals before the upstream", () => {
  it("no key, a malformed key, an unknown key → 401", async () => {
    const url = proxyUrl(listing, "/data/quotes/A");
    await expectError(await SELF.fetch(url), 401, "unauthorized");
    await expectError(await SELF.fetch(url, { headers: { authorization: "Bearer sk-123" } }), 401, "unauthorized");
    const stranger = await newBuyer(1_000_000);
    await stranger.stub.revokeKey(stranger.keyId);
    await expectError(await call(stranger, listing, "/data/quotes/A"), 401, "unauthorized");
  });

  it("not enough credit → 402, nothing forwarded", async () => {
    const poor = await newBuyer(1_000);
    await expectError(await call(poor, listing, "/data/quotes/A"), 402, "insufficient_credit");
  });

  it("ambiguous paths → 400 (encoded slash, dot segments, double encoding, backslash)", async () => {
    await costsNothing(async () => {
      for (const path of ["/data/quotes%2FA", "/data/%2e%2e/admin", "/data/quotes/%252e", "/data/quotes/a%5Cb"]) {
        await expectError(await call(buyer, listing, path), 400, "invalid_request");
      }
      await expectError(await SELF.fetch(`${BASE}/v1/proxy/${listing.config.listingId}`), 400, "invalid_request");
    });
  });

  it("a path or method the listing does not offer → 400 / 405", async () => {
    await costsNothing(async () => {
      const body = await expectError(await call(buyer, listing, "/v1/models"), 400, "invalid_request");
      expect(body.error.message).toMatch(/not allowed/);
      await expectError(await call(buyer, listing, "/data/quotes/A", { method: "DELETE" }), 405, "method_not_allowed");
    });
  });

  it("an unknown or deleted listing → 404; a paused one → 503", async () => {
    await costsNothing(async () => {
      await expectError(
        await call(
          buyer,
          { ...listing, config: { ...listing.config, listingId: crypto.randomUUID() } },
          "/data/quotes/A",
        ),
        404,
        "not_found",
      );
      await expectError(
        await SELF.fetch(`${BASE}/v1/proxy/not-a-listing/data`, {
          headers: { authorization: `Bearer ${buyer.apiKey}` },
        }),
        404,
        "not_found",
      );
      const paused = await newListing();
      const { key, ...config } = paused.config;
      await configureFence({ ...config, status: "paused", configVersion: 2 }, paused.providerKey);
      const refusal = await expectError(await call(buyer, paused, "/data/quotes/A"), 503, "no_capacity");
      expect(refusal.error.message).toMatch(/paused/);
      await configureFence({ ...config, status: "deleted", configVersion: 3 }, paused.providerKey);
      await expectError(await call(buyer, paused, "/data/quotes/A"), 404, "not_found");
      expect(key.version).toBe(1);
    });
  });

  it("resale capacity used up → 503 no_capacity with Retry-After", async () => {
    const small = await newListing({ capacity: { total: 3, reservedForSelf: 1, window: "hour" } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(buyer, small, "/data/quotes/CAP");
      statuses.push(res.status);
      if (res.status === 503) {
        const body = await expectError(res, 503, "no_capacity");
        expect(body.error.retryAfter).toBeGreaterThan(0);
      } else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 503, 503]);
  });

  it("a body above 2 MiB → 413; a bad Idempotency-Key → 400", async () => {
    const chat = await chatListing();
    await costsNothing(async () => {
      const big = JSON.stringify(chatBody({ padding: "x".repeat(2 * 1024 * 1024) }));
      await expectError(await call(buyer, chat, "/chat/completions", { body: big }), 413, "payload_too_large");
      await expectError(
        await call(buyer, listing, "/data/quotes/A", { headers: { "idempotency-key": "x".repeat(129) } }),
        400,
        "invalid_request",
      );
    });
  });
});

describe("configuration", () => {
  it("the test env is local mode (loopback upstreams allowed)", () => {
    expect(env.GATEWAY_MODE).toBe("local");
  });
});
