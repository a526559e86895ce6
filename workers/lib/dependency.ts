import { ApiError } from "../errors.ts";

/**
 * Runs one call to an engine the request cannot do without (Redis, the Solana RPC): if it throws,
 * the request is refused with 503 `dependency_unavailable` and a Retry-After — never a 500, and
 * never a half-done step that goes on without it. Our own `ApiError`s pass through unchanged.
 * The cause stays on the error (never in the message: it may name a URL or a token).
 */
export async function dependency<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw new ApiError("dependency_unavailable", `${what} is unavailable; retry shortly.`, { retryAfter: 2, cause });
  }
}
