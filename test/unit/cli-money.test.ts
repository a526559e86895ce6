import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatUsdc, parsePositiveUsdc, parseUsdc } from "../../cli/lib/money.ts";

describe("USDC amounts in the CLI", () => {
  it("parses decimals exactly into micro-USDC", () => {
    expect(parseUsdc("1.5")).toBe(1_500_000n);
    expect(parseUsdc("0.000001")).toBe(1n);
    expect(parseUsdc("12")).toBe(12_000_000n);
    expect(parseUsdc(".25")).toBe(250_000n);
    expect(parseUsdc("3.")).toBe(3_000_000n);
    expect(parseUsdc("0.1")).toBe(100_000n);
    // A float would give 0.30000000000000004.
    expect(parseUsdc("0.3")).toBe(300_000n);
    expect(parseUsdc("18446744073709.551615")).toBe(18_446_744_073_709_551_615n);
  });

  it("refuses what is not a plain USDC decimal", () => {
    for (const bad of ["", "-1", "+1", "1e6", "1.2345678", "abc", "1,5", "0x10", "1.5 USDC", "18446744073709.551616"]) {
      expect(() => parseUsdc(bad), bad).toThrow(RangeError);
    }
    expect(() => parsePositiveUsdc("0")).toThrow(/more than 0/);
    expect(() => parsePositiveUsdc("0.000000")).toThrow(/more than 0/);
  });

  it("formats micro-USDC with at least two decimals and no trailing noise", () => {
    expect(formatUsdc("1050")).toBe("0.00105");
    expect(formatUsdc(12_000_000n)).toBe("12.00");
    expect(formatUsdc("1500000")).toBe("1.50");
    expect(formatUsdc("1")).toBe("0.000001");
    expect(formatUsdc("0")).toBe("0.00");
    expect(formatUsdc(-2_500_000n)).toBe("-2.50");
  });

  it("round-trips every amount exactly", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 18_446_744_073_709_551_615n }), (micro) => {
        expect(parseUsdc(formatUsdc(micro))).toBe(micro);
      }),
    );
  });
});
