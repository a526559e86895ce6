import { createMiddleware } from "hono/factory";
import { retryAfterSeconds } from "../credit/rate.ts";
import { type RateLimits, rateLimits, secretValues, validateEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { redactError } from "../lib/redact.ts";
import { createRedis } from "../lib/redis.ts";
import { clientSubject } from "../ratelimit/client-ip.ts";
import { hitWindow, type LimiterRedis, type WindowDecision, windowKey } from "../ratelimit/sliding-window.ts";
import type { AppEnv } from "../types.ts";

/** The per-IP tiers: `public` for unauthenticated reads, `signin` (stricter) for the sign-in routes. */
export type IpTier = "public" | "signin";

const WINDOW_MS = 60_000;
/** A Redis that does not answer within this long does not hold the request up: it is let through. */
export const LIMITER_TIMEOUT_MS = 1_000;

function limitOf(tier: IpTier, limits: RateLimits): number {
  return tier === "signin" ? limits.RATE_LIMIT_SIGNIN_PER_MINUTE : limits.RATE_LIMIT_PUBLIC_PER_MINUTE;
}

/** The decision, or null when Redis failed or was too slow (the caller fails open). */
async function decide(
  redis: LimiterRedis,
  key: string,
  limit: number,
  requestId: string,
  onError: (err: unknown) => void,
): Promise<WindowDecision | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), LIMITER_TIMEOUT_MS);
  });
  try {
    const decision = await Promise.race([
      hitWindow(redis, key, { limit, windowMs: WINDOW_MS }, Date.now(), requestId),
      timeout,
    ]);
    if (decision === null) onError(new Error(`no answer within ${LIMITER_TIMEOUT_MS} ms`));
    return decision;
  } catch (err) {
    onError(err);
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Per-client-IP sliding window (60 s) in Redis, for routes anyone may call. Over the limit → 429
 * `rate_limited` with `Retry-After` (header and envelope). Every answer carries
 * `X-RateLimit-Limit` / `X-RateLimit-Remaining`. Redis down or slow → the request is let through and
 * a warning logged: a limiter outage must not become a gateway outage. Never used on the proxy
 * route, which touches no Redis before the upstream (its per-wallet limit lives in the WalletDO).
 *
 * @example
 * app.use("/v1/auth/*", ipRateLimit("signin"));
 */
export function ipRateLimit(tier: IpTier) {
  return createMiddleware<AppEnv>(async function ipRateLimitMiddleware(c, next) {
    const checked = validateEnv(c.env);
    const mode = checked.ok ? checked.env.GATEWAY_MODE : "production";
    const limit = limitOf(tier, rateLimits(c.env));
    const subject = clientSubject(c.req.raw.headers, mode);
    const decision = await decide(createRedis(c.env), windowKey(tier, subject), limit, c.var.requestId, (err) => {
      console.warn(
        JSON.stringify({
          level: "warn",
          requestId: c.var.requestId,
          msg: "rate limiter unavailable; request let through",
          tier,
          reason: redactError(err, secretValues(c.env)),
        }),
      );
    });
    if (decision !== null && !decision.admitted) {
      const retryAfter = retryAfterSeconds(decision.retryAfterMs);
      throw new ApiError("rate_limited", `Too many requests from this address; retry in ${retryAfter} s`, {
        retryAfter,
      });
    }
    await next();
    if (decision !== null) {
      c.header("x-ratelimit-limit", String(limit));
      c.header("x-ratelimit-remaining", String(decision.remaining));
    }
  });
}
