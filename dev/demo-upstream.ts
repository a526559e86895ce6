import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { z } from "zod";
import { dataError, quote, weather } from "./demo-upstream/data.ts";
import { answerFault, echoRequest, requestedFault } from "./demo-upstream/debug.ts";
import { readJson, sameSecret, sendJson, sleep } from "./demo-upstream/http.ts";
import { chatCompletions, embeddings, listModels, openAiError } from "./demo-upstream/openai.ts";
import { listenLoopback } from "./lib/process.ts";

/**
 * A demo upstream API that a new user can list and resell through proxygate:
 * - OpenAI-compatible: GET /v1/models, POST /v1/chat/completions (plain + SSE), POST /v1/embeddings,
 *   authenticated with `Authorization: Bearer <apiKey>`;
 * - a JSON data API: GET /data/weather?city=…, GET /data/quotes/:symbol, authenticated with
 *   `X-Api-Key: <apiKey>` or `?api_key=<apiKey>` (other injection styles for the gateway to exercise).
 * Local only. Fault injection (latency, 5xx, 429) is set by options or POST /__control, which needs
 * `X-Control-Token`: buyers calling through the gateway never know that token, so they cannot
 * change the upstream's behaviour for others. Per-request faults and a header echo for gateway
 * tests: `?demo_fault=…&demo_token=<control token>` (dev/demo-upstream/debug.ts).
 */

export const DemoBehaviour = z.object({
  /** Extra delay before every API response, in ms. */
  latencyMs: z.number().int().min(0).max(60_000),
  /** Probability (0..1) of answering 503. */
  failRate: z.number().min(0).max(1),
  /** Probability (0..1) of answering 429 with `Retry-After: 1`. */
  rateLimitRate: z.number().min(0).max(1),
});
export type DemoBehaviour = z.infer<typeof DemoBehaviour>;

export interface DemoUpstreamOptions extends Partial<DemoBehaviour> {
  port?: number;
  apiKey?: string;
  /** Secret for POST /__control; random unless given. */
  controlToken?: string;
  /** Delay between SSE chunks, in ms (default 20). */
  chunkDelayMs?: number;
}

export interface DemoUpstreamHandle {
  url: string;
  port: number;
  apiKey: string;
  controlToken: string;
  behaviour(): DemoBehaviour;
  /** Same effect as POST /__control, for in-process tests. */
  setBehaviour(patch: Partial<DemoBehaviour>): DemoBehaviour;
  stop(): Promise<void>;
}

/** Fixed by default so a persisted local listing keeps working across restarts. */
export const DEFAULT_DEMO_API_KEY = "sk-demo-proxygate-local";

/**
 * @example
 * const demo = await startDemoUpstream();
 * await fetch(`${demo.url}/v1/chat/completions`, {
 *   method: "POST",
 *   headers: { authorization: `Bearer ${demo.apiKey}`, "content-type": "application/json" },
 *   body: JSON.stringify({ model: "demo-chat-1", messages: [{ role: "user", content: "hi" }] }),
 * });
 */
export async function startDemoUpstream(opts: DemoUpstreamOptions = {}): Promise<DemoUpstreamHandle> {
  const apiKey = opts.apiKey ?? DEFAULT_DEMO_API_KEY;
  const controlToken = opts.controlToken ?? randomBytes(16).toString("hex");
  const chunkDelayMs = opts.chunkDelayMs ?? 20;
  let behaviour = DemoBehaviour.parse({
    latencyMs: opts.latencyMs ?? 0,
    failRate: opts.failRate ?? 0,
    rateLimitRate: opts.rateLimitRate ?? 0,
  });
  const setBehaviour = (patch: Partial<DemoBehaviour>): DemoBehaviour => {
    behaviour = DemoBehaviour.parse({ ...behaviour, ...patch });
    return behaviour;
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else openAiError(res, 500, `demo upstream bug: ${String(error)}`, "server_error", null);
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const path = url.pathname;

    if (path === "/__control") return control(req, res, method);
    if (path === "/" && method === "GET") return index(res);

    if (path.startsWith("/v1/")) {
      const auth = req.headers.authorization;
      if (!sameSecret(auth?.startsWith("Bearer ") ? auth.slice(7) : undefined, apiKey)) {
        req.resume();
        return openAiError(
          res,
          401,
          "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.",
          "invalid_request_error",
          "invalid_api_key",
        );
      }
      const fault = requestedFault(url, controlToken);
      if (fault && fault.fault !== "cut") {
        req.resume();
        if (fault.fault === "echo") return echoRequest(req, res, url, apiKey);
        answerFault(res, fault);
        return;
      }
      if (!(await survivesFaults(res, "openai"))) {
        req.resume();
        return;
      }
      if (path === "/v1/models" && method === "GET") return listModels(res);
      if (path === "/v1/chat/completions" && method === "POST") {
        return chatCompletions(req, res, chunkDelayMs, fault?.fault === "cut" ? fault.cutAfter : undefined);
      }
      if (path === "/v1/embeddings" && method === "POST") return embeddings(req, res);
      req.resume();
      return openAiError(res, 404, `Unknown request URL: ${method} ${path}.`, "invalid_request_error", "unknown_url");
    }

    req.resume();
    if (path.startsWith("/data/")) {
      const key = req.headers["x-api-key"] ?? url.searchParams.get("api_key") ?? undefined;
      if (!sameSecret(typeof key === "string" ? key : undefined, apiKey)) {
        return dataError(res, 401, "unauthorized", "missing or invalid API key (X-Api-Key header or api_key query)");
      }
      const fault = requestedFault(url, controlToken);
      if (fault?.fault === "echo") return echoRequest(req, res, url, apiKey);
      if (fault && answerFault(res, fault)) return;
      if (!(await survivesFaults(res, "data"))) return;
      if (method !== "GET") return dataError(res, 405, "method_not_allowed", "only GET is supported", { allow: "GET" });
      if (path === "/data/weather") return weather(res, url.searchParams);
      const symbol = /^\/data\/quotes\/([^/]+)$/.exec(path)?.[1];
      if (symbol) return quote(res, safeDecode(symbol));
    }
    return dataError(res, 404, "not_found", `no route for ${method} ${path}`);
  }

  /** Applies the configured latency, then maybe a 429 or a 503; false if it already answered. */
  async function survivesFaults(res: ServerResponse, style: "openai" | "data"): Promise<boolean> {
    const { latencyMs, failRate, rateLimitRate } = behaviour;
    await sleep(latencyMs);
    if (res.destroyed) return false;
    if (Math.random() < rateLimitRate) {
      const headers = { "retry-after": "1" };
      if (style === "openai") {
        openAiError(
          res,
          429,
          "Rate limit reached for demo upstream.",
          "requests",
          "rate_limit_exceeded",
          null,
          headers,
        );
      } else dataError(res, 429, "rate_limited", "too many requests", headers);
      return false;
    }
    if (Math.random() < failRate) {
      if (style === "openai") {
        openAiError(res, 503, "The server had an error while processing your request.", "server_error", null);
      } else dataError(res, 503, "unavailable", "upstream temporarily unavailable");
      return false;
    }
    return true;
  }

  async function control(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const token = req.headers["x-control-token"];
    if (!sameSecret(typeof token === "string" ? token : undefined, controlToken)) {
      req.resume();
      return dataError(res, 401, "unauthorized", "missing or invalid X-Control-Token");
    }
    if (method === "GET") return sendJson(res, 200, behaviour);
    if (method !== "POST") return dataError(res, 405, "method_not_allowed", "use GET or POST", { allow: "GET, POST" });
    const body = await readJson(req);
    const patch = body.ok ? DemoBehaviour.partial().strict().safeParse(body.value) : undefined;
    if (!patch?.success) return dataError(res, 400, "bad_request", "expected {latencyMs?, failRate?, rateLimitRate?}");
    sendJson(res, 200, setBehaviour(patch.data));
  }

  function index(res: ServerResponse): void {
    sendJson(res, 200, {
      name: "proxygate demo upstream",
      openai: {
        auth: "Authorization: Bearer <apiKey>",
        routes: ["GET /v1/models", "POST /v1/chat/completions", "POST /v1/embeddings"],
      },
      data: {
        auth: "X-Api-Key: <apiKey> or ?api_key=<apiKey>",
        routes: ["GET /data/weather?city=", "GET /data/quotes/:symbol"],
      },
    });
  }

  const port = await listenLoopback(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    controlToken,
    behaviour: () => behaviour,
    setBehaviour,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
