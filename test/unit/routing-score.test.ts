/**
 * The routing score and the weighted-random order (workers/routing/score.ts): the order is always a
 * permutation of the positive-weight candidates; the first pick's frequency follows weight / sum;
 * the score moves the right way in each factor; local failures cut a seller's score within a few calls.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LocalFeedback } from "../../workers/routing/feedback.ts";
import {
  estimateUptime,
  LATENCY_FLOOR_MS,
  latencyPrior,
  order,
  PRIOR_LATENCY_MS,
  PRIOR_UPTIME,
  type ScoreInput,
  score,
  scoreAll,
  shares,
} from "../../workers/routing/score.ts";

/** A deterministic [0, 1) generator (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const base: ScoreInput = { cost: 1_000, remote: null, local: null, headroom: null };

describe("score", () => {
  it("uses priors for a listing without samples", () => {
    const e = score(base);
    expect(e.uptime).toBeCloseTo(PRIOR_UPTIME);
    expect(e.latencyMs).toBe(PRIOR_LATENCY_MS);
    expect(e.headroom).toBe(1);
    expect(e.score).toBeGreaterThan(0);
  });

  it("is (1/price) × uptime × (1/latency) × headroom", () => {
    const a = score({ ...base, cost: 1_000 }, 100);
    const b = score({ ...base, cost: 2_000 }, 100);
    expect(a.score / b.score).toBeCloseTo(2);
    const fast = score({ ...base, local: { ok: 10, failed: 0, latencyMs: 20, latencyWeight: 50 } }, 100);
    const slow = score({ ...base, local: { ok: 10, failed: 0, latencyMs: 200, latencyWeight: 50 } }, 100);
    expect(fast.score / slow.score).toBeGreaterThan(5);
    const half = score({ ...base, headroom: 0.5 }, 100);
    expect(score(base, 100).score / half.score).toBeCloseTo(2);
  });

  it("is monotone: cheaper, faster, healthier or emptier never scores lower", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(50),
        fc.nat(50),
        (c1, c2, h1, h2, ok, failed) => {
          const local = { ok, failed, latencyMs: 100, latencyWeight: 3 };
          const cheap = Math.min(c1, c2);
          const dear = Math.max(c1, c2);
          expect(score({ ...base, cost: cheap, local }).score).toBeGreaterThanOrEqual(
            score({ ...base, cost: dear, local }).score,
          );
          expect(score({ ...base, headroom: Math.max(h1, h2), local }).score).toBeGreaterThanOrEqual(
            score({ ...base, headroom: Math.min(h1, h2), local }).score,
          );
          expect(score({ ...base, local: { ...local, ok: ok + 1 } }).score).toBeGreaterThanOrEqual(
            score({ ...base, local }).score,
          );
          expect(score({ ...base, local: { ...local, failed: failed + 1 } }).score).toBeLessThanOrEqual(
            score({ ...base, local }).score,
          );
          const s = score({ ...base, cost: c1, local, headroom: h1 });
          expect(Number.isFinite(s.score) && s.score > 0).toBe(true);
          expect(s.latencyMs).toBeGreaterThanOrEqual(LATENCY_FLOOR_MS);
        },
      ),
    );
  });

  it("lets a few recent local failures outvote five minutes of good Redis history", () => {
    const remote = { calls: 5_000, errorRate: 0, rateLimitRate: 0, meanMs: 50 };
    const healthy = estimateUptime(remote, null);
    const degrading = estimateUptime(remote, { ok: 0, failed: 10, latencyMs: null, latencyWeight: 0 });
    expect(healthy).toBeGreaterThan(0.99);
    expect(degrading).toBeLessThan(0.7);
  });

  it("gives listings without latency samples the peers' median latency", () => {
    const known = (ms: number): ScoreInput => ({
      ...base,
      local: { ok: 1, failed: 0, latencyMs: ms, latencyWeight: 1 },
    });
    expect(latencyPrior([known(10), known(30), base])).toBe(20);
    expect(latencyPrior([known(10), known(30), known(90), base])).toBe(30);
    expect(latencyPrior([base])).toBe(PRIOR_LATENCY_MS);
    const [, , fresh] = scoreAll([known(10), known(30), base]);
    expect(fresh?.latencyMs).toBe(20);
  });
});

describe("order (weighted random without replacement)", () => {
  it("is a permutation of the positive-weight indices", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(0), fc.constant(-1)), {
          maxLength: 12,
        }),
        fc.integer(),
        (weights, seed) => {
          const out = order(weights, seeded(seed));
          const positive = weights.flatMap((w, i) => (w > 0 ? [i] : []));
          expect([...out].sort((a, b) => a - b)).toEqual(positive);
        },
      ),
    );
  });

  it("picks first in proportion to the weights (statistically)", () => {
    const weights = [6, 3, 1];
    const random = seeded(42);
    const firsts = [0, 0, 0];
    const N = 20_000;
    for (let i = 0; i < N; i++) {
      const first = order(weights, random)[0] as number;
      firsts[first] = (firsts[first] ?? 0) + 1;
    }
    shares(weights).forEach((expected, i) => {
      expect(Math.abs((firsts[i] ?? 0) / N - expected)).toBeLessThan(0.02);
    });
  });

  it("survives a generator that returns the edges of [0, 1)", () => {
    expect(order([1, 2, 3], () => 0)).toHaveLength(3);
    expect(order([1, 2, 3], () => 0.9999999999999999)).toHaveLength(3);
  });
});

describe("local feedback", () => {
  it("decays: old failures fade, so a recovered seller regains its score", () => {
    const fb = new LocalFeedback();
    const t0 = 1_000_000;
    for (let i = 0; i < 10; i++) fb.record("L", "failed", 5, t0);
    const now = fb.view("L", t0).health;
    expect(now?.failed).toBeCloseTo(10);
    const later = fb.view("L", t0 + 60_000).health;
    expect(later?.failed).toBeLessThan(0.2);
    expect(estimateUptime(null, now ?? null)).toBeLessThan(0.2);
    expect(estimateUptime(null, later)).toBeGreaterThan(0.85);
  });

  it("remembers backoffs and headroom, then forgets them", () => {
    const fb = new LocalFeedback();
    fb.backoff("L", 5_000, 1_000);
    fb.headroom("L", 30, 100, 1_000);
    expect(fb.view("L", 2_000)).toMatchObject({ backoffUntil: 5_000, headroom: 0.7 });
    expect(fb.view("L", 40_000)).toMatchObject({ backoffUntil: 0, headroom: null });
  });
});
