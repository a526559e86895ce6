/**
 * What must never cross the gateway: the buyer's credentials and forwarding headers going up, the
 * seller's account details and error bodies coming down, and the provider key anywhere — in a
 * response body or header, a log line or a database row (canaries).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { verifyReceipt } from "../../workers/receipts/receipt.ts";
import { query } from "./auth-helpers.ts";
import { captureLogs } from "./log-capture.ts";
import {
  type Buyer,
  call,
  chatBody,
  chatListing,
  engines,
  fault,
  newBuyer,
  newListing,
  receiptPublicKey,
  settled,
  type TestListing,
} from "./proxy-helpers.ts";
import { SELF } from "./self.ts";

const ORG = "org-demoProxygateLocal01";
const CANARY = `sk-canary-${crypto.randomUUID()}`;
const logged = captureLogs();
const seen: string[] = [];

/** Reads a response whole and remembers everything the buyer saw (status, headers, body). */
async function observe(res: Response): Promise<{ status: number; headers: Headers; text: string }> {
  const text = await res.text();
  seen.push(`${res.status} ${JSON.stringify([...res.headers])} ${text}`);
  return { status: res.status, headers: res.headers, text };
}

let buyer: Buyer;
let data: TestListing;
let chat: TestListing;

beforeAll(async () => {
  buyer = await newBuyer(10_000_000);
  data = await newListing();
  chat = await chatListing();
});

describe("request headers going up", () => {
  const hostile = {
    cookie: "session=buyer-cookie",
    "x-forwarded-for": "10.1.2.3",
    "x-forwarded-host": "internal.example",
    forwarded: "for=10.1.2.3;host=internal.example",
    "x-real-ip": "10.1.2.3",
    "cf-connecting-ip": "10.1.2.3",
    "x-api-key": "buyer-chosen-key",
    "proxy-authorization": "Basic YnV5ZXI6cHc=",
    "x-custom": "whatever",
    accept: "application/json",
  };

  it("header injection: the buyer's Authorization never reaches the upstream, nor cookies or forwarding headers", async () => {
    const res = await observe(await call(buyer, data, `/data/echo?${fault("echo")}`, { headers: hostile }));
    expect(res.status, res.text).toBe(200);
    const echo = JSON.parse(res.text) as { headers: Record<string, string>; query: Record<string, string> };
    expect(echo.headers["x-api-key"]).toBe("[api key]");
    expect(echo.headers.authorization).toBeUndefined();
    expect(echo.headers["user-agent"]).toBe("proxygate/1");
    expect(echo.headers.accept).toBe("application/json");
    for (const name of ["cookie", "x-forwarded-for", "x-forwarded-host", "forwarded", "x-real-ip", "x-custom"]) {
      expect(echo.headers[name], name).toBeUndefined();
    }
    expect(echo.headers["cf-connecting-ip"]).not.toBe("10.1.2.3");
    expect(echo.headers["proxy-authorization"]).toBeUndefined();
    expect(JSON.stringify(echo)).not.toContain(buyer.apiKey.split("_")[2]);
  });

  it("bearer injection: Authorization carries the seller's key, never the buyer's", async () => {
    const res = await observe(await call(buyer, chat, `/debug/headers?${fault("echo")}`, { headers: hostile }));
    expect(res.status, res.text).toBe(200);
    const echo = JSON.parse(res.text) as { headers: Record<string, string> };
    expect(echo.headers.authorization).toBe("Bearer [api key]");
    expect(JSON.stringify(echo)).not.toContain("pgk_");
  });

  it("the upstream origin is the listing's: a path cannot name another host", async () => {
    const res = await observe(await call(buyer, data, "//127.0.0.1:1/data/quotes/A"));
    expect(res.status).toBe(400);
  });
});

describe("what comes back down", () => {
  it("account headers of a successful answer are dropped (organization, cookies, rate-limit tier)", async () => {
    const res = await observe(await call(buyer, data, `/data/echo?${fault("echo")}`));
    expect(res.status).toBe(200);
    for (const name of ["openai-organization", "set-cookie", "x-ratelimit-limit-requests", "x-request-id"]) {
      expect(res.headers.get(name), name).toBeNull();
    }
    expect(res.headers.get("content-type")).toContain("application/json");
  });

  it("an upstream error body carrying an org id never reaches the buyer", async () => {
    const before = await settled(buyer);
    for (const kind of ["503", "500", "429", "401"] as const) {
      const res = await observe(await call(buyer, data, `/data/quotes/A?${fault(kind, { demo_retry_after: "1" })}`));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.text).not.toContain(ORG);
      expect(JSON.stringify([...res.headers])).not.toContain(ORG);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(JSON.parse(res.text)).toEqual({
        error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
      });
    }
    const chatRes = await observe(await call(buyer, chat, `/chat/completions?${fault("503")}`, { body: chatBody() }));
    expect(chatRes.status).toBe(502);
    expect(chatRes.text).not.toContain(ORG);
    const after = await settled(buyer);
    expect(after.unsettled).toBe(before.unsettled);
  });

  it("receipts verify with the published key; a tampered receipt does not", async () => {
    // A fresh listing: `data` was just backed off by the 429 above.
    const res = await observe(await call(buyer, await newListing(), "/data/quotes/RCPT"));
    expect(res.status, res.text).toBe(200);
    const receipt = res.headers.get("x-proxygate-receipt")!;
    const publicKey = await receiptPublicKey();
    expect(await verifyReceipt(receipt, publicKey)).not.toBeNull();
    const parts = receipt.split(".");
    const cheaper = parts.with(4, "1").join(".");
    expect(await verifyReceipt(cheaper, publicKey)).toBeNull();
    const otherWallet = parts.with(2, "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU").join(".");
    expect(await verifyReceipt(otherWallet, publicKey)).toBeNull();
  });
});

describe("provider key canaries", () => {
  it("a canary key refused upstream, and a query-injected key whose upstream is down, never surface", async () => {
    const canaried = await newListing({}, CANARY);
    const res = await observe(await call(buyer, canaried, "/data/quotes/A"));
    expect(res.status).toBe(502);
    const down = await newListing(
      { upstreamBaseUrl: "http://127.0.0.1:9", keyInjection: { kind: "query", name: "api_key" } },
      CANARY,
    );
    const unreachable = await observe(await call(buyer, down, "/data/quotes/A"));
    expect(unreachable.status).toBe(502);
    // And streamed + plain chat calls through the real key, for the sweep below.
    await observe(await call(buyer, chat, "/chat/completions", { body: chatBody({ stream: true }) }));
    await observe(await call(buyer, chat, "/chat/completions", { body: chatBody() }));
  });

  it("neither the canary nor the real provider key appear in any response, log line or database row", async () => {
    expect(seen.length).toBeGreaterThan(8);
    for (const key of [CANARY, engines.upstreamApiKey]) {
      for (const text of seen) expect(text.includes(key), text.slice(0, 200)).toBe(false);
      for (const line of logged) expect(line.includes(key), line.slice(0, 200)).toBe(false);
    }
    const tables = await query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { table_name } of tables) {
      const rows = await query<{ hits: string }>(
        `SELECT count(*) AS hits FROM "${table_name}" t WHERE t::text LIKE $1 OR t::text LIKE $2`,
        [`%${CANARY}%`, `%${engines.upstreamApiKey}%`],
      );
      expect(rows[0]?.hits, table_name).toBe("0");
    }
  });
});

describe("unauthenticated callers", () => {
  it("learn nothing about a listing from a bad key", async () => {
    const res = await observe(
      await SELF.fetch(`http://gateway.test/v1/proxy/${data.config.listingId}/data/quotes/A`, {
        headers: { authorization: "Bearer pgk_x_y" },
      }),
    );
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(data.config.upstreamBaseUrl);
  });
});
