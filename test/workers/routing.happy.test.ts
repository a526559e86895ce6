/**
 * Routing by service with three real upstreams behind three listings of one service — cheap but
 * slow, pricey but fast, flaky — through the gateway (real WalletDOs, fences, Postgres, Redis):
 * traffic splits as the score predicts, shifts away from a seller whose health drops, skips a
 * 429 seller without failing the buyer, and every charge is the price of the seller that served.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ApisResponse } from "../../workers/catalog/interface.ts";
import { scoreAll, shares } from "../../workers/routing/score.ts";
import { eventually } from "./auth-helpers.ts";
import { BASE, newBuyer, settled } from "./proxy-helpers.ts";
import {
  callMany,
  callService,
  chargeAt,
  ledgerOf,
  medianMs,
  receiptFields,
  type Served,
  sellerOf,
  setBehaviour,
  shareOf,
  startUpstream,
  uniqueService,
} from "./routing-helpers.ts";
import { SELF } from "./self.ts";

const SLOW_MS = 300;
const FAST_MS = 100;
const CHEAP = 1_000n;
const PRICEY = 2_000n;
const FLAKY_PRICE = 800n;
const FLAKY_MS = 40;

/** Every served call: 200, charged the served listing's price + fee, receipt naming that listing and charge. */
function expectChargedAsServed(calls: readonly Served[], prices: Map<string, bigint>): void {
  for (const c of calls) {
    expect(c.status, c.body).toBe(200);
    const price = prices.get(c.listing ?? "");
    expect(price, `served by a listing of the service: ${c.listing}`).toBeDefined();
    expect(c.cost).toBe(chargeAt(price as bigint));
    const receipt = receiptFields(c.receipt ?? "");
    expect(receipt.listing).toBe(c.listing);
    expect(receipt.charge).toBe(c.cost);
  }
}

/** The ledger has exactly one entry per served call, for the serving listing and its charge. */
async function expectLedgerMatches(buyer: Awaited<ReturnType<typeof newBuyer>>, calls: readonly Served[]) {
  const ledger = await ledgerOf(buyer, calls.length);
  expect(ledger.size).toBe(calls.length);
  for (const c of calls) {
    const receipt = receiptFields(c.receipt ?? "");
    expect(ledger.get(receipt.requestId)).toEqual({ listing: c.listing, charge: c.cost });
  }
  const b = await settled(buyer);
  const spent = calls.reduce((sum, c) => sum + c.cost, 0n);
  expect(b.unsettled).toBe(spent);
}

describe("routing by service", () => {
  it("splits traffic between a cheap-but-slow and a pricey-but-fast seller as the score predicts", async () => {
    const service = uniqueService("split");
    const [slowUrl, fastUrl] = await Promise.all([
      startUpstream({ latencyMs: SLOW_MS }),
      startUpstream({ latencyMs: FAST_MS }),
    ]);
    const slow = await sellerOf(service, slowUrl, CHEAP);
    const fast = await sellerOf(service, fastUrl, PRICEY);
    const prices = new Map([
      [slow.id, CHEAP],
      [fast.id, PRICEY],
    ]);
    const buyer = await newBuyer(50_000_000);

    // Warm-up: the isolate learns both latencies (until then both share the prior).
    const warm = await callMany(buyer, service, 12, 4);
    const counted = await callMany(buyer, service, 80, 4);
    expectChargedAsServed([...warm, ...counted], prices);

    // The prediction: the score of each with no failures and the latencies seen (the gateway and
    // loopback add the same overhead to both, so the buyer's median stands in for the gateway's view).
    const healthy = (latencyMs: number) => ({ ok: 20, failed: 0, latencyMs, latencyWeight: 20 });
    const all = [...warm, ...counted];
    const [pSlow, pFast] = shares(
      scoreAll([
        { cost: Number(chargeAt(CHEAP)), remote: null, local: healthy(medianMs(all, slow.id)), headroom: 1 },
        { cost: Number(chargeAt(PRICEY)), remote: null, local: healthy(medianMs(all, fast.id)), headroom: 1 },
      ]).map((e) => e.score),
    ) as [number, number];
    const seen = { slow: shareOf(counted, slow.id), fast: shareOf(counted, fast.id) };
    console.log(JSON.stringify({ msg: "split", predicted: { slow: pSlow, fast: pFast }, seen }));
    // Sanity of the setup: the slow seller really was slower, the fast one pricier.
    expect(medianMs(all, slow.id)).toBeGreaterThan(medianMs(all, fast.id));
    expect(seen.slow + seen.fast).toBe(1);
    // 80 draws: one standard deviation of a share is ≤ 0.056; allow ~3.
    expect(Math.abs(seen.fast - pFast)).toBeLessThan(0.17);
    expect(seen.slow).toBeGreaterThan(0); // spread, not a stampede on the best

    await expectLedgerMatches(buyer, [...warm, ...counted]);
  });

  it("shifts traffic away from a seller whose health drops, without failing the buyer's calls", async () => {
    const service = uniqueService("flaky");
    const [slowUrl, fastUrl, flakyUrl] = await Promise.all([
      startUpstream({ latencyMs: SLOW_MS }),
      startUpstream({ latencyMs: FAST_MS }),
      startUpstream({ latencyMs: FLAKY_MS }),
    ]);
    const slow = await sellerOf(service, slowUrl, CHEAP);
    const fast = await sellerOf(service, fastUrl, PRICEY);
    const flaky = await sellerOf(service, flakyUrl, FLAKY_PRICE);
    const prices = new Map([
      [slow.id, CHEAP],
      [fast.id, PRICEY],
      [flaky.id, FLAKY_PRICE],
    ]);
    const buyer = await newBuyer(50_000_000);

    // The flaky seller's fence counts every call routed to it (retries of one call count once).
    const flakyFence = env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName(flaky.id));
    const admits = async () => (await flakyFence.snapshot()).usedInWindow;

    // Healthy, cheapest and fastest: the flaky seller takes the largest share at first.
    const before = await callMany(buyer, service, 40, 4);
    const shareBefore = shareOf(before.slice(10), flaky.id);
    const triedBefore = (await admits()) / before.length;
    // Its edge depends on the latencies this machine's load adds to all three; a large share either way.
    expect(shareBefore).toBeGreaterThan(0.25);

    // Its health drops: random 503s and 429s.
    await setBehaviour(flakyUrl, { failRate: 0.6, rateLimitRate: 0.2 });
    const admitsThen = await admits();
    // 80 calls after 20 to learn from: under a loaded machine's noise a smaller sample flaked (0.6 → 0.30).
    const during = await callMany(buyer, service, 100, 4);
    const shareAfter = shareOf(during.slice(20), flaky.id);
    const triedDuring = ((await admits()) - admitsThen) / during.length;
    console.log(JSON.stringify({ msg: "shift", shareBefore, shareAfter, triedBefore, triedDuring }));
    expect(shareAfter).toBeLessThan(shareBefore / 2);
    // Routed away, not only failing more: it is tried for far fewer calls.
    expect(triedDuring).toBeLessThan(triedBefore * 0.75);

    // Every buyer call still succeeded, charged at the price of whoever served it.
    const all = [...before, ...during];
    expectChargedAsServed(all, prices);
    await expectLedgerMatches(buyer, all);

    // The catalog shows all three, with live health (the flaky one's seller errors included).
    const catalog = await eventually(
      "catalog health of the three sellers",
      async () => {
        const res = await SELF.fetch(`${BASE}/v1/apis?service=${service}&sort=price`);
        expect(res.status).toBe(200);
        expect(res.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
        const body = (await res.json()) as ApisResponse;
        const flakyEntry = body.apis.find((a) => a.id === flaky.id);
        const ready =
          body.apis.length === 3 &&
          body.apis.every((a) => a.health.samples > 0) &&
          (flakyEntry?.health.errorRate ?? 0) > 0;
        return ready ? body : undefined;
      },
      40_000,
    );
    expect(catalog.services).toEqual([{ service, sellerCount: 3 }]);
    expect(catalog.apis.map((a) => a.id)).toEqual([flaky.id, slow.id, fast.id]);
    for (const a of catalog.apis) {
      const price = prices.get(a.id) as bigint;
      expect(a).toMatchObject({
        service,
        type: "proxy",
        category: "data",
        pricingUnit: "per_call",
        price: chargeAt(price).toString(),
        sellerPrice: price.toString(),
        sellerCount: 3,
        proxyUrl: `/v1/proxy/${a.id}`,
      });
      expect(a.capacity.headroom).toBeGreaterThanOrEqual(0);
      expect(a.capacity.headroom).toBeLessThanOrEqual(1);
      expect(a.health.uptime).not.toBeNull();
      expect(a.health.p50Ms).not.toBeNull();
    }
  }, 90_000);

  it("skips a seller whose upstream answers 429 without failing the buyer, and backs it off", async () => {
    const service = uniqueService("limited");
    const [limitedUrl, okUrl] = await Promise.all([startUpstream({ rateLimitRate: 1 }), startUpstream({})]);
    // Far cheaper: the limited seller is almost surely tried first.
    const limited = await sellerOf(service, limitedUrl, 100n);
    const ok = await sellerOf(service, okUrl, 10_000n);
    const buyer = await newBuyer(50_000_000);

    const first = await callService(buyer, service);
    expect(first.status, first.body).toBe(200);
    expect(first.listing).toBe(ok.id);
    expect(first.cost).toBe(chargeAt(10_000n));
    const fence = env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName(limited.id));
    expect((await fence.snapshot()).backoffUntil).not.toBeNull();

    const more = await callMany(buyer, service, 8, 4);
    for (const c of more) {
      expect(c.status, c.body).toBe(200);
      expect(c.listing).toBe(ok.id);
    }
    await expectLedgerMatches(buyer, [first, ...more]);
  });

  it("re-reserves at the pricier seller's price when failing over to it, and charges only that call", async () => {
    const service = uniqueService("swap");
    const [downUrl, upUrl] = await Promise.all([startUpstream({ failRate: 1 }), startUpstream({})]);
    const cheapDown = await sellerOf(service, downUrl, 100n);
    const priceyUp = await sellerOf(service, upUrl, 50_000n);
    const buyer = await newBuyer(50_000_000);

    const calls = await callMany(buyer, service, 6, 2);
    expectChargedAsServed(
      calls,
      new Map([
        [cheapDown.id, 100n],
        [priceyUp.id, 50_000n],
      ]),
    );
    for (const c of calls) expect(c.listing).toBe(priceyUp.id);
    // Swapped reservations are booked under `<id>-r`; nothing of the failed attempts is charged.
    expect(calls.some((c) => receiptFields(c.receipt ?? "").requestId.endsWith("-r"))).toBe(true);
    await expectLedgerMatches(buyer, calls);
  });
});
