import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  forwardRequestHeaders,
  forwardResponseHeaders,
  REQUEST_HEADER_ALLOWLIST,
  RESPONSE_HEADER_ALLOWLIST,
  UPSTREAM_USER_AGENT,
} from "../../workers/proxy/headers.ts";
import { injectKeyHeader, upstreamUrl } from "../../workers/proxy/inject.ts";

function entries(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

const buyerRequest = new Headers({
  authorization: "Bearer pgk_buyer_secret",
  cookie: "session=abc",
  "x-forwarded-for": "10.0.0.1",
  "x-forwarded-host": "evil.example",
  forwarded: "for=10.0.0.1",
  "cf-connecting-ip": "10.0.0.1",
  "x-real-ip": "10.0.0.1",
  "proxy-authorization": "Basic eA==",
  "idempotency-key": "k1",
  "user-agent": "OpenAI/JS 5.0",
  "x-stainless-os": "Linux",
  accept: "application/json",
  "content-type": "application/json",
  "openai-beta": "assistants=v2",
});

describe("request headers", () => {
  it("forward only the allowlist: never credentials, cookies, forwarding or Cloudflare headers", () => {
    const out = forwardRequestHeaders(buyerRequest);
    expect(entries(out)).toEqual({
      accept: "application/json",
      "content-type": "application/json",
      "openai-beta": "assistants=v2",
      "user-agent": UPSTREAM_USER_AGENT,
    });
  });

  it("drop every header name outside the allowlist (property)", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/).filter((n) => !REQUEST_HEADER_ALLOWLIST.includes(n));
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 10 }), (names) => {
        const incoming = new Headers(names.map((n) => [n, "v"] as [string, string]));
        const out = Object.keys(entries(forwardRequestHeaders(incoming)));
        expect(out).toEqual(["user-agent"]);
      }),
    );
  });

  it("the allowlists name no credential or hop-by-hop header", () => {
    for (const bad of ["authorization", "cookie", "set-cookie", "host", "forwarded", "x-forwarded-for", "cf-ray"]) {
      expect(REQUEST_HEADER_ALLOWLIST).not.toContain(bad);
      expect(RESPONSE_HEADER_ALLOWLIST).not.toContain(bad);
    }
  });
});

describe("response headers", () => {
  it("pass content headers, drop account details", () => {
    const upstream = new Headers({
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      "openai-organization": "org-secret123",
      "set-cookie": "a=b",
      "x-ratelimit-limit-requests": "10000",
      "x-request-id": "req_upstream",
      server: "nginx",
      "content-length": "12",
      "content-encoding": "gzip",
    });
    expect(entries(forwardResponseHeaders(upstream))).toEqual({
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
    });
  });
});

describe("key injection", () => {
  it("bearer replaces whatever Authorization there was", () => {
    const h = new Headers({ authorization: "Bearer pgk_x" });
    injectKeyHeader(h, { kind: "bearer" }, "sk-1");
    expect(h.get("authorization")).toBe("Bearer sk-1");
  });

  it("header with and without a template", () => {
    const h = new Headers();
    injectKeyHeader(h, { kind: "header", name: "X-Api-Key" }, "sk-2");
    injectKeyHeader(h, { kind: "header", name: "X-Token", template: "Token {key}" }, "sk-3");
    expect(h.get("x-api-key")).toBe("sk-2");
    expect(h.get("x-token")).toBe("Token sk-3");
  });

  it("query injection adds no header", () => {
    const h = new Headers();
    injectKeyHeader(h, { kind: "query", name: "api_key" }, "sk-4");
    expect(entries(h)).toEqual({});
  });
});

describe("upstream URL", () => {
  it("appends the normalized path to the base path and keeps the buyer's query byte for byte", () => {
    expect(
      upstreamUrl("https://api.example.com/v1/", "/chat/completions", "?a=1&b=%20x", { kind: "bearer" }, "k"),
    ).toBe("https://api.example.com/v1/chat/completions?a=1&b=%20x");
    expect(upstreamUrl("http://127.0.0.1:8080", "/data/quotes/A", "", { kind: "bearer" }, "k")).toBe(
      "http://127.0.0.1:8080/data/quotes/A",
    );
  });

  it("keeps the base URL's own query first", () => {
    expect(upstreamUrl("https://x.test/api?version=2", "/q", "?city=Oslo", { kind: "bearer" }, "k")).toBe(
      "https://x.test/api/q?version=2&city=Oslo",
    );
  });

  it("query injection: strips any buyer parameter named like the key parameter, in any case or encoding, then adds the key", () => {
    const url = upstreamUrl(
      "https://x.test",
      "/data",
      "?api_key=mine&API_KEY=again&api%5Fkey=enc&city=Oslo",
      { kind: "query", name: "api_key" },
      "sk/+=",
    );
    expect(url).toBe("https://x.test/data?city=Oslo&api_key=sk%2F%2B%3D");
  });
});
