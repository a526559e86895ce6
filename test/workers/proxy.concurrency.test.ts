/**
 * Many buyers' calls at once through the whole proxy path: the fence forwards exactly the resale
 * capacity, and the buyer pays for exactly the forwarded calls.
 */
import { describe, expect, it } from "vitest";
import { type Buyer, call, newBuyer, newListing, settled } from "./proxy-helpers.ts";

describe("concurrency", () => {
  it("500 concurrent calls against resale capacity 100 → exactly 100 forwarded and charged", async () => {
    const buyers: Buyer[] = await Promise.all(Array.from({ length: 5 }, () => newBuyer(10_000_000)));
    const listing = await newListing({ capacity: { total: 120, reservedForSelf: 20, window: "hour" } });
    const before = await Promise.all(buyers.map((b) => settled(b)));

    const results = await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        const res = await call(buyers[i % buyers.length]!, listing, `/data/quotes/C${i % 7}`);
        const body = await res.text();
        return {
          status: res.status,
          code: res.status === 200 ? null : (JSON.parse(body) as { error: { code: string } }).error.code,
        };
      }),
    );
    const ok = results.filter((r) => r.status === 200).length;
    expect(ok).toBe(100);
    expect(results.filter((r) => r.status === 503 && r.code === "no_capacity")).toHaveLength(400);

    const after = await Promise.all(buyers.map((b) => settled(b)));
    const charged = after.reduce((sum, b, i) => sum + (b.unsettled - before[i]!.unsettled), 0n);
    expect(charged).toBe(100n * 1_050n);
    // Refused calls were refunded: every buyer's available moved by exactly its charges.
    after.forEach((b, i) => {
      expect(before[i]!.available - b.available).toBe(b.unsettled - before[i]!.unsettled);
    });
  });
});
