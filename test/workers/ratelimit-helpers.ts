/**
 * The gateway app with its own rate limits: `createApp().request()` with the test bindings plus
 * overrides, so one test can set limits low enough to trip while the rest of the suite runs on
 * RELAXED_LIMITS (vitest.config.ts).
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../workers/app.ts";

export const BASE = "http://gateway.test";

export type Fetch = (path: string, init?: RequestInit & { ip?: string }) => Promise<Response>;

/** A fetch into a fresh app whose bindings are the test env with `overrides`; `ip` sets CF-Connecting-IP. */
export function appWith(overrides: Record<string, string>): Fetch {
  const app = createApp();
  const bindings = { ...env, ...overrides };
  return async (path, init = {}) => {
    const { ip, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (ip !== undefined) headers.set("cf-connecting-ip", ip);
    const ctx = createExecutionContext();
    const res = await app.request(`${BASE}${path}`, { ...rest, headers }, bindings, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** A random documentation-range IPv4 address (a fresh bucket per test). */
export function randomIp(): string {
  const b = crypto.getRandomValues(new Uint8Array(2));
  return `198.18.${b[0]}.${b[1]}`;
}

export interface Envelope {
  error: { code: string; message: string; requestId: string; retryAfter?: number };
}
