import { Hono } from "hono";
import { buildOpenApi, type Operation, operation } from "../openapi/registry.ts";
import type { AppEnv } from "../types.ts";

export const openapiApi = [
  operation({
    method: "get",
    path: "/v1/openapi.json",
    operationId: "openapi",
    summary: "This document: OpenAPI 3.1, generated from the schemas the routes validate with",
    tags: ["meta"],
    auth: "public",
    responses: { 200: { description: "The OpenAPI 3.1 document" } },
    errors: [],
  }),
];

export const API_INFO = {
  title: "proxygate",
  version: "1",
  description:
    "Edge gateway and marketplace for API capacity resale, paid per call in USDC on Solana. Amounts are integer " +
    'micro-USDC as decimal strings; times are ISO 8601. Every error is `{"error":{"code","message","requestId","retryAfter?"}}`. ' +
    "Rate limits: per client IP on public routes (stricter on sign-in), per wallet on the others; 429 `rate_limited` with `Retry-After`.",
};

/**
 * `GET /v1/openapi.json`: the document of `ops`, built once per isolate (the operations are static).
 *
 * @example
 * app.route("/", openapiRoutes(API_OPERATIONS));
 */
export function openapiRoutes(ops: readonly Operation[]) {
  let document: Record<string, unknown> | undefined;
  return new Hono<AppEnv>().get("/v1/openapi.json", (c) => {
    document ??= buildOpenApi(ops, API_INFO);
    c.header("cache-control", "public, max-age=300");
    c.header("access-control-allow-origin", "*");
    return c.json(document);
  });
}
