import type { IncomingMessage, ServerResponse } from "node:http";
import { sameSecret, sendJson } from "./http.ts";

/**
 * Per-request fault injection and header echo for gateway tests, selected by query parameters so
 * that parallel test files sharing one demo upstream never change each other's behaviour (unlike
 * POST /__control, which is global). Only honoured with `demo_token=<control token>`: a buyer
 * calling through the gateway does not know it, so cannot trigger faults for a seller.
 *
 *   ?demo_fault=503|500|429|401|cut|echo&demo_token=<control token>[&demo_retry_after=<s>][&demo_cut_after=<n>]
 *
 * Fault answers carry what a real provider's do and a gateway must never pass on: an organization
 * id in the body and in `openai-organization`, a session cookie, rate-limit tier headers.
 */
export type DemoFault = "503" | "500" | "429" | "401" | "cut" | "echo";

export const DEMO_ORGANIZATION = "org-demoProxygateLocal01";

const FAULTS: readonly string[] = ["503", "500", "429", "401", "cut", "echo"];

export interface RequestedFault {
  fault: DemoFault;
  retryAfter: number;
  cutAfter: number;
}

/** The fault this request asks for, or null (no fault, or no valid control token). */
export function requestedFault(url: URL, controlToken: string): RequestedFault | null {
  const fault = url.searchParams.get("demo_fault");
  const token = url.searchParams.get("demo_token") ?? undefined;
  if (fault === null || !FAULTS.includes(fault) || !sameSecret(token, controlToken)) return null;
  const int = (name: string, fallback: number) => {
    const v = Number(url.searchParams.get(name));
    return Number.isInteger(v) && v >= 0 ? v : fallback;
  };
  return { fault: fault as DemoFault, retryAfter: int("demo_retry_after", 1), cutAfter: int("demo_cut_after", 2) };
}

const ACCOUNT_HEADERS = {
  "openai-organization": DEMO_ORGANIZATION,
  "set-cookie": "__demo_session=s3ss10n; Path=/; HttpOnly",
  "x-ratelimit-limit-requests": "10000",
  "x-request-id": "req_demo_upstream_0001",
};

/** Answers a status fault, provider-style, with the account details a gateway must strip. Returns false for `cut`/`echo`. */
export function answerFault(res: ServerResponse, requested: RequestedFault): boolean {
  const error = (status: number, message: string, type: string, extra: Record<string, string> = {}) =>
    sendJson(
      res,
      status,
      { error: { message: `${message} (organization ${DEMO_ORGANIZATION})`, type, organization: DEMO_ORGANIZATION } },
      { ...ACCOUNT_HEADERS, ...extra },
    );
  switch (requested.fault) {
    case "503":
      error(503, "The server had an error while processing your request", "server_error");
      return true;
    case "500":
      error(500, "Internal server error", "server_error");
      return true;
    case "429":
      error(429, "Rate limit reached for requests", "requests", { "retry-after": String(requested.retryAfter) });
      return true;
    case "401":
      error(401, "Incorrect API key provided", "invalid_request_error");
      return true;
    default:
      return false;
  }
}

/**
 * Echoes what arrived: method, path, query and headers. Any value equal to the API key is shown as
 * `[api key]` and other credentials as `[other credential]`, so the echo itself never leaks a key.
 */
export function echoRequest(req: IncomingMessage, res: ServerResponse, url: URL, apiKey: string): void {
  const credential = /^(authorization|x-api-key|cookie|proxy-authorization)$/i;
  const show = (name: string, value: string) => {
    if (value.includes(apiKey)) return value.split(apiKey).join("[api key]");
    return credential.test(name) || name === "api_key" ? "[other credential]" : value;
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = show(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (name !== "demo_token") query[name] = show(name, value);
  }
  sendJson(res, 200, { method: req.method, path: url.pathname, query, headers }, ACCOUNT_HEADERS);
}
