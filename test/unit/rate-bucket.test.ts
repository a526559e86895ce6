import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Bucket, type RateConfig, retryAfterSeconds, take } from "../../workers/credit/rate.ts";

/** Runs `take` over a sequence of times; returns the times that were admitted. */
function run(config: RateConfig, times: number[]): number[] {
  let bucket: Bucket | undefined;
  const admitted: number[] = [];
  for (const now of times) {
    const t = take(bucket, config, now);
    bucket = t.bucket;
    if (t.ok) admitted.push(now);
  }
  return admitted;
}

describe("token bucket (workers/credit/rate.ts)", () => {
  it("admits a burst, then refuses with the wait for one token", () => {
    const config = { perSecond: 2, burst: 3 };
    let bucket: Bucket | undefined;
    const results = [0, 1, 2, 3].map(() => {
      const t = take(bucket, config, 1_000);
      bucket = t.bucket;
      return t;
    });
    expect(results.map((r) => r.ok)).toEqual([true, true, true, false]);
    expect(results[3]).toMatchObject({ ok: false, retryAfterMs: 500 });
    expect(take(bucket, config, 1_499).ok).toBe(false);
    expect(take(bucket, config, 1_500).ok).toBe(true);
  });

  it("refills at the sustained rate, never above the burst", () => {
    const config = { perSecond: 10, burst: 5 };
    const first = take(undefined, config, 0);
    // An hour of silence refills to the burst, not to 36,000 tokens.
    const later = run(
      config,
      Array.from({ length: 20 }, () => 3_600_000),
    );
    expect(first).toMatchObject({ ok: true, remaining: 4 });
    expect(later).toHaveLength(5);
  });

  it("refills nothing when the clock goes backwards", () => {
    const config = { perSecond: 1, burst: 1 };
    const a = take(undefined, config, 10_000);
    const b = take(a.bucket, config, 5_000);
    expect(b.ok).toBe(false);
    expect(take(b.bucket, config, 10_999).ok).toBe(false);
    expect(take(b.bucket, config, 11_000).ok).toBe(true);
  });

  it("a lowered burst clamps a fuller bucket", () => {
    const full = take(undefined, { perSecond: 1, burst: 100 }, 0);
    expect(run({ perSecond: 0.001, burst: 2 }, [1, 1, 1]).length).toBe(2);
    const t = take(full.bucket, { perSecond: 0.001, burst: 2 }, 1);
    expect(t).toMatchObject({ ok: true, remaining: 1 });
  });

  it("property: in any interval, admissions ≤ burst + rate × length", () => {
    fc.assert(
      fc.property(
        fc.record({ perSecond: fc.integer({ min: 1, max: 50 }), burst: fc.integer({ min: 1, max: 20 }) }),
        fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 300 }),
        (config, gaps) => {
          const times: number[] = [];
          let now = 0;
          for (const g of gaps) {
            now += g % 7 === 0 ? g : g % 50;
            times.push(now);
          }
          const admitted = run(config, times);
          for (let i = 0; i < admitted.length; i++) {
            for (let j = i; j < admitted.length; j++) {
              const span = (admitted[j] as number) - (admitted[i] as number);
              expect(j - i + 1).toBeLessThanOrEqual(config.burst + (span * config.perSecond) / 1000 + 1e-9);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("property: a client that waits the retry-after is admitted", () => {
    fc.assert(
      fc.property(
        fc.record({
          perSecond: fc.double({ min: 0.01, max: 1_000, noNaN: true }),
          burst: fc.integer({ min: 1, max: 5 }),
        }),
        fc.integer({ min: 0, max: 10_000 }),
        (config, start) => {
          let bucket: Bucket | undefined;
          let refused: { retryAfterMs: number } | undefined;
          for (let i = 0; i <= config.burst && refused === undefined; i++) {
            const t = take(bucket, config, start);
            bucket = t.bucket;
            if (!t.ok) refused = t;
          }
          expect(refused).toBeDefined();
          expect(take(bucket, config, start + (refused?.retryAfterMs ?? 0)).ok).toBe(true);
        },
      ),
    );
  });

  it("Retry-After is whole seconds, at least 1", () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1_000)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
  });
});
