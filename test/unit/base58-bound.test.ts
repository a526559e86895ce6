/** decodeBase58 refuses over-long text before decoding (quadratic): found by the route fuzzing. */
import bs58 from "bs58";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase58, maxBase58Length } from "../../workers/auth/base58.ts";

describe("decodeBase58 length bound", () => {
  it("every value of n bytes encodes within maxBase58Length(n), and decodes back", () => {
    for (const n of [16, 24, 32, 64]) {
      expect(bs58.encode(new Uint8Array(n).fill(255)).length).toBeLessThanOrEqual(maxBase58Length(n));
    }
    fc.assert(
      fc.property(fc.constantFrom(16, 24, 32, 64), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (n, seed) => {
        const bytes = new Uint8Array(n).map((_, i) => (seed * (i + 7) + (seed >> (i % 24))) & 255);
        const text = bs58.encode(bytes);
        expect(text.length).toBeLessThanOrEqual(maxBase58Length(n));
        expect(decodeBase58(text, n)).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  // Without the bound this takes minutes, and the test times out.
  it("a 3 MiB string of base58 letters is refused before decoding", () => {
    expect(decodeBase58("x".repeat(3 * 1024 * 1024), 64)).toBeNull();
  });
});
