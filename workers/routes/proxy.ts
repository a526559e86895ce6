import { Hono } from "hono";
import { z } from "zod";
import { ApiError } from "../errors.ts";
import { operation } from "../openapi/registry.ts";
import { proxyCall } from "../proxy/call.ts";
import type { AppEnv } from "../types.ts";

export const proxyApi = [
  operation({
    method: "all",
    path: "/v1/proxy/:target/*",
    operationId: "proxy",
    summary: "Call a listing's upstream API, metered per call and paid from the caller's balance",
    description:
      "Any method the listing allows. The seller's key is injected by the gateway; request and response headers pass by allowlist. " +
      "Every answer carries `X-Proxygate-Request-Id`, `X-Proxygate-Listing`, `X-Proxygate-Cost` (micro-USDC) and, on success, " +
      "`X-Proxygate-Receipt`. Streams (SSE) end with an `event: proxygate` trailer carrying cost and receipt. " +
      "The listing that served is named in `X-Proxygate-Listing`. OpenAI SDKs: `baseURL = <gateway>/v1/proxy/<service or listing>/v1`, `apiKey = pgk_…`.",
    tags: ["proxy"],
    auth: "apiKey",
    params: z.object({
      target: z.string().describe("A listing id (pinned) or a service name (routed among its sellers with failover)"),
      path: z.string().describe("The upstream path, e.g. `v1/chat/completions` (may contain slashes)"),
    }),
    body: z.unknown().describe("Passed to the upstream as is (up to 2 MiB, uncompressed)"),
    responses: { 200: { description: "The upstream's answer, passed through (any 2xx or 304)" } },
    errors: [
      "invalid_request",
      "insufficient_credit",
      "wallet_flagged",
      "not_found",
      "method_not_allowed",
      "duplicate_request",
      "withdrawal_cooldown",
      "payload_too_large",
      "upstream_error",
      "no_capacity",
      "upstream_timeout",
    ],
  }),
];

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
