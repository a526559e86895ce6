/**
 * The proxy's mapping tables, in one place (docs/decisions/010-proxy.md): a WalletDO or fence
 * refusal, or an upstream status, becomes one of our error codes. Upstream bodies are never
 * passed on for errors — only the status class survives, in a documented way.
 */
import type { ReserveRefusal } from "../credit/interface.ts";
import type { ErrorCode } from "../errors.ts";
import type { AdmitRefusal } from "../fence/interface.ts";
import type { HealthOutcome } from "../telemetry/health-window.ts";

export interface Refusal {
  code: ErrorCode;
  message: string;
  retryAfter?: number;
}

/** WalletDO.reserve refusal → envelope. */
export function reserveRefusal(reason: ReserveRefusal, info: { available?: bigint; retryAfter?: number }): Refusal {
  switch (reason) {
    case "unauthorized":
      return { code: "unauthorized", message: "API key is unknown or revoked" };
    case "insufficient_credit":
      return {
        code: "insufficient_credit",
        message: `Not enough credit for this call${info.available === undefined ? "" : ` (available: ${info.available} micro-USDC)`}`,
      };
    case "flagged":
      return { code: "wallet_flagged", message: "This wallet is flagged and cannot make calls" };
    case "cooldown":
      return {
        code: "withdrawal_cooldown",
        message: "A withdrawal is in flight; calls resume when it lands or expires",
        ...(info.retryAfter === undefined ? {} : { retryAfter: info.retryAfter }),
      };
    case "rate_limited":
      return {
        code: "rate_limited",
        message: "Too many calls for this wallet; slow down",
        retryAfter: info.retryAfter ?? 1,
      };
    case "duplicate_request":
      return {
        code: "duplicate_request",
        message: "A call with this Idempotency-Key was already made (or is in flight); it is not repeated",
      };
  }
}

/** CapacityFenceDO.admit refusal → envelope. */
export function admitRefusal(reason: AdmitRefusal, retryAfter?: number): Refusal {
  switch (reason) {
    case "not_configured":
    case "deleted":
      return { code: "not_found", message: "Unknown listing" };
    case "paused":
      return { code: "no_capacity", message: "This listing is paused by its seller" };
    case "method_not_allowed":
      return { code: "method_not_allowed", message: "Method not allowed by this listing" };
    case "path_not_allowed":
      return { code: "invalid_request", message: "Path not allowed by this listing" };
    case "capacity":
      return {
        code: "no_capacity",
        message: "The listing's resale capacity for this window is used up",
        retryAfter: retryAfter ?? 1,
      };
    case "backoff":
      return { code: "no_capacity", message: "The listing's upstream is rate limiting", retryAfter: retryAfter ?? 1 };
  }
}

export type UpstreamVerdict =
  | { ok: true }
  | (Refusal & {
      ok: false;
      health: HealthOutcome;
      /** Seconds to back the listing off (upstream 429). */
      backoff?: number;
    });

/** Longest Retry-After honoured from an upstream (seconds). */
export const MAX_RETRY_AFTER = 3_600;

/** `Retry-After` as whole seconds (delta or HTTP date), clamped to 1‥MAX_RETRY_AFTER; 1 when absent or unreadable. */
export function retryAfterSeconds(header: string | null, now: number): number {
  if (header === null) return 1;
  const trimmed = header.trim();
  let seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.ceil((Date.parse(trimmed) - now) / 1000);
  if (!Number.isFinite(seconds)) seconds = 1;
  return Math.min(MAX_RETRY_AFTER, Math.max(1, seconds));
}

/**
 * Upstream status → pass the answer on (2xx, 304) or our envelope:
 * buyer-input 4xx keep their meaning (400/404/405/409/413; 422 and other 4xx → 400); the seller's
 * credentials refused (401/402/403/407) → 502; 408 and 504 → 504; 429 → 503 no_capacity with
 * Retry-After (and the listing backs off); redirects (never followed) and 5xx → 502.
 */
export function judgeUpstream(status: number, retryAfter: string | null, now: number): UpstreamVerdict {
  if ((status >= 200 && status < 300) || status === 304) return { ok: true };
  const upstream = `(upstream HTTP ${status})`;
  const fail = (code: ErrorCode, message: string, health: HealthOutcome) =>
    ({ ok: false, code, message: `${message} ${upstream}`, health }) as const;
  switch (status) {
    case 400:
    case 422:
      return fail("invalid_request", "The upstream rejected the request as invalid", "client_error");
    case 404:
      return fail("not_found", "The upstream has no such resource", "client_error");
    case 405:
      return fail("method_not_allowed", "The upstream does not allow this method here", "client_error");
    case 409:
      return fail("conflict", "The upstream reported a conflict", "client_error");
    case 413:
      return fail("payload_too_large", "The upstream refused the request body as too large", "client_error");
    case 401:
    case 402:
    case 403:
    case 407:
      return fail("upstream_error", "The upstream refused the listing's credentials", "error");
    case 408:
    case 504:
      return fail("upstream_timeout", "The upstream timed out", "error");
    case 429: {
      const seconds = retryAfterSeconds(retryAfter, now);
      return {
        ...fail("no_capacity", "The listing's upstream is rate limiting", "rate_limited"),
        retryAfter: seconds,
        backoff: seconds,
      };
    }
  }
  if (status >= 400 && status < 500)
    return fail("invalid_request", "The upstream rejected the request", "client_error");
  if (status >= 300 && status < 400) return fail("upstream_error", "The upstream answered with a redirect", "error");
  return fail("upstream_error", "The upstream failed", "error");
}
