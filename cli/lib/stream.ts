/**
 * What the CLI does with a proxied SSE stream on its way to stdout: every event passes through as
 * it arrives, except the gateway's own `event: proxygate` trailer (cost and receipt, sent after
 * `data: [DONE]`), which is taken out for stderr. An `event: error` (a stream cut upstream) is
 * passed on and remembered, so the command can fail after printing what was served.
 */
import { parseSseEvent, SseSplitter } from "../../workers/proxy/usage.ts";
import { parseEnvelope } from "./http.ts";

export interface Trailer {
  requestId: string;
  cost: string;
  receipt: string;
}

export class ProxyStreamFilter {
  readonly #splitter = new SseSplitter();
  trailer: Trailer | null = null;
  error: { code: string; message: string; requestId?: string } | null = null;

  /** Text to write for this chunk (complete events only; a partial event waits for its end). */
  push(text: string): string {
    let out = "";
    for (const raw of this.#splitter.push(text)) {
      const { event, data } = parseSseEvent(raw);
      if (event === "proxygate") {
        this.trailer = parseTrailer(data) ?? this.trailer;
        continue;
      }
      if (event === "error") this.error = parseEnvelope(data) ?? { code: "stream_error", message: data.slice(0, 300) };
      out += raw;
    }
    return out;
  }

  /** What is left when the stream ends (an event without its blank-line terminator). */
  end(): string {
    return this.#splitter.rest();
  }
}

function parseTrailer(data: string): Trailer | null {
  try {
    const json = JSON.parse(data) as Record<string, unknown>;
    const { requestId, cost, receipt } = json;
    if (typeof requestId === "string" && typeof cost === "string" && typeof receipt === "string") {
      return { requestId, cost, receipt };
    }
  } catch {
    // Not our trailer's shape: dropped all the same, it was addressed to us.
  }
  return null;
}

/**
 * The request body for `--stream`: a JSON object body gets `"stream": true` unless it says
 * otherwise; anything else is sent as given.
 */
export function streamingBody(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json) || "stream" in json) return body;
  return JSON.stringify({ ...json, stream: true });
}
