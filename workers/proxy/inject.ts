/**
 * Building the upstream URL and injecting the seller's provider key (header with a template,
 * bearer, or query parameter). Pure: the key is a plain argument, never cached or logged here.
 */
import type { KeyInjection } from "../fence/interface.ts";

function queryName(part: string): string {
  const raw = part.split("=", 1)[0] ?? "";
  try {
    return decodeURIComponent(raw.replace(/\+/g, " ")).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * The upstream URL: the listing's base URL, the normalized path appended to the base path, then
 * the base URL's own query, the buyer's query (byte for byte, minus any parameter named like the
 * key parameter, in any case) and, for query injection, the key.
 *
 * @example
 * upstreamUrl("https://api.example.com/v1", "/chat/completions", "?x=1", { kind: "bearer" }, "sk");
 * // "https://api.example.com/v1/chat/completions?x=1"
 */
export function upstreamUrl(
  baseUrl: string,
  normalizedPath: string,
  buyerSearch: string,
  injection: KeyInjection,
  key: string,
): string {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const keyParam = injection.kind === "query" ? (injection.name ?? "").toLowerCase() : null;
  const parts = [
    ...base.search.slice(1).split("&"),
    ...buyerSearch
      .replace(/^\?/, "")
      .split("&")
      .filter((part) => keyParam === null || queryName(part) !== keyParam),
  ].filter((part) => part !== "");
  if (injection.kind === "query" && injection.name) {
    parts.push(`${encodeURIComponent(injection.name)}=${encodeURIComponent(key)}`);
  }
  const query = parts.length > 0 ? `?${parts.join("&")}` : "";
  return `${base.origin}${basePath}${normalizedPath}${query}`;
}

/**
 * Sets the key header on the forwarded request's headers (bearer → `Authorization: Bearer <key>`;
 * header → `<name>: <template with {key}>`). Query injection is done by `upstreamUrl`.
 * Throws a TypeError for a header name the runtime refuses (a misconfigured listing).
 */
export function injectKeyHeader(headers: Headers, injection: KeyInjection, key: string): void {
  if (injection.kind === "bearer") headers.set("authorization", `Bearer ${key}`);
  else if (injection.kind === "header") {
    if (!injection.name) throw new TypeError("header key injection without a header name");
    headers.set(injection.name, injection.template ? injection.template.replaceAll("{key}", key) : key);
  }
}
