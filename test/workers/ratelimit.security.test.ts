/**
 * The limits cannot be turned against someone else, and a limiter outage is not a gateway outage:
 * strangers with wrong keys do not spend a wallet's tokens; the proxy never waits on Redis; Redis
 * down → requests pass (logged, without the Redis credentials).
 */
import { describe, expect, it } from "vitest";
import { newApiKey } from "../../workers/auth/api-key.ts";
import { captureLogs } from "./log-capture.ts";
import { newBuyer, newListing } from "./proxy-helpers.ts";
import { appWith, randomIp } from "./ratelimit-helpers.ts";
import { walletWithKey } from "./wallet-do-helpers.ts";

const logs = captureLogs();
/** Nothing listens on port 9 of loopback: every Redis call fails at once. */
const REDIS_DOWN = {
  UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
  UPSTASH_REDIS_REST_TOKEN: "redis-token-canary-7f3a",
};

describe("rate limits — abuse and outages", () => {
  it("wrong keys for a wallet do not spend that wallet's tokens", async () => {
    const fetch = appWith({ RATE_LIMIT_WALLET_API_PER_SECOND: "1", RATE_LIMIT_WALLET_API_BURST: "2" });
    const victim = await walletWithKey();
    const forged = newApiKey(victim.wallet).apiKey;
    const strangers = await Promise.all(
      Array.from({ length: 20 }, () => fetch("/v1/balance", { headers: { authorization: `Bearer ${forged}` } })),
    );
    expect(strangers.every((r) => r.status === 401)).toBe(true);
    for (let i = 0; i < 2; i++) {
      expect((await fetch("/v1/balance", { headers: { authorization: `Bearer ${victim.apiKey}` } })).status).toBe(200);
    }
  });

  it("Redis down: public routes are served (fail open) and the outage is logged without credentials", async () => {
    const fetch = appWith({ ...REDIS_DOWN, RATE_LIMIT_PUBLIC_PER_MINUTE: "1" });
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await fetch("/v1/receipts/public-key", { ip })).status).toBe(200);
    const warnings = logs.filter((l) => l.includes("rate limiter unavailable"));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(logs.join("\n")).not.toContain("redis-token-canary-7f3a");
  });

  it("the proxy never touches Redis before the upstream: calls work with Redis down", async () => {
    const fetch = appWith(REDIS_DOWN);
    const buyer = await newBuyer(1_000_000);
    const listing = await newListing();
    const res = await fetch(`/v1/proxy/${listing.config.listingId}/data/quotes/NR`, {
      headers: { authorization: `Bearer ${buyer.apiKey}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-proxygate-cost")).toBe("1050");
  });
});
