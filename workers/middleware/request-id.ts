import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../types.ts";

export const REQUEST_ID_HEADER = "X-Proxygate-Request-Id";

/** A fresh, unguessable request id: `req_` + 24 hex chars of randomness with a time prefix for sorting. */
export function newRequestId(now = Date.now()): string {
  const random = crypto.getRandomValues(new Uint8Array(8));
  const hex = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  return `req_${now.toString(16).padStart(12, "0")}${hex}`;
}

/**
 * Gives every request an id (never taken from the client, so logs and receipts can trust it),
 * exposes it as `c.var.requestId` and echoes it on the response.
 */
export function requestId() {
  return createMiddleware<AppEnv>(async function requestIdMiddleware(c, next) {
    const id = newRequestId();
    c.set("requestId", id);
    await next();
    c.header(REQUEST_ID_HEADER, id);
  });
}
