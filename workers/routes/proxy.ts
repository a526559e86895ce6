import { Hono } from "hono";
import { ApiError } from "../errors.ts";
import { proxyCall } from "../proxy/call.ts";
import type { AppEnv } from "../types.ts";

/**
 * `ANY /v1/proxy/:target/*`: the metered proxy (workers/proxy/call.ts). The target is a listing id
 * (pinned) or a service name (routed among its sellers with failover, docs/decisions/012).
 * Authentication is the WalletDO's reserve (no extra round trip through the auth middleware).
 */
export const proxy = new Hono<AppEnv>()
  .all("/v1/proxy/:target", () => {
    throw new ApiError("invalid_request", "Missing upstream path: call /v1/proxy/<listing or service>/<path>");
  })
  .all("/v1/proxy/:target/*", (c) =>
    proxyCall({
      env: c.env,
      request: c.req.raw,
      requestId: c.var.requestId,
      target: c.req.param("target"),
      waitUntil: (p) => c.executionCtx.waitUntil(p),
    }),
  );
