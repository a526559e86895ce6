/**
 * Routing score and choice, pure (DESIGN §2, docs/decisions/012-routing.md):
 *
 *   score = (1 / price) × uptime × (1 / latency) × capacity_headroom
 *
 * (with latency = the expected time to a successful answer, see `score`).
 *
 * `price` is what this call would cost the buyer at the listing (so per-call and per-token listings
 * of one service compare on the same request); `uptime` is the estimated probability that the
 * seller serves the call; `latency` the estimated time to the upstream's response headers;
 * `headroom` the share of the listing's resale capacity still free. Each estimate blends what the
 * gateway knows — Redis health (all isolates, 5 min), this isolate's own recent outcomes (decayed,
 * so a degrading seller loses traffic within seconds) — with priors, so a listing without samples
 * competes on price. The choice is weighted random in proportion to the score: load spreads in the
 * ratio of the scores, and no single "best" seller is stampeded.
 */

/** Success probability assumed for a listing nobody has called yet. */
export const PRIOR_UPTIME = 0.95;
/** Weight of the prior, in calls: a handful of real outcomes outweigh it. */
export const PRIOR_WEIGHT = 2;
/** Most weight Redis health gets, in calls: recent local outcomes must be able to outvote 5 minutes of history. */
export const MAX_REDIS_WEIGHT = 20;
/** Latency assumed when neither this listing nor any peer has samples, ms. */
export const PRIOR_LATENCY_MS = 250;
/** Latencies below this count as this (timer resolution; keeps one very fast seller from taking everything). */
export const LATENCY_FLOOR_MS = 5;
/** Uptime below this counts as this in the expected time to success (no division by zero). */
export const MIN_UPTIME = 0.01;
/** Headroom below this counts as this: a nearly full listing is tried last, not never (its fence decides). */
export const HEADROOM_FLOOR = 0.01;

/** Redis health of a listing (workers/telemetry/health-window.ts HealthStats, the fields used here). */
export interface RemoteHealth {
  calls: number;
  errorRate: number | null;
  rateLimitRate: number | null;
  /** Mean time to response headers, ms (exact; the p50 is only a histogram bound). */
  meanMs: number | null;
}

/** This isolate's recent outcomes of a listing, already decayed to "now" (workers/routing/feedback.ts). */
export interface LocalHealth {
  ok: number;
  failed: number;
  /** Decayed average time to response headers, ms; null without samples. */
  latencyMs: number | null;
  latencyWeight: number;
}

export interface ScoreInput {
  /** What this call would cost the buyer here, micro-USDC (> 0). */
  cost: number;
  remote: RemoteHealth | null;
  local: LocalHealth | null;
  /** Free share of the resale capacity (0..1); null when unknown. */
  headroom: number | null;
}

export interface Estimate {
  uptime: number;
  latencyMs: number;
  headroom: number;
  score: number;
}

/**
 * Success probability: the prior, Redis outcomes (capped weight) and local outcomes, pooled as
 * pseudo-counts. Upstream 429s count as failures (the listing could not serve).
 *
 * @example
 * estimateUptime(null, { ok: 0, failed: 8, latencyMs: null, latencyWeight: 0 }); // 0.19
 */
export function estimateUptime(remote: RemoteHealth | null, local: LocalHealth | null): number {
  let ok = PRIOR_UPTIME * PRIOR_WEIGHT;
  let n = PRIOR_WEIGHT;
  if (remote && remote.calls > 0 && remote.errorRate !== null) {
    const w = Math.min(remote.calls, MAX_REDIS_WEIGHT);
    const failRate = Math.min(1, remote.errorRate + (remote.rateLimitRate ?? 0));
    ok += w * (1 - failRate);
    n += w;
  }
  if (local) {
    ok += local.ok;
    n += local.ok + local.failed;
  }
  return Math.min(1, Math.max(0, ok / n));
}

/** Latency estimate: local and Redis samples weighted by their counts, the prior weighted 1. */
export function estimateLatency(remote: RemoteHealth | null, local: LocalHealth | null, priorMs: number): number {
  let sum = priorMs;
  let w = 1;
  if (remote && remote.meanMs !== null && remote.calls > 0) {
    const rw = Math.min(remote.calls, 10);
    sum += rw * remote.meanMs;
    w += rw;
  }
  if (local && local.latencyMs !== null && local.latencyWeight > 0) {
    // Local samples are exact (Redis only knows histogram bounds) and recent: weighted double.
    sum += 2 * local.latencyWeight * local.latencyMs;
    w += 2 * local.latencyWeight;
  }
  return Math.max(LATENCY_FLOOR_MS, sum / w);
}

/**
 * The score of one candidate, with the estimates behind it. `priorLatencyMs`: see `latencyPrior`.
 * The latency factor is the expected time to a *successful* answer, `latency / uptime` (a seller
 * failing every other call costs a retry every other call), so unreliability weighs as uptime²:
 * with uptime alone a cheap, fast but mostly failing seller would keep most first attempts.
 */
export function score(input: ScoreInput, priorLatencyMs = PRIOR_LATENCY_MS): Estimate {
  const uptime = estimateUptime(input.remote, input.local);
  const latencyMs = estimateLatency(input.remote, input.local, priorLatencyMs);
  const headroom = Math.max(HEADROOM_FLOOR, Math.min(1, input.headroom ?? 1));
  const cost = Math.max(1, input.cost);
  const timeToSuccess = latencyMs / Math.max(uptime, MIN_UPTIME);
  return { uptime, latencyMs, headroom, score: (1 / cost) * uptime * (1 / timeToSuccess) * headroom * 1e6 };
}

/**
 * Latency prior for listings without samples: the median of the peers that have some (a new
 * seller is assumed as fast as the typical one), else `PRIOR_LATENCY_MS`.
 */
export function latencyPrior(inputs: readonly ScoreInput[]): number {
  const known = inputs
    .map((i) =>
      i.local && i.local.latencyMs !== null && i.local.latencyWeight > 0
        ? i.local.latencyMs
        : i.remote && i.remote.meanMs !== null && i.remote.calls > 0
          ? i.remote.meanMs
          : null,
    )
    .filter((v): v is number => v !== null)
    .sort((a, b) => a - b);
  if (known.length === 0) return PRIOR_LATENCY_MS;
  const mid = Math.floor(known.length / 2);
  return known.length % 2 === 1 ? (known[mid] as number) : ((known[mid - 1] as number) + (known[mid] as number)) / 2;
}

/** Scores every candidate (same order), with the shared latency prior. */
export function scoreAll(inputs: readonly ScoreInput[]): Estimate[] {
  const prior = latencyPrior(inputs);
  return inputs.map((i) => score(i, prior));
}

/** The share of traffic each weight gets under `order`'s first pick: weight / sum (0 for non-positive). */
export function shares(weights: readonly number[]): number[] {
  const positive = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const total = positive.reduce((a, b) => a + b, 0);
  return positive.map((w) => (total === 0 ? 0 : w / total));
}

/**
 * Weighted random order without replacement: the first index is drawn with probability
 * weight / sum, the next from the rest, and so on — the failover order. Indices with a
 * non-positive or non-finite weight are left out. `random` returns [0, 1).
 *
 * @example
 * order([3, 1, 0], Math.random); // [0, 1] three times in four, [1, 0] otherwise
 */
export function order(weights: readonly number[], random: () => number): number[] {
  const pool = weights.map((w, i) => ({ i, w: Number.isFinite(w) && w > 0 ? w : 0 })).filter((c) => c.w > 0);
  const out: number[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, c) => sum + c.w, 0);
    let r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON) * total;
    let pick = pool.length - 1;
    for (let k = 0; k < pool.length; k++) {
      r -= (pool[k] as { w: number }).w;
      if (r < 0) {
        pick = k;
        break;
      }
    }
    out.push((pool[pick] as { i: number }).i);
    pool.splice(pick, 1);
  }
  return out;
}
