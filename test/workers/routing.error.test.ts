/** Routing failures the buyer sees: every seller down → 503 no_capacity with Retry-After, nothing charged; unknown service → 404. */
import { describe, expect, it } from "vitest";
import { call, newSeller } from "./listings-helpers.ts";
import { BASE, newBuyer, settled } from "./proxy-helpers.ts";
import { callService, chargeAt, sellerOf, startUpstream, uniqueService } from "./routing-helpers.ts";
import { SELF } from "./self.ts";

describe("routing by service, when it cannot serve", () => {
  it("answers 503 no_capacity with Retry-After when every seller fails, and charges nothing", async () => {
    const service = uniqueService("down");
    const [a, b] = await Promise.all([startUpstream({ failRate: 1 }), startUpstream({ failRate: 1 })]);
    await sellerOf(service, a, 1_000n);
    await sellerOf(service, b, 2_000n);
    // A third seller whose upstream is not even listening.
    await sellerOf(service, "http://127.0.0.1:9", 1_500n);
    const buyer = await newBuyer(5_000_000);

    const res = await callService(buyer, service);
    expect(res.status, res.body).toBe(503);
    const body = JSON.parse(res.body) as { error: { code: string; retryAfter?: number } };
    expect(body.error.code).toBe("no_capacity");
    expect(Number(res.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(body.error.retryAfter).toBe(Number(res.retryAfter));
    expect(res.cost).toBe(0n);
    expect(res.listing).toBeNull();
    const balance = await settled(buyer);
    expect(balance.available).toBe(5_000_000n);
    expect(balance.unsettled).toBe(0n);
  });

  it("answers 404 for a service nobody lists, and 400 for a path no seller allows", async () => {
    const buyer = await newBuyer(1_000_000);
    const unknown = await callService(buyer, uniqueService("nobody"));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.code).toBe("not_found");

    const service = uniqueService("paths");
    await sellerOf(service, await startUpstream({}), 1_000n);
    const res = await SELF.fetch(`${BASE}/v1/proxy/${service}/data/secret`, {
      headers: { authorization: `Bearer ${buyer.apiKey}` },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
  });

  it("refuses a retry with the same Idempotency-Key as a duplicate, whichever seller it meets, and charges once", async () => {
    const service = uniqueService("idem");
    const up = await startUpstream({});
    const seller = await newSeller();
    const listings = [await sellerOf(service, up, 1_000n, seller), await sellerOf(service, up, 1_000n, seller)];
    const buyer = await newBuyer(5_000_000);
    const url = `${BASE}/v1/proxy/${service}/data/weather?city=Lisbon`;
    const headers = { authorization: `Bearer ${buyer.apiKey}`, "idempotency-key": `order-${crypto.randomUUID()}` };
    const first = await SELF.fetch(url, { headers });
    expect(first.status).toBe(200);
    await first.arrayBuffer();

    // Every seller now refuses admission, while this isolate's catalog still names them: the retry
    // must not go on to reserve under another id at the next seller.
    for (const l of listings) expect((await call(seller, "POST", `/v1/listings/${l.id}/pause`)).status).toBe(200);
    const retry = await SELF.fetch(url, { headers });
    expect(retry.status).toBe(409);
    expect(((await retry.json()) as { error: { code: string } }).error.code).toBe("duplicate_request");
    expect((await settled(buyer)).unsettled).toBe(chargeAt(1_000n));
  });

  it("refuses an unknown API key before routing anywhere", async () => {
    const service = uniqueService("auth");
    await sellerOf(service, await startUpstream({}), 1_000n);
    const res = await callService({ apiKey: "pgk_11111111111111111111111111111111_notarealsecret" }, service);
    expect(res.status).toBe(401);
  });

  it("skips a seller too dear for the buyer's credit, and answers 402 once none is affordable", async () => {
    const service = uniqueService("broke");
    const up = await startUpstream({});
    const cheap = await sellerOf(service, up, 1_000n);
    await sellerOf(service, up, 5_000n);
    const buyer = await newBuyer(3_000); // two calls at 1 050, never one at 5 250

    for (let i = 0; i < 2; i++) {
      const res = await callService(buyer, service);
      expect(res.status, res.body).toBe(200);
      expect(res.listing).toBe(cheap.id);
      expect(res.cost).toBe(1_050n);
    }
    const broke = await callService(buyer, service);
    expect(broke.status, broke.body).toBe(402);
    expect(JSON.parse(broke.body).error.code).toBe("insufficient_credit");
    const b = await settled(buyer);
    expect(b.unsettled).toBe(2_100n);
    expect(b.available).toBe(900n);
  });
});
