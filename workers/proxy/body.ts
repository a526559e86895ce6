/**
 * The buyer's request body: read with a size cap, and for token-priced JSON calls inspected for
 * what metering needs (stream flag, completion cap) and amended to ask for usage in streams.
 */
import { ApiError } from "../errors.ts";

/** Largest request body forwarded (2 MiB); larger is 413 before anything is reserved. */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Reads the body into memory, refusing more than `limit` bytes (by Content-Length up front, and
 * while reading for chunked bodies). Null for a request without a body.
 */
export async function readCappedBody(request: Request, limit = MAX_BODY_BYTES): Promise<Uint8Array | null> {
  if (request.body === null) return null;
  const tooLarge = () => new ApiError("payload_too_large", `Request body exceeds ${limit} bytes`);
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export interface TokenRequest {
  /** The body to forward (amended when usage had to be requested). */
  body: Uint8Array | null;
  /** The buyer asked for an SSE stream (`"stream": true`). */
  stream: boolean;
  /** The buyer's completion cap (`max_completion_tokens`, else `max_tokens`), if any. */
  maxTokens: number | null;
  /** We added `stream_options.include_usage`: the usage-only chunk was not asked for and is not passed on. */
  usageInjected: boolean;
}

function isJson(contentType: string | null): boolean {
  return contentType !== null && /^application\/(.+\+)?json\b/i.test(contentType.trim());
}

function positiveInt(v: unknown): number | null {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : null;
}

/**
 * Inspects a token-priced call's JSON body. A streamed OpenAI-style request without
 * `stream_options.include_usage: true` gets it added, so the final chunk carries the usage.
 * Non-JSON or unparseable bodies pass through untouched (the upstream judges them).
 *
 * @example
 * inspectTokenRequest(utf8('{"stream":true,"max_tokens":50}'), "application/json");
 * // { stream: true, maxTokens: 50, usageInjected: true, body: '{"stream":true,"max_tokens":50,"stream_options":{"include_usage":true}}' }
 */
export function inspectTokenRequest(body: Uint8Array | null, contentType: string | null): TokenRequest {
  const plain: TokenRequest = { body, stream: false, maxTokens: null, usageInjected: false };
  if (body === null || body.byteLength === 0 || !isJson(contentType)) return plain;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return plain;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return plain;
  const json = parsed as Record<string, unknown>;
  const maxTokens = positiveInt(json.max_completion_tokens) ?? positiveInt(json.max_tokens);
  const stream = json.stream === true;
  if (!stream) return { ...plain, maxTokens };
  const options = json.stream_options;
  if (typeof options === "object" && options !== null && (options as Record<string, unknown>).include_usage === true) {
    return { ...plain, stream, maxTokens };
  }
  const amended = {
    ...json,
    stream_options: { ...(typeof options === "object" && options !== null ? options : {}), include_usage: true },
  };
  return { body: new TextEncoder().encode(JSON.stringify(amended)), stream, maxTokens, usageInjected: true };
}
