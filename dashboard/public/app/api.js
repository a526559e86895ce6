// The gateway's public API, as the dashboard calls it: same origin, JSON, the error envelope
// `{"error":{"code","message","requestId"}}` turned into an ApiError.
import { apiKey, signOut } from "./session.js";

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string | null} requestId
   */
  constructor(status, code, message, requestId) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.requestId = requestId;
  }

  /** True when the route itself does not exist on this gateway (a feature not deployed yet). */
  get missingRoute() {
    return this.status === 404 && this.message.startsWith("No route for");
  }
}

/**
 * Calls the API. Authenticated unless `auth: false`; a 401 on an authenticated call means the key
 * was revoked or is wrong, so the session ends.
 * @template T
 * @param {string} path
 * @param {{ method?: string, body?: unknown, auth?: boolean, signal?: AbortSignal }} [init]
 * @returns {Promise<T>}
 */
export async function api(path, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: "application/json" };
  const key = init.auth === false ? null : apiKey();
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (init.body !== undefined) headers["content-type"] = "application/json";
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      body: init.body === undefined ? null : JSON.stringify(init.body),
      cache: "no-store",
      signal: init.signal ?? null,
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "network_error", "Could not reach the gateway. Check your connection and retry.", null);
  }
  const text = await res.text();
  /** @type {unknown} */
  let body = null;
  try {
    body = text === "" ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (!res.ok) {
    const envelope = /** @type {{ error?: { code?: string, message?: string, requestId?: string } } | null} */ (body);
    const error = envelope?.error;
    if (res.status === 401 && key !== null && init.auth !== false) signOut();
    throw new ApiError(
      res.status,
      error?.code ?? "http_error",
      error?.message ?? `The gateway answered ${res.status}.`,
      error?.requestId ?? res.headers.get("x-proxygate-request-id"),
    );
  }
  return /** @type {T} */ (body);
}
