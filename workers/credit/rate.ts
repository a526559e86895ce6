/**
 * A token bucket: the per-wallet request rate limit, kept in memory by the wallet's WalletDO (one
 * object per wallet worldwide, single-threaded, so the count is exact without any store). Pure:
 * the caller passes `now` and keeps the returned bucket. An evicted object starts with a full
 * bucket again, which only ever errs toward letting a wallet through.
 */
import { z } from "zod";

export const RateConfig = z.strictObject({
  /** Tokens added per second (the sustained rate). */
  perSecond: z.number().positive().max(1_000_000_000),
  /** Bucket size: the most requests allowed at once after a quiet spell. */
  burst: z.int().min(1).max(1_000_000_000),
});
export type RateConfig = z.infer<typeof RateConfig>;

export interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

export type Take =
  | { ok: true; bucket: Bucket; remaining: number }
  | { ok: false; bucket: Bucket /** Milliseconds until one token is back, ≥ 1. */; retryAfterMs: number };

/**
 * Takes one token at `now`, refilling first (`perSecond` per second, up to `burst`). A clock that
 * went backwards refills nothing. A bucket last seen with a different config is clamped to the new burst.
 *
 * @example
 * let bucket: Bucket | undefined;
 * const t = take(bucket, { perSecond: 100, burst: 200 }, Date.now());
 * bucket = t.bucket;
 * if (!t.ok) refuse(Math.ceil(t.retryAfterMs / 1000));
 */
export function take(bucket: Bucket | undefined, config: RateConfig, now: number): Take {
  const elapsed = bucket === undefined ? 0 : Math.max(0, now - bucket.at);
  const start = bucket === undefined ? config.burst : bucket.tokens;
  const tokens = Math.min(config.burst, start + (elapsed * config.perSecond) / 1000);
  const at = bucket === undefined ? now : Math.max(bucket.at, now);
  if (tokens >= 1) return { ok: true, bucket: { tokens: tokens - 1, at }, remaining: Math.floor(tokens - 1) };
  return {
    ok: false,
    bucket: { tokens, at },
    retryAfterMs: Math.max(1, Math.ceil(((1 - tokens) * 1000) / config.perSecond)),
  };
}

/** Whole seconds for `Retry-After` (at least 1). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
