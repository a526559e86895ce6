import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeFees, DEFAULT_FEES, priceForTokens } from "../../workers/credit/fees.ts";

const price = fc.bigInt({ min: 0n, max: 2n ** 63n });
const bps = fc.integer({ min: 0, max: 10_000 });

describe("computeFees", () => {
  it("applies the default 5 % + 5 %", () => {
    expect(DEFAULT_FEES).toEqual({ buyerFeeBps: 500, sellerFeeBps: 500 });
    expect(computeFees(1_000_000n)).toEqual({
      price: 1_000_000n,
      charge: 1_050_000n,
      sellerPayout: 950_000n,
      platformFee: 100_000n,
      buyerFee: 50_000n,
      sellerFee: 50_000n,
    });
  });

  it("rounds each fee to the nearest micro-USDC, halves up", () => {
    // 5 % of 10 = 0.5 → 1; of 9 = 0.45 → 0; of 30 = 1.5 → 2; of 29 = 1.45 → 1.
    expect(computeFees(10n)).toMatchObject({ charge: 11n, sellerPayout: 9n, platformFee: 2n });
    expect(computeFees(9n)).toMatchObject({ charge: 9n, sellerPayout: 9n, platformFee: 0n });
    expect(computeFees(30n)).toMatchObject({ buyerFee: 2n, sellerFee: 2n });
    expect(computeFees(29n)).toMatchObject({ buyerFee: 1n, sellerFee: 1n });
    expect(computeFees(0n)).toMatchObject({ charge: 0n, sellerPayout: 0n, platformFee: 0n });
    expect(computeFees(1_000n, { buyerFeeBps: 0, sellerFeeBps: 10_000 })).toMatchObject({
      charge: 1_000n,
      sellerPayout: 0n,
      platformFee: 1_000n,
    });
  });

  it("keeps charge − payout = platformFee exactly, all ≥ 0, payout ≤ price ≤ charge, for any price and bps", () => {
    fc.assert(
      fc.property(price, bps, bps, (p, buyerFeeBps, sellerFeeBps) => {
        const f = computeFees(p, { buyerFeeBps, sellerFeeBps });
        expect(f.charge - f.sellerPayout).toBe(f.platformFee);
        expect(f.platformFee).toBe(f.buyerFee + f.sellerFee);
        expect(f.sellerPayout >= 0n && f.platformFee >= 0n && f.buyerFee >= 0n && f.sellerFee >= 0n).toBe(true);
        expect(f.sellerPayout <= p && p <= f.charge).toBe(true);
        // Nearest rounding: within half a micro-USDC of the exact fee.
        const exactTimes2e4 = (fee: bigint, b: number) => 2n * (fee * 10_000n - p * BigInt(b));
        expect(exactTimes2e4(f.buyerFee, buyerFeeBps) <= 10_000n).toBe(true);
        expect(exactTimes2e4(f.buyerFee, buyerFeeBps) > -10_000n).toBe(true);
        expect(exactTimes2e4(f.sellerFee, sellerFeeBps) <= 10_000n).toBe(true);
        expect(exactTimes2e4(f.sellerFee, sellerFeeBps) > -10_000n).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("is monotonic: a reserved ceiling price bounds the charge and payout of any smaller actual price", () => {
    fc.assert(
      fc.property(price, price, bps, bps, (a, b, buyerFeeBps, sellerFeeBps) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const config = { buyerFeeBps, sellerFeeBps };
        expect(computeFees(lo, config).charge <= computeFees(hi, config).charge).toBe(true);
        expect(computeFees(lo, config).sellerPayout <= computeFees(hi, config).sellerPayout).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it("is deterministic", () => {
    fc.assert(
      fc.property(price, bps, bps, (p, b1, b2) => {
        expect(computeFees(p, { buyerFeeBps: b1, sellerFeeBps: b2 })).toEqual(
          computeFees(p, { buyerFeeBps: b1, sellerFeeBps: b2 }),
        );
      }),
    );
  });

  it("refuses negative prices and out-of-range or fractional bps", () => {
    expect(() => computeFees(-1n)).toThrow(RangeError);
    expect(() => computeFees(1n, { buyerFeeBps: -1, sellerFeeBps: 0 })).toThrow(/buyerFeeBps/);
    expect(() => computeFees(1n, { buyerFeeBps: 0, sellerFeeBps: 10_001 })).toThrow(/sellerFeeBps/);
    expect(() => computeFees(1n, { buyerFeeBps: 2.5, sellerFeeBps: 0 })).toThrow(/buyerFeeBps/);
  });
});

describe("priceForTokens", () => {
  it("prices per 1k tokens, rounded up, at least 1 when tokens were used", () => {
    expect(priceForTokens(2_000n, 1_234)).toBe(2_468n);
    expect(priceForTokens(2_000n, 1_000n)).toBe(2_000n);
    expect(priceForTokens(1_500n, 1)).toBe(2n); // 1.5 → 2
    expect(priceForTokens(1n, 1)).toBe(1n);
    expect(priceForTokens(0n, 10)).toBe(1n);
    expect(priceForTokens(5_000n, 0)).toBe(0n);
  });

  it("is the ceiling of the exact price, and never 0 for tokens > 0", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 9n }), (per1k, tokens) => {
        const p = priceForTokens(per1k, tokens);
        const exact1000 = per1k * tokens;
        if (tokens === 0n) {
          expect(p).toBe(0n);
          return;
        }
        expect(p >= 1n).toBe(true);
        expect(p * 1000n >= exact1000).toBe(true);
        if (exact1000 > 0n) expect((p - 1n) * 1000n < exact1000).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });

  it("refuses negative inputs", () => {
    expect(() => priceForTokens(1n, -1)).toThrow(RangeError);
    expect(() => priceForTokens(-1n, 1)).toThrow(RangeError);
  });
});
