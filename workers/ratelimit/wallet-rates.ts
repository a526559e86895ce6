import type { RateConfig } from "../credit/rate.ts";
import { rateLimits } from "../env.ts";

/** The per-wallet bucket for proxied calls, from this deployment's bindings (`raw`: the env object). */
export function walletCallRate(raw: object): RateConfig {
  const limits = rateLimits(raw);
  return { perSecond: limits.RATE_LIMIT_WALLET_CALLS_PER_SECOND, burst: limits.RATE_LIMIT_WALLET_CALLS_BURST };
}

/** The per-wallet bucket for the other authenticated routes. */
export function walletApiRate(raw: object): RateConfig {
  const limits = rateLimits(raw);
  return { perSecond: limits.RATE_LIMIT_WALLET_API_PER_SECOND, burst: limits.RATE_LIMIT_WALLET_API_BURST };
}
