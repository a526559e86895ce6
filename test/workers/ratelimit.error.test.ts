/**
 * Rate limits trip: per IP on the public and sign-in routes (Redis sliding window), per wallet on
 * the authenticated routes and the proxy (the WalletDO's token buckets). 429 `rate_limited` with
 * Retry-After in the header and the envelope.
 */
import { describe, expect, it } from "vitest";
import { type Buyer, newBuyer, newListing, settled } from "./proxy-helpers.ts";
import { appWith, type Envelope, randomIp } from "./ratelimit-helpers.ts";
import { walletWithKey } from "./wallet-do-helpers.ts";

const wallet = "4Nd1mBQtrMJVYVfKf2PJy9NZUZdTAsp7D4xWLs4gDB4T";

async function expectLimited(res: Response): Promise<Envelope> {
  expect(res.status).toBe(429);
  const body = (await res.json()) as Envelope;
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.retryAfter).toBeGreaterThanOrEqual(1);
  expect(res.headers.get("retry-after")).toBe(String(body.error.retryAfter));
  return body;
}

describe("per-IP limits", () => {
  it("sign-in: challenge and verify share one strict bucket per address", async () => {
    const fetch = appWith({ RATE_LIMIT_SIGNIN_PER_MINUTE: "3" });
    const ip = randomIp();
    const challenge = () =>
      fetch("/v1/auth/challenge", {
        ip,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ wallet }),
      });
    const first = await challenge();
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-limit")).toBe("3");
    expect(first.headers.get("x-ratelimit-remaining")).toBe("2");
    expect((await challenge()).status).toBe(200);
    expect((await challenge()).status).toBe(200);
    const body = await expectLimited(await challenge());
    expect(body.error.retryAfter).toBeLessThanOrEqual(60);
    // verify is in the same bucket and is refused before its body is even read.
    await expectLimited(await fetch("/v1/auth/verify", { ip, method: "POST", body: "{}" }));
    // Another address is not affected.
    expect(
      (
        await fetch("/v1/auth/challenge", {
          ip: randomIp(),
          method: "POST",
          body: JSON.stringify({ wallet }),
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(200);
  });

  it("public routes: the receipt public key and the health check", async () => {
    const fetch = appWith({ RATE_LIMIT_PUBLIC_PER_MINUTE: "2" });
    const ip = randomIp();
    expect((await fetch("/v1/receipts/public-key", { ip })).status).toBe(200);
    expect((await fetch("/v1/receipts/public-key", { ip })).status).toBe(200);
    await expectLimited(await fetch("/v1/receipts/public-key", { ip }));
    // The health check counts against the same per-address budget.
    await expectLimited(await fetch("/healthz", { ip }));
  });

  it("IPv6 clients are limited by their /64", async () => {
    const fetch = appWith({ RATE_LIMIT_PUBLIC_PER_MINUTE: "2" });
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(2)), (b) => b.toString(16)).join("");
    expect((await fetch("/v1/receipts/public-key", { ip: `2001:db8:${hex}:1::1` })).status).toBe(200);
    expect((await fetch("/v1/receipts/public-key", { ip: `2001:db8:${hex}:1::2` })).status).toBe(200);
    await expectLimited(await fetch("/v1/receipts/public-key", { ip: `2001:db8:${hex}:1:ffff::9` }));
    expect((await fetch("/v1/receipts/public-key", { ip: `2001:db8:${hex}:2::1` })).status).toBe(200);
  });
});

describe("per-wallet limits", () => {
  it("authenticated routes: a wallet past its burst gets 429; another wallet does not", async () => {
    const fetch = appWith({ RATE_LIMIT_WALLET_API_PER_SECOND: "1", RATE_LIMIT_WALLET_API_BURST: "3" });
    const [a, b] = await Promise.all([walletWithKey(), walletWithKey()]);
    const auth = (apiKey: string) => ({ headers: { authorization: `Bearer ${apiKey}` } });
    const started = Date.now();
    const answers = await Promise.all(Array.from({ length: 12 }, () => fetch("/v1/balance", auth(a.apiKey))));
    const elapsedS = (Date.now() - started) / 1000;
    const ok = answers.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(3);
    // At most the burst plus what refilled meanwhile (1 per second).
    expect(ok).toBeLessThanOrEqual(3 + Math.ceil(elapsedS));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBe(12 - ok);
    await expectLimited(limited[0] as Response);
    expect((await fetch("/v1/balance", auth(b.apiKey))).status).toBe(200);
  });

  it("the proxy: calls past the wallet's burst are refused before any reservation, cost 0", async () => {
    const fetch = appWith({ RATE_LIMIT_WALLET_CALLS_PER_SECOND: "1", RATE_LIMIT_WALLET_CALLS_BURST: "2" });
    const buyer: Buyer = await newBuyer(1_000_000);
    const listing = await newListing();
    const before = await settled(buyer);
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        fetch(`/v1/proxy/${listing.config.listingId}/data/quotes/RL`, {
          headers: { authorization: `Bearer ${buyer.apiKey}` },
        }),
      ),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const ok = answers.filter((r) => r.status === 200);
    const limited = answers.filter((r) => r.status === 429);
    expect(ok.length).toBeGreaterThanOrEqual(2);
    expect(ok.length).toBeLessThanOrEqual(2 + Math.ceil(elapsedS));
    expect(ok.length + limited.length).toBe(8);
    for (const res of limited) {
      expect(res.headers.get("x-proxygate-cost")).toBe("0");
      await expectLimited(res);
    }
    // Charged for exactly the forwarded calls (1,000 + 5 % buyer fee each).
    const after = await settled(buyer);
    expect(after.unsettled - before.unsettled).toBe(BigInt(ok.length) * 1_050n);
  });
});
