/**
 * Failover must not leak what a failing seller's attempt carried: a query-injected key whose
 * upstream is down and a header key the upstream refuses never appear in the buyer's answer or in
 * any log line, however many attempts the call made.
 */
import { describe, expect, it } from "vitest";
import { createListing, newSeller } from "./listings-helpers.ts";
import { captureLogs, dump } from "./log-capture.ts";
import { BASE, engines, newBuyer } from "./proxy-helpers.ts";
import { uniqueService } from "./routing-helpers.ts";
import { SELF } from "./self.ts";

const logged = captureLogs();
const QUERY_CANARY = "sk-canary-route-query-7f3a9c";
const HEADER_CANARY = "sk-canary-route-header-b41e02";

describe("routing failover and secrets", () => {
  it("exhausts every seller without the keys ever reaching the response or the logs", async () => {
    const service = uniqueService("canary");
    const body = { service, category: "data", allowedPaths: ["/data/weather"], price: "1000" };
    // Not listening: connection refused, twice (retry), with the key in the query string.
    await createListing(await newSeller(), {
      ...body,
      upstreamBaseUrl: "http://127.0.0.1:9",
      keyInjection: { kind: "query", name: "api_key" },
      providerKey: QUERY_CANARY,
    });
    // Listening, but the key is wrong: 401 from the upstream (credentials refused → next seller).
    await createListing(await newSeller(), {
      ...body,
      upstreamBaseUrl: engines.upstreamUrl,
      keyInjection: { kind: "header", name: "X-Api-Key" },
      providerKey: HEADER_CANARY,
    });
    const buyer = await newBuyer(1_000_000);

    for (let i = 0; i < 3; i++) {
      const res = await SELF.fetch(`${BASE}/v1/proxy/${service}/data/weather?city=Rome`, {
        headers: { authorization: `Bearer ${buyer.apiKey}` },
      });
      const text = await dump(res);
      expect(res.status, text).toBe(503);
      for (const canary of [QUERY_CANARY, HEADER_CANARY, engines.upstreamApiKey, buyer.apiKey]) {
        expect(text).not.toContain(canary);
      }
    }
    await new Promise((r) => setTimeout(r, 1_500)); // telemetry flushes after the responses
    const logs = logged.join("\n");
    for (const canary of [QUERY_CANARY, HEADER_CANARY, buyer.apiKey]) expect(logs).not.toContain(canary);
    expect(logs).not.toContain("127.0.0.1:9/");
  });
});
