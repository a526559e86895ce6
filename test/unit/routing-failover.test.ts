/** Failover decisions (workers/routing/failover.ts): which failures retry, move on or answer the buyer. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  afterFailure,
  DEFAULT_RETRY_AFTER,
  exhausted,
  type Failure,
  type FailureKind,
  MAX_CANDIDATES,
  MAX_UPSTREAM_ATTEMPTS,
  MIN_ATTEMPT_MS,
  mayTryNext,
  RETRY_BASE_MS,
} from "../../workers/routing/failover.ts";

const KINDS: FailureKind[] = ["client", "route", "unavailable", "rate_limited", "seller", "unusable"];
const fresh = { pinned: false, retried: false, upstreamAttempts: 1, remainingMs: 60_000 };

describe("afterFailure", () => {
  it("never fails over a pinned listing, nor a buyer's own error", () => {
    for (const kind of KINDS)
      expect(afterFailure(kind, { ...fresh, pinned: true }, Math.random)).toEqual({ action: "stop" });
    expect(afterFailure("client", fresh, Math.random)).toEqual({ action: "stop" });
  });

  it("retries a 5xx/timeout once on the same seller with jitter, then moves on", () => {
    const step = afterFailure("seller", fresh, () => 0.25);
    expect(step).toEqual({ action: "retry", delayMs: RETRY_BASE_MS * 0.75 });
    expect(afterFailure("seller", { ...fresh, retried: true }, Math.random)).toEqual({ action: "next" });
  });

  it("moves on at once after a 429, a fence refusal or unusable credentials", () => {
    for (const kind of ["rate_limited", "unavailable", "route", "unusable"] as const) {
      expect(afterFailure(kind, fresh, Math.random)).toEqual({ action: "next" });
    }
  });

  it("keeps every retry inside the attempt budget and the deadline, with delays in [0.5, 1.5) × base", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS),
        fc.boolean(),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.double({ min: 0, max: 0.9999, noNaN: true }),
        (kind, retried, upstreamAttempts, remainingMs, r) => {
          const step = afterFailure(kind, { pinned: false, retried, upstreamAttempts, remainingMs }, () => r);
          if (step.action !== "retry") return;
          expect(kind).toBe("seller");
          expect(retried).toBe(false);
          expect(upstreamAttempts).toBeLessThan(MAX_UPSTREAM_ATTEMPTS);
          expect(step.delayMs).toBeGreaterThanOrEqual(RETRY_BASE_MS * 0.5);
          expect(step.delayMs).toBeLessThanOrEqual(RETRY_BASE_MS * 1.5);
          expect(remainingMs - step.delayMs).toBeGreaterThanOrEqual(MIN_ATTEMPT_MS);
        },
      ),
    );
  });

  it("bounds the number of sellers and upstream requests", () => {
    expect(mayTryNext(0, 0, 60_000)).toBe(true);
    expect(mayTryNext(MAX_CANDIDATES, 0, 60_000)).toBe(false);
    expect(mayTryNext(1, MAX_UPSTREAM_ATTEMPTS, 60_000)).toBe(false);
    expect(mayTryNext(1, 1, MIN_ATTEMPT_MS - 1)).toBe(false);
  });
});

describe("exhausted", () => {
  const f = (kind: FailureKind, retryAfter?: number, listingId = "L1"): Failure => ({
    kind,
    listingId,
    refusal: { code: "no_capacity", message: "x", ...(retryAfter === undefined ? {} : { retryAfter }) },
  });

  it("is 503 no_capacity with the soonest Retry-After", () => {
    expect(exhausted([f("seller"), f("rate_limited", 7, "L2"), f("unavailable", 3, "L3")])).toMatchObject({
      code: "no_capacity",
      retryAfter: 3,
    });
    expect(exhausted([f("seller")]).retryAfter).toBe(DEFAULT_RETRY_AFTER);
    expect(exhausted([], 4)).toMatchObject({ code: "no_capacity", retryAfter: 4 });
  });

  it("passes the buyer's route error on when every seller refused the path or method", () => {
    const route: Failure = { kind: "route", listingId: "L1", refusal: { code: "method_not_allowed", message: "m" } };
    expect(exhausted([route, { ...route, listingId: "L2" }])).toEqual(route.refusal);
    expect(exhausted([route, f("seller")]).code).toBe("no_capacity");
  });

  it("reports missing credit (the buyer's to fix) over sellers' failures", () => {
    const broke: Failure = {
      kind: "unavailable",
      listingId: "L2",
      refusal: { code: "insufficient_credit", message: "c" },
    };
    expect(exhausted([f("seller"), broke, f("rate_limited", 3, "L3")])).toEqual(broke.refusal);
  });
});
