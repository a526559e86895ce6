import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import { proxyCall } from "../proxy/call.ts";
import type { AppEnv } from "../types.ts";

/**
 * `ANY /v1/proxy/:listing/*`: the metered proxy (workers/proxy/call.ts). Authentication is the
 * WalletDO's reserve (no extra round trip through the auth middleware).
 */
export const proxy = new Hono<AppEnv>()
  .all("/v1/proxy/:listing", () => {
    throw new ApiError("invalid_request", "Missing upstream path: call /v1/proxy/<listing>/<path>");
  })
  .all("/v1/proxy/:listing/*", (c) =>
    proxyCall({
      env: c.env,
      request: c.req.raw,
      requestId: c.var.requestId,
      listingId: c.req.param("listing"),
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    }),
  );
