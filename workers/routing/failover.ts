/**
 * Failover decisions, pure (docs/decisions/012-routing.md). Only before the first byte reached
 * the buyer: once an upstream answered 2xx the call is committed to that seller.
 *
 * | attempt ended with                                   | kind          | then                         |
 * |------------------------------------------------------|---------------|------------------------------|
 * | upstream 4xx of the buyer's making (400, 404, 413 …) | `client`      | answer the buyer             |
 * | fence: method/path not allowed by this listing       | `route`       | next seller                  |
 * | fence: paused, deleted, capacity used up, backoff    | `unavailable` | next seller                  |
 * | upstream 429                                         | `rate_limited`| fence backoff, next at once  |
 * | upstream 5xx/408/504, timeout, connection error      | `seller`      | one jittered retry, then next|
 * | seller's credentials refused, key unusable           | `unusable`    | next seller                  |
 *
 * A pinned listing (`/v1/proxy/<listing id>/…`) never fails over: its first failure is the answer.
 */
import type { Refusal } from "../proxy/outcomes.ts";

/** Most upstream requests per buyer call (retries included). */
export const MAX_UPSTREAM_ATTEMPTS = 4;
/** Most listings tried per buyer call (fence refusals included). */
export const MAX_CANDIDATES = 5;
/** No new attempt starts after this long since the call began. */
export const TOTAL_DEADLINE_MS = 120_000;
/** A new attempt needs at least this much of the deadline left. */
export const MIN_ATTEMPT_MS = 1_000;
/** Mean delay of the same-seller retry; the actual delay is uniform in [0.5, 1.5) × this. */
export const RETRY_BASE_MS = 100;
/** Retry-After of an exhausted call when no refusal named one, seconds. */
export const DEFAULT_RETRY_AFTER = 2;

export type FailureKind = "client" | "route" | "unavailable" | "rate_limited" | "seller" | "unusable";

export interface Failure {
  kind: FailureKind;
  refusal: Refusal;
  listingId: string;
}

export type Step = { action: "stop" } | { action: "retry"; delayMs: number } | { action: "next" };

export interface AttemptState {
  pinned: boolean;
  /** This listing was already retried once. */
  retried: boolean;
  /** Upstream requests made so far (this one included). */
  upstreamAttempts: number;
  /** Milliseconds left before the total deadline. */
  remainingMs: number;
}

/**
 * What to do after a failed attempt. `random` returns [0, 1) (the retry jitter).
 *
 * @example
 * afterFailure("seller", { pinned: false, retried: false, upstreamAttempts: 1, remainingMs: 60_000 }, () => 0.5);
 * // { action: "retry", delayMs: 100 }
 */
export function afterFailure(kind: FailureKind, state: AttemptState, random: () => number): Step {
  if (state.pinned || kind === "client") return { action: "stop" };
  if (kind === "seller" && !state.retried && state.upstreamAttempts < MAX_UPSTREAM_ATTEMPTS) {
    const delayMs = Math.round(RETRY_BASE_MS * (0.5 + random()));
    if (state.remainingMs - delayMs >= MIN_ATTEMPT_MS) return { action: "retry", delayMs };
  }
  return { action: "next" };
}

/** Whether another listing may be tried. */
export function mayTryNext(candidatesTried: number, upstreamAttempts: number, remainingMs: number): boolean {
  return candidatesTried < MAX_CANDIDATES && upstreamAttempts < MAX_UPSTREAM_ATTEMPTS && remainingMs >= MIN_ATTEMPT_MS;
}

/**
 * The buyer's answer when every tried listing failed (or none could be tried): if every listing
 * refused the request's method or path, that refusal (it is the buyer's to fix); if a seller was
 * too dear for the buyer's credit, 402 `insufficient_credit` (also the buyer's); otherwise 503
 * `no_capacity` with the soonest Retry-After any refusal named (else `DEFAULT_RETRY_AFTER`).
 */
export function exhausted(failures: readonly Failure[], backoffRetryAfter: number | null = null): Refusal {
  const last = failures.at(-1);
  if (last && failures.every((f) => f.kind === "route")) return last.refusal;
  const credit = failures.find((f) => f.refusal.code === "insufficient_credit");
  if (credit) return credit.refusal;
  const hints = failures
    .map((f) => f.refusal.retryAfter)
    .filter((s): s is number => s !== undefined && s > 0)
    .concat(backoffRetryAfter === null ? [] : [backoffRetryAfter]);
  const retryAfter = hints.length > 0 ? Math.min(...hints) : DEFAULT_RETRY_AFTER;
  const tried = new Set(failures.map((f) => f.listingId)).size;
  return {
    code: "no_capacity",
    message:
      tried === 0
        ? "Every seller of this service is backing off; retry later"
        : `No seller of this service could serve the call (${tried} tried); retry later`,
    retryAfter,
  };
}
