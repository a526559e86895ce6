/**
 * Which headers cross the gateway, by allowlist in both directions (docs/decisions/010-proxy.md).
 * Anything not listed is dropped: the buyer's credentials, cookies and forwarding headers never reach
 * the upstream, and the upstream's account details (organization ids, rate-limit tiers, cookies,
 * request ids) never reach the buyer.
 */

/** Request headers forwarded to the upstream: content negotiation, conditionals and API-version pins. */
export const REQUEST_HEADER_ALLOWLIST: readonly string[] = [
  "accept",
  "accept-language",
  "content-type",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "openai-beta",
  "anthropic-version",
  "anthropic-beta",
];

/** Response headers passed back to the buyer: how to read and cache the body, nothing about the account. */
export const RESPONSE_HEADER_ALLOWLIST: readonly string[] = [
  "content-type",
  "content-language",
  "content-disposition",
  "cache-control",
  "etag",
  "last-modified",
  "expires",
];

/** What the upstream sees as the client: the gateway, not the buyer's SDK. */
export const UPSTREAM_USER_AGENT = "proxygate/1";

function pick(source: Headers, allowlist: readonly string[]): Headers {
  const out = new Headers();
  for (const name of allowlist) {
    const value = source.get(name);
    if (value !== null) out.set(name, value);
  }
  return out;
}

/**
 * The headers of the forwarded request: the allowlisted ones of the buyer's request plus our
 * user agent. The provider key is injected afterwards (workers/proxy/inject.ts).
 *
 * @example
 * forwardRequestHeaders(new Headers({ authorization: "Bearer pgk_…", accept: "application/json" }));
 * // Headers { accept: "application/json", user-agent: "proxygate/1" }
 */
export function forwardRequestHeaders(incoming: Headers): Headers {
  const out = pick(incoming, REQUEST_HEADER_ALLOWLIST);
  out.set("user-agent", UPSTREAM_USER_AGENT);
  return out;
}

/** The allowlisted headers of the upstream's (successful) response. */
export function forwardResponseHeaders(upstream: Headers): Headers {
  return pick(upstream, RESPONSE_HEADER_ALLOWLIST);
}
