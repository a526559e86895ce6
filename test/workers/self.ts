/**
 * The Worker under test — `SELF` of cloudflare:test — with every response also recorded for the
 * secrets scan (test/scan/secrets.test.ts): status, headers and body, read from a clone so a stream
 * still reaches the test as it arrives. Tests import SELF from here; biome.json refuses the other.
 */
// biome-ignore lint/style/noRestrictedImports: the one place that wraps it
import { SELF as worker } from "cloudflare:test";
import { captured } from "../setup/workers-capture.ts";

export const SELF = {
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const url = input instanceof Request ? input.url : String(input);
    const response = await worker.fetch(input, init);
    captured.response(
      { method, url, status: response.status, headers: [...response.headers], body: "" },
      response.body ? response.clone().text() : undefined,
    );
    return response;
  },
};
