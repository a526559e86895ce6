/**
 * The capacity fence's sliding window, as pure functions: a conservative bucketed counter.
 *
 * A window of length L is cut into `BUCKETS` buckets of width B = L / BUCKETS, aligned on
 * multiples of B. An admit at time t increments bucket ⌊t/B⌋. The count at time t is the sum of
 * every bucket whose index is ≥ ⌊(t − L)/B⌋ — the bucket holding t − L is counted WHOLE, although
 * part of it is already older than the window. So the count is never below the true number of
 * admits in (t − L, t], and admitting only while count < limit means no window of length L ever
 * holds more than `limit` admits. The price: capacity frees up to one bucket (1 % of the window)
 * later than an exact log would; the gain: fixed memory and one SQLite upsert per admit, for any
 * capacity (a month window with a million calls is 101 rows). See docs/decisions/009.
 *
 * The clock never goes backwards: an admit reported earlier than the latest time seen is counted
 * at the latest time seen (later = counted longer = still conservative).
 */
import type { CapacityWindow } from "./interface.ts";

/** Buckets per window; every window length below is a multiple of it (integer bucket widths). */
export const BUCKETS = 100;

const DAY_MS = 86_400_000;

/** `month` is 30 days. */
export const WINDOW_MS: Readonly<Record<CapacityWindow, number>> = {
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: DAY_MS,
  month: 30 * DAY_MS,
};

export interface WindowSpec {
  window: CapacityWindow;
  lengthMs: number;
  bucketMs: number;
  /** Admits allowed per window: the resale capacity (total − reservedForSelf). */
  limit: number;
}

export interface WindowState {
  /** bucket index (⌊t / bucketMs⌋) → admits counted in it; only counted buckets are kept. */
  buckets: ReadonlyMap<number, number>;
  /** Latest time seen (epoch ms): the window's clock. */
  clock: number;
}

export type AdmitDecision =
  | { ok: true; state: WindowState; bucket: number; used: number; expired: number[] }
  | { ok: false; state: WindowState; used: number; retryAfterMs: number; expired: number[] };

export function windowSpec(window: CapacityWindow, limit: number): WindowSpec {
  const lengthMs = WINDOW_MS[window];
  return { window, lengthMs, bucketMs: lengthMs / BUCKETS, limit };
}

export function emptyWindow(): WindowState {
  return { buckets: new Map(), clock: 0 };
}

/** The oldest bucket index still counted at `now`. */
export function firstCountedBucket(spec: WindowSpec, now: number): number {
  return Math.floor((now - spec.lengthMs) / spec.bucketMs);
}

/** Drops buckets that no longer count at `now` and advances the clock; `expired` lists what was dropped. */
export function advance(state: WindowState, spec: WindowSpec, now: number): { state: WindowState; expired: number[] } {
  const clock = Math.max(state.clock, now);
  const first = firstCountedBucket(spec, clock);
  const expired: number[] = [];
  for (const index of state.buckets.keys()) if (index < first) expired.push(index);
  if (expired.length === 0) return { state: clock === state.clock ? state : { ...state, clock }, expired };
  const buckets = new Map(state.buckets);
  for (const index of expired) buckets.delete(index);
  return { state: { buckets, clock }, expired };
}

/** Admits counted at `now` (an upper bound of the true number in the last window length). */
export function used(state: WindowState, spec: WindowSpec, now: number): number {
  const first = firstCountedBucket(spec, Math.max(state.clock, now));
  let total = 0;
  for (const [index, n] of state.buckets) if (index >= first) total += n;
  return total;
}

/**
 * Decides one admit at `now`: ok (and counted) while the count is below the limit; otherwise
 * refused with the time until enough buckets expire for one more admit.
 *
 * @example
 * const spec = windowSpec("minute", 100);
 * const d = admit(emptyWindow(), spec, Date.now()); // d.ok === true, d.used === 1
 */
export function admit(state: WindowState, spec: WindowSpec, now: number): AdmitDecision {
  const advanced = advance(state, spec, now);
  const s = advanced.state;
  const count = used(s, spec, s.clock);
  if (count >= spec.limit) {
    return { ok: false, state: s, used: count, retryAfterMs: retryAfterMs(s, spec), expired: advanced.expired };
  }
  const bucket = Math.floor(s.clock / spec.bucketMs);
  const buckets = new Map(s.buckets);
  buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
  return { ok: true, state: { buckets, clock: s.clock }, bucket, used: count + 1, expired: advanced.expired };
}

/**
 * Milliseconds from the state's clock until the count drops below the limit with no new admits:
 * bucket k stops counting once ⌊t/B⌋ − BUCKETS > k, i.e. at t = (k + BUCKETS + 1)·B.
 */
export function retryAfterMs(state: WindowState, spec: WindowSpec): number {
  if (spec.limit <= 0) return spec.lengthMs;
  let count = used(state, spec, state.clock);
  if (count < spec.limit) return 0;
  const first = firstCountedBucket(spec, state.clock);
  const indexes = [...state.buckets.keys()].filter((k) => k >= first).sort((a, b) => a - b);
  for (const k of indexes) {
    count -= state.buckets.get(k) ?? 0;
    if (count < spec.limit) return Math.max(1, (k + BUCKETS + 1) * spec.bucketMs - state.clock);
  }
  return 1;
}

/**
 * A new window length: everything the old window still counts is moved into the current bucket
 * of the new one, i.e. treated as admitted just now. That never under-counts what the fence
 * remembers; admits older than the OLD window are forgotten (the bound holds per configuration).
 */
export function rebucket(state: WindowState, from: WindowSpec, to: WindowSpec, now: number): WindowState {
  const clock = Math.max(state.clock, now);
  if (from.lengthMs === to.lengthMs) return { buckets: state.buckets, clock };
  const total = used(state, from, clock);
  const buckets = new Map<number, number>();
  if (total > 0) buckets.set(Math.floor(clock / to.bucketMs), total);
  return { buckets, clock };
}
