/**
 * The API's operations, declared next to their handlers (each `workers/routes/*.ts` exports a list),
 * and the OpenAPI 3.1 document built from them. The schemas are the very zod schemas the routes
 * validate with and answer with, so the document cannot drift from the code; a test checks every
 * route of the app is declared (test/unit/openapi.test.ts). One declaration per route:
 *
 * @example
 * export const thingsApi = [
 *   operation({
 *     method: "get", path: "/v1/things/:id", operationId: "getThing", summary: "One thing",
 *     tags: ["things"], auth: "apiKey", params: z.object({ id: z.uuid() }),
 *     responses: { 200: { description: "The thing", schema: Thing } }, errors: ["not_found"],
 *   }),
 * ];
 */
import { z } from "zod";
import { ERROR_CODES, type ErrorCode, statusOf } from "../errors.ts";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** The methods an `all` operation (the proxy) is documented with. */
export const ALL_METHODS: readonly HttpMethod[] = ["get", "post", "put", "patch", "delete"];

export interface ResponseSpec {
  description: string;
  /** JSON body; omitted for bodies that are not ours to describe (the proxy passes the upstream's through). */
  schema?: z.ZodType;
}

export interface Operation {
  /** `all`: any method (the proxy), documented as each of `ALL_METHODS`. */
  method: HttpMethod | "all";
  /** Absolute path in Hono's syntax, exactly as mounted: `/v1/listings/:id`, `/v1/proxy/:target/*`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: readonly string[];
  /** `apiKey`: `Authorization: Bearer pgk_…` (limited per wallet); `public`: anyone (limited per IP). */
  auth: "public" | "apiKey";
  /** Per-IP limit tier of a public operation (workers/middleware/rate-limit.ts); default `public`. */
  ipLimit?: "public" | "signin";
  /** Path parameters; a trailing `*` is the parameter `path`. */
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** JSON request body. */
  body?: z.ZodType;
  /** Success responses by status. */
  responses: Readonly<Record<number, ResponseSpec>>;
  /** Error codes this operation answers with besides the ones every operation may (see `implicitErrors`). */
  errors: readonly ErrorCode[];
}

/** Declares an operation (identity, for the types and the one place to look for declarations). */
export function operation(op: Operation): Operation {
  return op;
}

/** Errors any operation may answer: limits, authentication, and the server's own failures. */
export function implicitErrors(op: Operation): ErrorCode[] {
  return [
    ...(op.auth === "apiKey" ? (["unauthorized"] as const) : []),
    // Bodies above the limit (64 KiB; the proxy: 2 MiB) are refused before any route runs.
    ...(op.method === "get" || op.method === "delete" ? [] : (["payload_too_large"] as const)),
    "rate_limited",
    "bad_environment",
    "internal_error",
  ];
}

/** Hono path → OpenAPI path: `:id` → `{id}`, a trailing `*` → `{path}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}").replace(/\/\*$/, "/{path}");
}

export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    requestId: z.string(),
    /** Seconds to wait before retrying (also sent as `Retry-After`). */
    retryAfter: z.int().min(1).optional(),
  }),
});

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any", target: "draft-2020-12" });
  return rest as JsonSchema;
}

function parameters(op: Operation): JsonSchema[] {
  const out: JsonSchema[] = [];
  const names = [...openApiPath(op.path).matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const shape = op.params?.shape ?? {};
  for (const name of names) {
    const schema = shape[name] as z.ZodType | undefined;
    if (!schema) throw new Error(`${op.operationId}: path parameter "${name}" has no schema in params`);
    out.push({ name, in: "path", required: true, schema: jsonSchema(schema, "input") });
  }
  for (const [name, schema] of Object.entries(op.query?.shape ?? {}) as [string, z.ZodType][]) {
    const required = !schema.safeParse(undefined).success;
    const description = schema.description;
    out.push({
      name,
      in: "query",
      required,
      ...(description ? { description } : {}),
      schema: jsonSchema(schema, "input"),
    });
  }
  return out;
}

const RETRY_AFTER_HEADER = {
  "Retry-After": { description: "Seconds to wait before retrying", schema: { type: "integer", minimum: 1 } },
};

function responses(op: Operation): JsonSchema {
  const out: JsonSchema = {};
  for (const [status, spec] of Object.entries(op.responses)) {
    out[status] = {
      description: spec.description,
      headers: { "X-Proxygate-Request-Id": { $ref: "#/components/headers/RequestId" } },
      ...(spec.schema ? { content: { "application/json": { schema: jsonSchema(spec.schema, "output") } } } : {}),
    };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...op.errors, ...implicitErrors(op)])) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (out[String(status)] !== undefined) continue;
    const retry = codes.some((c) => c === "rate_limited" || c === "no_capacity" || c === "withdrawal_cooldown");
    out[String(status)] = {
      description: `Error: ${codes.join(", ")}`,
      headers: {
        "X-Proxygate-Request-Id": { $ref: "#/components/headers/RequestId" },
        ...(retry ? RETRY_AFTER_HEADER : {}),
      },
      content: {
        "application/json": {
          schema: {
            allOf: [
              { $ref: "#/components/schemas/ErrorEnvelope" },
              { type: "object", properties: { error: { type: "object", properties: { code: { enum: codes } } } } },
            ],
          },
        },
      },
    };
  }
  return out;
}

function describeOperation(op: Operation, method: HttpMethod): JsonSchema {
  const params = parameters(op);
  return {
    operationId: op.method === "all" ? `${op.operationId}_${method}` : op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [...op.tags],
    security: op.auth === "apiKey" ? [{ apiKey: [] }] : [],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(op.body && method !== "get"
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(op.body, "input") } } } }
      : {}),
    responses: responses(op),
    "x-proxygate-rate-limit": op.auth === "apiKey" ? "wallet" : `ip:${op.ipLimit ?? "public"}`,
  };
}

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

/** The OpenAPI 3.1 document of `ops`. Throws on a declaration that cannot be right (duplicate, missing parameter). */
export function buildOpenApi(ops: readonly Operation[], info: DocumentInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const ids = new Set<string>();
  for (const op of ops) {
    if (ids.has(op.operationId)) throw new Error(`duplicate operationId ${op.operationId}`);
    ids.add(op.operationId);
    const path = openApiPath(op.path);
    paths[path] ??= {};
    for (const method of op.method === "all" ? ALL_METHODS : [op.method]) {
      if (paths[path][method]) throw new Error(`${method.toUpperCase()} ${path} is declared twice`);
      paths[path][method] = describeOperation(op, method);
    }
  }
  const tags = [...new Set(ops.flatMap((op) => op.tags))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags,
    paths,
    components: {
      schemas: { ErrorEnvelope: jsonSchema(ErrorEnvelope, "output") },
      headers: {
        RequestId: {
          description: "The gateway's id of this request; quote it when reporting a problem",
          schema: { type: "string" },
        },
      },
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "pgk_<wallet>_<secret>",
          description: "An API key from POST /v1/auth/verify or POST /v1/keys",
        },
      },
    },
  };
}
