/**
 * The hot path of a call by service needs no Postgres once the isolate is warm: with Postgres
 * stopped, calls keep being routed and served from the isolate's catalog cache — also after the
 * cache went stale and its background revalidation failed (≤ 30 s). A made-up service name is
 * answered from the service names the isolate holds, with no lookup of its own.
 */
import { afterAll, describe, expect, inject, it } from "vitest";
import type { EngineInfo } from "../../dev/engines-main.ts";
import { EMPTY_RETRY_MS, LISTINGS_FRESH_MS } from "../../workers/catalog/cache.ts";
import { newBuyer, settled } from "./proxy-helpers.ts";
import { callMany, callService, sellerOf, startUpstream, uniqueService } from "./routing-helpers.ts";

const engines: EngineInfo = inject("engines");
let postgresStopped = false;

async function postgres(action: "stop" | "start"): Promise<void> {
  if (!engines.controlUrl) throw new Error("the engines control server is not running (dev/engines-main.ts)");
  const res = await fetch(`${engines.controlUrl}/postgres/${action}`, { method: "POST" });
  expect(res.status, await res.text()).toBe(200);
  postgresStopped = action === "stop";
}

afterAll(async () => {
  if (postgresStopped) await postgres("start");
});

describe("routing without Postgres", () => {
  it("keeps serving a warm service while Postgres is down", async () => {
    const service = uniqueService("nopg");
    const [a, b] = await Promise.all([startUpstream({}), startUpstream({ latencyMs: 20 })]);
    const one = await sellerOf(service, a, 1_000n);
    const two = await sellerOf(service, b, 1_200n);
    const buyer = await newBuyer(5_000_000);
    const warm = await callMany(buyer, service, 4, 2);
    for (const c of warm) expect(c.status, c.body).toBe(200);

    await postgres("stop");
    const fresh = await callMany(buyer, service, 4, 2);
    // Past the fresh period: each call now starts a background reload, which fails; the stale list serves.
    await new Promise((r) => setTimeout(r, LISTINGS_FRESH_MS + 500));
    const stale = await callMany(buyer, service, 4, 2);
    for (const c of [...fresh, ...stale]) {
      expect(c.status, c.body).toBe(200);
      expect([one.id, two.id]).toContain(c.listing);
    }
    // Credit is confirmed in the WalletDO (the ledger outbox reaches Postgres later).
    const b2 = await settled(buyer);
    expect(b2.unsettled).toBe([...warm, ...fresh, ...stale].reduce((s, c) => s + c.cost, 0n));
    await postgres("start");
  }, 60_000);

  it("answers made-up service names from the names it holds: 404 without a query of their own", async () => {
    const service = uniqueService("known");
    await sellerOf(service, await startUpstream({}), 1_000n);
    const buyer = await newBuyer(5_000_000);
    expect((await callService(buyer, service)).status).toBe(200);

    await postgres("stop");
    // Each name would need its own Postgres lookup without the names: with Postgres down that is a 503.
    const madeUp = await Promise.all(
      Array.from({ length: 20 }, (_, i) => callService(buyer, uniqueService(`nope${i}`))),
    );
    for (const c of madeUp) {
      expect(c.status, c.body).toBe(404);
      expect(JSON.parse(c.body).error.code).toBe("not_found");
    }
    // Past the retry period one lookup is tried and fails; the names held still answer, both ways.
    await new Promise((r) => setTimeout(r, EMPTY_RETRY_MS + 200));
    expect((await callService(buyer, uniqueService("nope-later"))).status).toBe(404);
    const served = await callService(buyer, service);
    expect(served.status, served.body).toBe(200);
    await postgres("start");
  }, 60_000);
});
