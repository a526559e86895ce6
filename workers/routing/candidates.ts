/**
 * The routing step of a call by service (DESIGN §2 step 2): the service's active listings from the
 * isolate's catalog cache, each scored from cached Redis health, this isolate's own recent
 * outcomes and the last headroom its fence reported, then put in weighted-random order (the
 * failover order). No Redis or Postgres before the upstream once the isolate is warm: health is
 * only peeked (refreshed in the background), the listings are revalidated in the background.
 */

import { peekHealth, serviceListings } from "../catalog/cache.ts";
import type { Env } from "../env.ts";
import { dependency } from "../lib/dependency.ts";
import type { Pricing } from "../proxy/pricing.ts";
import { localFeedback } from "./feedback.ts";
import { type Estimate, order, type ScoreInput, scoreAll } from "./score.ts";

export interface Candidate {
  listingId: string;
  /** The catalog's price (the fence's admit carries the live one). */
  pricing: Pricing;
  estimate: Estimate;
}

export interface Routed {
  /** Failover order, best-weighted first. */
  candidates: Candidate[];
  /** The service has active listings at all. */
  known: boolean;
  /** Seconds until the soonest listing left out for backing off is back; null if none was. */
  backoffRetryAfter: number | null;
}

/**
 * @param costOf what this call would cost the buyer under a listing's pricing (micro-USDC)
 */
export async function routeService(
  env: Env,
  service: string,
  costOf: (pricing: Pricing) => bigint,
  waitUntil: (promise: Promise<unknown>) => void,
  random: () => number = Math.random,
): Promise<Routed> {
  // A cold isolate with Postgres down has nothing to route from: 503 with Retry-After, not a 500.
  const listings = await dependency("The catalog", () => serviceListings(env, service, waitUntil));
  const now = Date.now();
  const usable: Array<{ listingId: string; pricing: Pricing; input: ScoreInput }> = [];
  let soonest: number | null = null;
  for (const l of listings) {
    const local = localFeedback.view(l.id, now);
    const health = peekHealth(env, l.id, waitUntil);
    if (local.backoffUntil > now) {
      soonest = Math.min(soonest ?? Number.POSITIVE_INFINITY, local.backoffUntil);
      continue;
    }
    const pricing: Pricing = { price: l.price, pricingUnit: l.pricingUnit };
    usable.push({
      listingId: l.id,
      pricing,
      input: {
        cost: Number(costOf(pricing)),
        remote: health
          ? {
              calls: health.calls,
              errorRate: health.errorRate,
              rateLimitRate: health.rateLimitRate,
              meanMs: health.meanMs,
            }
          : null,
        local: local.health,
        headroom: local.headroom,
      },
    });
  }
  const estimates = scoreAll(usable.map((u) => u.input));
  const ranked = order(
    estimates.map((e) => e.score),
    random,
  );
  return {
    known: listings.length > 0,
    candidates: ranked.map((i) => {
      const u = usable[i] as (typeof usable)[number];
      return { listingId: u.listingId, pricing: u.pricing, estimate: estimates[i] as Estimate };
    }),
    backoffRetryAfter: soonest === null ? null : Math.max(1, Math.ceil((soonest - now) / 1000)),
  };
}
