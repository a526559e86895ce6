/**
 * The fence's sliding window: for ANY sequence of admits at any (non-decreasing) times, no window
 * of the configured length ever holds more admits than the limit — also across restarts that
 * rebuild the state from what is persisted — and a refusal is never more conservative than one
 * bucket's width.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { CapacityWindow } from "../../workers/fence/interface.ts";
import {
  admit,
  BUCKETS,
  emptyWindow,
  rebucket,
  retryAfterMs,
  used,
  WINDOW_MS,
  type WindowState,
  windowSpec,
} from "../../workers/fence/window.ts";

const WINDOWS: CapacityWindow[] = ["second", "minute", "hour", "day", "month"];

/** Rebuilds the state as the DO does after a restart: buckets from SQLite, clock at the newest bucket. */
function reload(state: WindowState, bucketMs: number): WindowState {
  const newest = Math.max(0, ...state.buckets.keys());
  return { buckets: new Map(state.buckets), clock: newest * bucketMs };
}

/** Max number of admits inside any half-open window [s, s + length) of the sorted times. */
function maxInAnyWindow(times: number[], length: number): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] ?? 0) - (times[start] ?? 0) >= length) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

type Step = { gap: number; restart: boolean };

const scenario = fc.record({
  window: fc.constantFrom(...WINDOWS),
  limit: fc.integer({ min: 1, max: 30 }),
  start: fc.integer({ min: 0, max: 4_000_000_000_000 }),
  steps: fc.array(
    fc.record({
      // Gaps in 1/10,000 of the window: bursts (0), sub-bucket, anything, and right at one window
      // length (where a counter that drops the partial oldest bucket would over-admit).
      gap: fc.oneof(
        fc.constant(0),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 15_000 }),
        fc.integer({ min: 9_700, max: 10_100 }),
      ),
      restart: fc.boolean(),
    }) as fc.Arbitrary<Step>,
    { minLength: 1, maxLength: 300 },
  ),
});

describe("sliding window (conservative buckets)", () => {
  it("never admits more than the limit in any window of the configured length", () => {
    fc.assert(
      fc.property(scenario, ({ window, limit, start, steps }) => {
        const spec = windowSpec(window, limit);
        let state = emptyWindow();
        let now = start;
        const admitted: number[] = [];
        for (const step of steps) {
          now += Math.floor((step.gap * spec.lengthMs) / 10_000);
          if (step.restart) state = reload(state, spec.bucketMs);
          const d = admit(state, spec, now);
          state = d.state;
          if (d.ok) admitted.push(now);
        }
        expect(maxInAnyWindow(admitted, spec.lengthMs)).toBeLessThanOrEqual(limit);
      }),
      { numRuns: 400 },
    );
  });

  it("refuses only when the last window plus one bucket already holds the limit (bounded conservatism)", () => {
    fc.assert(
      fc.property(scenario, ({ window, limit, start, steps }) => {
        const spec = windowSpec(window, limit);
        let state = emptyWindow();
        let now = start;
        const admitted: number[] = [];
        for (const step of steps) {
          now += Math.floor((step.gap * spec.lengthMs) / 10_000);
          const d = admit(state, spec, now);
          state = d.state;
          if (d.ok) admitted.push(now);
          else {
            const recent = admitted.filter((t) => t > now - spec.lengthMs - spec.bucketMs).length;
            expect(recent).toBeGreaterThanOrEqual(limit);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("retryAfter is exact: refused just before it, admitted at it", () => {
    fc.assert(
      fc.property(scenario, ({ window, limit, start, steps }) => {
        const spec = windowSpec(window, limit);
        let state = emptyWindow();
        let now = start;
        for (const step of steps) {
          now += Math.floor((step.gap * spec.lengthMs) / 10_000);
          const d = admit(state, spec, now);
          state = d.state;
          if (d.ok) continue;
          expect(d.retryAfterMs).toBeGreaterThanOrEqual(1);
          expect(d.retryAfterMs).toBeLessThanOrEqual(spec.lengthMs + spec.bucketMs);
          const clock = d.state.clock;
          if (d.retryAfterMs > 1) expect(admit(state, spec, clock + d.retryAfterMs - 1).ok).toBe(false);
          expect(admit(state, spec, clock + d.retryAfterMs).ok).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("admits exactly the limit in a burst, then frees capacity one window (+ ≤ 1 bucket) later", () => {
    const spec = windowSpec("minute", 100);
    let state = emptyWindow();
    const t0 = 1_800_000_000_000;
    let ok = 0;
    for (let i = 0; i < 500; i++) {
      const d = admit(state, spec, t0);
      state = d.state;
      if (d.ok) ok++;
    }
    expect(ok).toBe(100);
    expect(used(state, spec, t0)).toBe(100);
    const wait = retryAfterMs(state, spec);
    expect(wait).toBeGreaterThan(60_000 - 1);
    expect(wait).toBeLessThanOrEqual(60_000 + spec.bucketMs);
    expect(admit(state, spec, t0 + wait).ok).toBe(true);
  });

  it("the clock never goes backwards: an earlier time counts at the latest time seen", () => {
    const spec = windowSpec("second", 2);
    let state = emptyWindow();
    state = admit(state, spec, 10_000).state;
    const back = admit(state, spec, 5_000);
    expect(back.ok).toBe(true);
    expect(back.state.clock).toBe(10_000);
    expect(admit(back.state, spec, 10_500).ok).toBe(false);
  });

  it("has integer bucket widths and a 30-day month", () => {
    expect(WINDOW_MS.month).toBe(30 * 86_400_000);
    for (const w of WINDOWS) expect(Number.isInteger(windowSpec(w, 1).bucketMs)).toBe(true);
    expect(windowSpec("minute", 1).bucketMs * BUCKETS).toBe(60_000);
  });

  it("a limit of zero admits nothing", () => {
    const spec = windowSpec("minute", 0);
    const d = admit(emptyWindow(), spec, 1_000);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.retryAfterMs).toBe(60_000);
  });

  it("a new window length keeps every counted admit (moved to now), never fewer", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WINDOWS),
        fc.constantFrom(...WINDOWS),
        fc.array(fc.integer({ min: 0, max: 200_000 }), { maxLength: 50 }),
        (from, to, offsets) => {
          const a = windowSpec(from, 1_000);
          const b = windowSpec(to, 1_000);
          let state = emptyWindow();
          let now = 1_700_000_000_000;
          for (const o of [...offsets].sort((x, y) => x - y)) state = admit(state, a, now + o).state;
          now += 200_000;
          const before = used(state, a, now);
          const moved = rebucket(state, a, b, now);
          expect(used(moved, b, now)).toBe(from === to ? used(state, b, now) : before);
        },
      ),
    );
  });
});
