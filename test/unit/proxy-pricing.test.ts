import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeFees, priceForTokens } from "../../workers/credit/fees.ts";
import { judgeUpstream, retryAfterSeconds } from "../../workers/proxy/outcomes.ts";
import {
  DEFAULT_COMPLETION_TOKENS,
  estimateTokens,
  meter,
  reserveAmount,
  tokenCeiling,
} from "../../workers/proxy/pricing.ts";

describe("pricing", () => {
  it("per call: reserve and charge are price + buyer fee exactly, one unit", () => {
    const pricing = { price: 1_000n, pricingUnit: "per_call" } as const;
    expect(reserveAmount(pricing, 0)).toBe(1_050n);
    const m = meter(pricing, null, 0);
    expect(m.units).toBe(1);
    expect(m.split).toEqual(computeFees(1_000n));
    expect(m.split.charge).toBe(1_050n);
  });

  it("per 1k tokens: the ceiling is the completion cap plus one token per two body bytes", () => {
    expect(tokenCeiling(1_000, 256)).toBe(756);
    expect(tokenCeiling(0, null)).toBe(DEFAULT_COMPLETION_TOKENS);
    expect(tokenCeiling(3, 10)).toBe(12);
  });

  it("never charges more than reserved, never zero, and exactly the fee split of the usage (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.option(fc.integer({ min: 0, max: 400_000 })),
        (price, bodyBytes, maxTokens, usage) => {
          const pricing = { price, pricingUnit: "per_1k_tokens" } as const;
          const ceiling = tokenCeiling(bodyBytes, maxTokens);
          const reserved = reserveAmount(pricing, ceiling);
          const m = meter(pricing, usage, ceiling);
          expect(m.units).toBeGreaterThanOrEqual(1);
          expect(m.units).toBeLessThanOrEqual(ceiling);
          expect(m.split.charge).toBeGreaterThan(0n);
          expect(m.split.charge).toBeLessThanOrEqual(reserved);
          expect(m.split.charge - m.split.sellerPayout).toBe(m.split.platformFee);
          expect(m.split).toEqual(computeFees(priceForTokens(price, m.units)));
          expect(m.clamped).toBe((usage ?? 1) > ceiling);
        },
      ),
    );
  });

  it("a token-priced call with zero reported usage is still one token", () => {
    const m = meter({ price: 1n, pricingUnit: "per_1k_tokens" }, 0, 100);
    expect(m.units).toBe(1);
    expect(m.split.charge).toBe(1n);
  });

  it("estimates ~4 bytes per token, at least one", () => {
    expect(estimateTokens(0, 0)).toBe(1);
    expect(estimateTokens(40, 41)).toBe(21);
  });
});

describe("upstream status mapping", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const cases: Array<[number, string | null, number?]> = [
    [200, null],
    [201, null],
    [304, null],
    [400, "invalid_request", 400],
    [422, "invalid_request", 400],
    [404, "not_found", 404],
    [405, "method_not_allowed", 405],
    [409, "conflict", 409],
    [413, "payload_too_large", 413],
    [401, "upstream_error", 502],
    [403, "upstream_error", 502],
    [402, "upstream_error", 502],
    [408, "upstream_timeout", 504],
    [418, "invalid_request", 400],
    [429, "no_capacity", 503],
    [301, "upstream_error", 502],
    [500, "upstream_error", 502],
    [503, "upstream_error", 502],
    [504, "upstream_timeout", 504],
  ];
  it.each(cases)("HTTP %i → %s", (status, code) => {
    const verdict = judgeUpstream(status, null, now);
    if (code === null) expect(verdict.ok).toBe(true);
    else {
      expect(verdict.ok).toBe(false);
      if (!verdict.ok) {
        expect(verdict.code).toBe(code);
        // The message names the status class, never anything from the upstream body.
        expect(verdict.message).toContain(`upstream HTTP ${status}`);
      }
    }
  });

  it("429 backs the listing off for the upstream's Retry-After", () => {
    const verdict = judgeUpstream(429, "7", now);
    expect(verdict).toMatchObject({ ok: false, retryAfter: 7, backoff: 7, health: "rate_limited" });
  });

  it("reads Retry-After as seconds or an HTTP date, clamped to 1‥3600", () => {
    expect(retryAfterSeconds(null, now)).toBe(1);
    expect(retryAfterSeconds("0", now)).toBe(1);
    expect(retryAfterSeconds("120", now)).toBe(120);
    expect(retryAfterSeconds("999999", now)).toBe(3_600);
    expect(retryAfterSeconds(new Date(now + 30_000).toUTCString(), now)).toBe(30);
    expect(retryAfterSeconds("soon", now)).toBe(1);
  });
});
