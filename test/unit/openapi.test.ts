/**
 * (Type-checked with the Worker's types, tsconfig.json: it imports the whole app.)
 *
 * The OpenAPI document (GET /v1/openapi.json) is valid OpenAPI 3.1, and it covers the app exactly:
 * every route Hono actually serves is declared, every declaration is served, public operations
 * are limited per IP and API-key operations authenticate. A route added without its declaration
 * (catalog, settlements, …) fails here.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { API_OPERATIONS, createApp } from "../../workers/app.ts";
import { ALL_METHODS, buildOpenApi, openApiPath, operation } from "../../workers/openapi/registry.ts";
import { API_INFO } from "../../workers/routes/openapi.ts";

/** Routes the app serves on purpose without documenting them, with the reason. */
const UNDOCUMENTED: Record<string, string> = {
  "ALL /v1/proxy/:target": "always 400: the upstream path is missing (documented as part of the proxy)",
};

type Handler = (...args: never[]) => unknown;
interface RouteEntry {
  method: string;
  path: string;
  handler: Handler;
}

const app = createApp();
const routes = app.routes as RouteEntry[];
const doc = buildOpenApi(API_OPERATIONS, API_INFO) as {
  paths: Record<string, Record<string, { operationId: string; security: unknown[] }>>;
};

/** Hono pattern → RegExp (`:x` one segment, a trailing `/*` anything or nothing, `*` everything). */
function patternRegExp(pattern: string): RegExp {
  if (pattern === "*" || pattern === "/*") return /^.*$/;
  const body = pattern
    .replace(/\/\*$/, "\u0000")
    .split(/(:[A-Za-z_][A-Za-z0-9_]*)/)
    .map((part) => (part.startsWith(":") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("")
    .replace("\u0000", "(/.*)?");
  return new RegExp(`^${body}$`);
}

/** A concrete path for an operation's pattern (parameters filled in). */
function samplePath(path: string): string {
  return path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, "x").replace(/\/\*$/, "/x/y");
}

/** The handlers that run for `method` `path`, in order, up to the first endpoint (which answers). */
function chain(method: string, path: string): Handler[] {
  const matching = routes
    .filter((r) => (r.method === "ALL" || r.method === method) && patternRegExp(r.path).test(path))
    .map((r) => r.handler);
  const endpoint = matching.findIndex((h) => h.length < 2);
  return endpoint === -1 ? matching : matching.slice(0, endpoint + 1);
}

/** (method, path) pairs with at least one endpoint handler (a function of `c` alone, not `(c, next)`). */
function servedRoutes(): string[] {
  const byRoute = new Map<string, Handler[]>();
  for (const r of routes)
    byRoute.set(`${r.method} ${r.path}`, [...(byRoute.get(`${r.method} ${r.path}`) ?? []), r.handler]);
  return [...byRoute].filter(([, handlers]) => handlers.some((h) => h.length < 2)).map(([key]) => key);
}

const declared = API_OPERATIONS.map((op) => `${op.method === "all" ? "ALL" : op.method.toUpperCase()} ${op.path}`);

describe("GET /v1/openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(structuredClone(doc) as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc).toMatchObject({ openapi: "3.1.0" });
  });

  it("documents every route the app serves", () => {
    const served = servedRoutes().filter((r) => / \/(v1|healthz)/.test(r));
    expect(served.length).toBeGreaterThan(20);
    const missing = served.filter((r) => !declared.includes(r) && UNDOCUMENTED[r] === undefined);
    expect(missing, "routes without an operation() declaration").toEqual([]);
  });

  it("declares only routes the app serves", () => {
    const served = new Set(servedRoutes());
    expect(declared.filter((d) => !served.has(d))).toEqual([]);
    for (const op of API_OPERATIONS) {
      const methods = op.method === "all" ? ALL_METHODS : [op.method];
      for (const m of methods) expect(doc.paths[openApiPath(op.path)]?.[m], `${m} ${op.path}`).toBeDefined();
    }
  });

  it("public operations are limited per IP; API-key operations authenticate first", () => {
    for (const op of API_OPERATIONS) {
      const method = op.method === "all" ? "GET" : op.method.toUpperCase();
      const names = chain(method, samplePath(op.path)).map((h) => h.name);
      if (op.auth === "public") {
        expect(names, `${method} ${op.path}`).toContain("ipRateLimitMiddleware");
        expect(names, `${method} ${op.path}`).not.toContain("apiKeyAuth");
      } else if (op.operationId !== "proxy") {
        // The proxy authenticates inside WalletDO.reserve (no extra round trip): documented in decision 010.
        expect(names, `${method} ${op.path}`).toContain("apiKeyAuth");
        expect(names, `${method} ${op.path}`).not.toContain("ipRateLimitMiddleware");
      }
    }
  });

  it("marks API-key operations with the bearer scheme and documents their 401 and 429", () => {
    const keys = doc.paths["/v1/keys"]?.get as unknown as { security: unknown[]; responses: Record<string, unknown> };
    expect(keys.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(keys.responses)).toEqual(expect.arrayContaining(["200", "401", "429", "500"]));
    const challenge = doc.paths["/v1/auth/challenge"]?.post as unknown as {
      security: unknown[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
      requestBody: unknown;
    };
    expect(challenge.security).toEqual([]);
    expect(challenge.responses["429"]?.headers).toHaveProperty("Retry-After");
    expect(challenge.requestBody).toMatchObject({
      content: { "application/json": { schema: { required: ["wallet"], additionalProperties: false } } },
    });
  });

  it("refuses declarations that cannot be right", () => {
    const base = { summary: "s", tags: ["t"], auth: "public" as const, responses: {}, errors: [] };
    const noParam = operation({ ...base, method: "get", path: "/v1/x/:id", operationId: "x" });
    expect(() => buildOpenApi([noParam], API_INFO)).toThrow(/path parameter "id"/);
    const a = operation({ ...base, method: "get", path: "/v1/y", operationId: "y1" });
    expect(() => buildOpenApi([a, { ...a, operationId: "y2" }], API_INFO)).toThrow(/declared twice/);
    expect(() => buildOpenApi([a, { ...a, path: "/v1/z" }], API_INFO)).toThrow(/duplicate operationId/);
  });
});
