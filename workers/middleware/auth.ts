import { createMiddleware } from "hono/factory";
import { bearerToken, parseApiKey } from "../auth/api-key.ts";
import { touchKey } from "../auth/key-store.ts";
import { ApiError } from "../errors.ts";
import { afterResponse } from "../lib/db.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { walletApiRate } from "../ratelimit/wallet-rates.ts";
import type { AuthEnv } from "../types.ts";

/** `last_used_at` is advisory: write it at most once a minute per key. */
const TOUCH_INTERVAL_MS = 60_000;
const lastTouched = new Map<string, number>();

/** Whether this isolate should write `last_used_at` for `keyId` now (and remembers that it did). */
function shouldTouch(keyId: string, now: number): boolean {
  const last = lastTouched.get(keyId);
  if (last !== undefined && now - last < TOUCH_INTERVAL_MS) return false;
  if (lastTouched.size >= 10_000) lastTouched.clear();
  lastTouched.set(keyId, now);
  return true;
}

/**
 * Authenticates `Authorization: Bearer pgk_<wallet>_<secret>` against the wallet's WalletDO (the
 * authority: a revoked key is refused on the very next request) and sets `c.var.wallet` and
 * `c.var.apiKeyId`. A valid key spends a token of the wallet's API rate limit (kept by the
 * WalletDO; 429 `rate_limited` with Retry-After when empty). For the non-hot-path routes; the proxy hands the key to `reserve()` instead.
 * Error messages never echo the header.
 *
 * @example
 * new Hono<AppEnv>().get("/v1/keys", requireApiKey(), (c) => c.text(c.var.wallet));
 */
export function requireApiKey() {
  return createMiddleware<AuthEnv>(async function apiKeyAuth(c, next) {
    const header = c.req.header("authorization");
    if (!header)
      throw new ApiError("unauthorized", "Missing API key: send Authorization: Bearer pgk_<wallet>_<secret>");
    const apiKey = bearerToken(header);
    const parsed = apiKey === null ? null : parseApiKey(apiKey);
    if (!apiKey || !parsed) {
      throw new ApiError("unauthorized", "Malformed API key: expected Authorization: Bearer pgk_<wallet>_<secret>");
    }
    const result = await walletStub(c.env, parsed.wallet).authenticate(apiKey, walletApiRate(c.env));
    if (!result.ok && result.reason === "rate_limited") {
      const retryAfter = result.retryAfter ?? 1;
      throw new ApiError("rate_limited", `Too many requests for this wallet; retry in ${retryAfter} s`, { retryAfter });
    }
    if (!result.ok || result.wallet !== parsed.wallet)
      throw new ApiError("unauthorized", "API key is unknown or revoked");
    c.set("wallet", result.wallet);
    c.set("apiKeyId", result.keyId);
    await next();
    if (shouldTouch(result.keyId, Date.now())) {
      const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
      afterResponse(c.env, waitUntil, "touch api key", (db) => touchKey(db, result.keyId, TOUCH_INTERVAL_MS));
    }
  });
}
