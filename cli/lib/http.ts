/**
 * A small client for the gateway's HTTP API, runtime-neutral (fetch only): used by the CLI, the
 * dev seed, the benchmarks and the tests. Errors come back typed: `GatewayError` for an answer in
 * the error envelope (or any non-2xx), `NetworkError` when the gateway could not be reached.
 */

/** The gateway answered with an error (the `{"error":{code,message,requestId}}` envelope when it is ours). */
export class GatewayError extends Error {
  override name = "GatewayError";
  readonly status: number;
  /** The envelope's code, or `http_<status>` when the body was not our envelope. */
  readonly code: string;
  readonly detail: string;
  readonly requestId: string | null;
  readonly retryAfter: number | null;

  constructor(what: string, status: number, body: string) {
    const envelope = parseEnvelope(body);
    const code = envelope?.code ?? `http_${status}`;
    const detail = envelope?.message ?? (body.trim().slice(0, 300) || `HTTP ${status}`);
    super(`${what} → ${status} ${code}: ${detail}`);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.requestId = envelope?.requestId ?? null;
    this.retryAfter = envelope?.retryAfter ?? null;
  }
}

/** The gateway (or an RPC node) could not be reached at all: refused, reset, DNS, timeout. */
export class NetworkError extends Error {
  override name = "NetworkError";
}

interface Envelope {
  code: string;
  message: string;
  requestId?: string;
  retryAfter?: number;
}

/** The error envelope of a response body, or null when it is not one. */
export function parseEnvelope(body: string): Envelope | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null || !("error" in parsed)) return null;
  const error: unknown = parsed.error;
  if (typeof error !== "object" || error === null) return null;
  const { code, message, requestId, retryAfter } = error as Record<string, unknown>;
  if (typeof code !== "string" || typeof message !== "string") return null;
  return {
    code,
    message,
    ...(typeof requestId === "string" ? { requestId } : {}),
    ...(typeof retryAfter === "number" ? { retryAfter } : {}),
  };
}

export interface ApiInit {
  method?: string;
  /** Sent as JSON. A request with a body defaults to POST. */
  body?: unknown;
  apiKey?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** fetch, with an unreachable gateway turned into a NetworkError naming the address. */
export async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    if (init.signal?.aborted) throw err;
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : "";
    throw new NetworkError(`cannot reach ${new URL(url).origin}${cause}`);
  }
}

/**
 * Calls `path` on the gateway; JSON in and out; a non-2xx answer throws a GatewayError.
 *
 * @example
 * const balance = await api<{ available: string }>("http://127.0.0.1:8787", "/v1/balance", { apiKey });
 */
export async function api<T>(gateway: string, path: string, init: ApiInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json", ...init.headers };
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`;
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  const res = await send(`${gateway.replace(/\/+$/, "")}${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  const text = await res.text();
  if (!res.ok) throw new GatewayError(`${method} ${path}`, res.status, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new GatewayError(`${method} ${path}`, res.status, `not JSON: ${text.slice(0, 100)}`);
  }
}
