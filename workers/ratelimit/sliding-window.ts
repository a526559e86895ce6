/**
 * The per-subject sliding window in Redis (lua/ratelimit-sliding.lua): exact, atomic, one round
 * trip. The caller passes `now`, so the script is deterministic and testable.
 */
import type { Redis } from "@upstash/redis/cloudflare";
import slidingSource from "../../lua/ratelimit-sliding.lua";

/** The part of the Redis client the limiter needs. */
export type LimiterRedis = Pick<Redis, "createScript">;

export interface WindowLimit {
  /** Requests admitted per window. */
  limit: number;
  windowMs: number;
}

export type WindowDecision =
  | { admitted: true; remaining: number }
  | { admitted: false; remaining: 0 /** Milliseconds until a slot frees, ≥ 1. */; retryAfterMs: number };

export function windowKey(tier: string, subject: string): string {
  return `rl:${tier}:${subject}`;
}

/**
 * Counts one request of `subject` against `rule` at `now` (epoch ms); `member` must be unique per
 * request (the request id). EVALSHA with a NOSCRIPT → EVAL fallback (`createScript`).
 *
 * @example
 * const d = await hitWindow(redis, "rl:signin:203.0.113.9", { limit: 20, windowMs: 60_000 }, Date.now(), requestId);
 * if (!d.admitted) throw new ApiError("rate_limited", "…", { retryAfter: Math.ceil(d.retryAfterMs / 1000) });
 */
export async function hitWindow(
  redis: LimiterRedis,
  key: string,
  rule: WindowLimit,
  now: number,
  member: string,
): Promise<WindowDecision> {
  const reply = await redis
    .createScript<number[]>(slidingSource)
    .exec([key], [String(now), String(rule.windowMs), String(rule.limit), member]);
  const [admitted, remaining, retryAfterMs] = reply.map(Number);
  if (admitted === 1) return { admitted: true, remaining: remaining ?? 0 };
  return { admitted: false, remaining: 0, retryAfterMs: Math.max(1, retryAfterMs ?? 1000) };
}
