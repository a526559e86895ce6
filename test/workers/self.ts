/**
 * The Worker under test — `SELF` of cloudflare:test — with every response also recorded for the
 * secrets scan (test/scan/secrets.test.ts): status and headers at once, the body as the test reads
 * it, through a pass-through that keeps each chunk as it came (a stream still arrives chunk by chunk).
 * Tests import SELF from here; biome.json refuses the other.
 */
// biome-ignore lint/style/noRestrictedImports: the one place that wraps it
import { SELF as worker } from "cloudflare:test";
import { captured } from "../setup/workers-capture.ts";

/** Recorded bodies are cut here; the gateway's answers are far smaller. */
const MAX_BODY_CHARS = 1 << 20;

export const SELF = {
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const url = input instanceof Request ? input.url : String(input);
    const response = await worker.fetch(input, init);
    const entry = { method, url, status: response.status, headers: [...response.headers], body: "" };
    captured.response(entry);
    if (!response.body) return response;
    const decoder = new TextDecoder();
    const recorder = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (entry.body.length < MAX_BODY_CHARS) entry.body += decoder.decode(chunk, { stream: true });
        controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(recorder), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  },
};
