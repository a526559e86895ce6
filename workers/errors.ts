import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * The closed set of error codes the gateway answers with. Every error response, from any route,
 * is `{"error":{"code","message","requestId","retryAfter?"}}` with the status from `statusOf`.
 */
export const ERROR_CODES = [
  "invalid_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "payload_too_large",
  "insufficient_credit",
  "duplicate_request",
  "wallet_flagged",
  "withdrawal_cooldown",
  "rate_limited",
  "upstream_error",
  "upstream_timeout",
  "no_capacity",
  "dependency_unavailable",
  "bad_environment",
  "internal_error",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one mapping from error code to HTTP status. Exhaustive: adding a code without a status fails typecheck. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "invalid_request":
      return 400;
    case "unauthorized":
      return 401;
    case "insufficient_credit":
      return 402;
    case "forbidden":
    case "wallet_flagged":
      return 403;
    case "not_found":
      return 404;
    case "method_not_allowed":
      return 405;
    case "conflict":
    case "duplicate_request":
    case "withdrawal_cooldown":
      return 409;
    case "payload_too_large":
      return 413;
    case "rate_limited":
      return 429;
    case "bad_environment":
    case "internal_error":
      return 500;
    case "upstream_error":
      return 502;
    case "no_capacity":
    case "dependency_unavailable":
      return 503;
    case "upstream_timeout":
      return 504;
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; requestId: string; retryAfter?: number };
}

/**
 * An error that is ours to report: its code and message go to the client as they are, so the
 * message must be written for the client and must never contain a secret.
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly code: ErrorCode;
  /** Seconds the client should wait before retrying; sent in the envelope and as `Retry-After`. */
  readonly retryAfter: number | undefined;

  constructor(code: ErrorCode, message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryAfter = options.retryAfter;
  }
}

/** Builds the envelope response for `code`; the single place error responses are made. */
export function errorResponse(
  code: ErrorCode,
  message: string,
  requestId: string,
  retryAfter?: number,
  extraHeaders: Record<string, string> = {},
): Response {
  const body: ErrorEnvelope = { error: { code, message, requestId } };
  const headers: Record<string, string> = {
    "content-type": "application/json; charset=utf-8",
    "x-proxygate-request-id": requestId,
    ...extraHeaders,
  };
  if (retryAfter !== undefined) {
    body.error.retryAfter = retryAfter;
    headers["retry-after"] = String(retryAfter);
  }
  return new Response(JSON.stringify(body), { status: statusOf(code), headers });
}
