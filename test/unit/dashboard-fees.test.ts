/**
 * The dashboard previews fees with a JavaScript port of the gateway's fee function (no build step).
 * It must agree with workers/credit/fees.ts on every price and fee configuration, and the USDC
 * parsing/formatting it shows them with must round-trip exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeFees as previewFees } from "../../dashboard/public/app/fees.js";
import { formatUsdc, parseUsdc } from "../../dashboard/public/app/money.js";
import { computeFees, DEFAULT_FEES } from "../../workers/credit/fees.ts";

describe("dashboard fee preview", () => {
  it("uses the gateway's default fees", () => {
    expect(previewFees(1_000_000n)).toEqual(computeFees(1_000_000n));
    expect(previewFees(1n)).toEqual(computeFees(1n, DEFAULT_FEES));
  });

  it("agrees with workers/credit/fees.ts on every price and configuration (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (price, buyerFeeBps, sellerFeeBps) => {
          const config = { buyerFeeBps, sellerFeeBps };
          expect(previewFees(price, config)).toEqual(computeFees(price, config));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("refuses what the gateway refuses", () => {
    expect(() => previewFees(-1n)).toThrow(RangeError);
    expect(() => previewFees(1n, { buyerFeeBps: 10_001, sellerFeeBps: 0 })).toThrow(RangeError);
  });
});

describe("dashboard USDC amounts", () => {
  it("formats micro-USDC without floats", () => {
    expect(formatUsdc("1050")).toBe("0.00105");
    expect(formatUsdc(12_500_000n)).toBe("12.50");
    expect(formatUsdc("0")).toBe("0.00");
    expect(formatUsdc("1234567890123")).toBe("1,234,567.890123");
    expect(formatUsdc("9007199254740993")).toBe("9,007,199,254.740993");
  });

  it("parses what people type, and nothing else", () => {
    expect(parseUsdc("0.00105")).toBe(1050n);
    expect(parseUsdc("12")).toBe(12_000_000n);
    expect(parseUsdc(".5")).toBe(500_000n);
    expect(parseUsdc("1,000.5")).toBe(1_000_500_000n);
    for (const bad of ["", ".", "-1", "1.0000001", "1e3", "abc", "0x10", "1.2.3"])
      expect(parseUsdc(bad), bad).toBeNull();
  });

  it("round-trips every amount (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n }), (micro) => {
        expect(parseUsdc(formatUsdc(micro))).toBe(micro);
      }),
    );
  });
});
