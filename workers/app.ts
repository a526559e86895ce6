import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { secretValues } from "./env.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { redactError } from "./lib/redact.ts";
import { environment } from "./middleware/environment.ts";
import { ipRateLimit } from "./middleware/rate-limit.ts";
import { requestId } from "./middleware/request-id.ts";
import { ALL_METHODS, type Operation } from "./openapi/registry.ts";
import { auth, authApi } from "./routes/auth.ts";
import { balance, balanceApi } from "./routes/balance.ts";
import { catalog, catalogApi } from "./routes/catalog.ts";
import { depositRoutes, depositsApi } from "./routes/deposits.ts";
import { health, healthApi } from "./routes/health.ts";
import { keys, keysApi } from "./routes/keys.ts";
import { listingRoutes, listingsApi } from "./routes/listings.ts";
import { openapiApi, openapiRoutes } from "./routes/openapi.ts";
import { proxy, proxyApi } from "./routes/proxy.ts";
import { receipts, receiptsApi } from "./routes/receipts.ts";
import { settlementRoutes, settlementsApi } from "./routes/settlements.ts";
import { taskRoutes, tasksApi } from "./routes/tasks.ts";
import { usage, usageApi } from "./routes/usage.ts";
import { vault, vaultApi } from "./routes/vault.ts";
import { withdrawalRoutes, withdrawalsApi } from "./routes/withdrawals.ts";
import type { AppEnv } from "./types.ts";

/**
 * Every operation of the API, declared next to its handler: the OpenAPI document and the per-IP
 * limits of public operations come from this list, and a test fails for any route missing here.
 */
export const API_OPERATIONS: readonly Operation[] = [
  ...healthApi,
  ...authApi,
  ...keysApi,
  ...listingsApi,
  ...balanceApi,
  ...usageApi,
  ...vaultApi,
  ...depositsApi,
  ...withdrawalsApi,
  ...receiptsApi,
  ...tasksApi,
  ...settlementsApi,
  ...catalogApi,
  ...proxyApi,
  ...openapiApi,
];

/** The largest request body of any route but the proxy (a listing with its descriptions is a few KiB). */
export const API_BODY_LIMIT_BYTES = 64 * 1024;

/** The gateway's HTTP surface. Routes are mounted per resource; errors all leave through `onError`. */
export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(environment());
  // Every API body is small; the proxy has its own cap (2 MiB, workers/proxy/body.ts).
  const apiBodyLimit = bodyLimit({
    maxSize: API_BODY_LIMIT_BYTES,
    onError: () => {
      throw new ApiError("payload_too_large", `Request body exceeds ${API_BODY_LIMIT_BYTES} bytes`);
    },
  });
  app.use((c, next) => (c.req.path.startsWith("/v1/proxy/") ? next() : apiBodyLimit(c, next)));
  // Per-IP limits on every operation anyone may call, from its declaration (decision 013).
  for (const op of API_OPERATIONS) {
    if (op.auth !== "public") continue;
    const methods = op.method === "all" ? ALL_METHODS : [op.method];
    app.on(
      methods.map((m) => m.toUpperCase()),
      op.path,
      ipRateLimit(op.ipLimit ?? "public"),
    );
  }

  app.route("/", health);
  app.route("/v1/auth", auth);
  app.route("/v1/keys", keys);
  app.route("/v1/listings", listingRoutes);
  app.route("/", balance);
  app.route("/", usage);
  app.route("/v1/vault", vault);
  app.route("/v1/deposits", depositRoutes);
  app.route("/v1/withdrawals", withdrawalRoutes);
  app.route("/v1/receipts", receipts);
  app.route("/v1/tasks", taskRoutes);
  app.route("/", settlementRoutes);
  app.route("/", catalog);
  app.route("/", proxy);
  app.route("/", openapiRoutes(API_OPERATIONS));

  app.notFound((c) => errorResponse("not_found", `No route for ${c.req.method} ${c.req.path}`, c.var.requestId));

  app.onError((err, c) => {
    const id = c.var.requestId ?? "unknown";
    // Tier 1: ours — code and message were written for the client.
    if (err instanceof ApiError) {
      if (err.code === "bad_environment")
        console.error(JSON.stringify({ level: "error", requestId: id, msg: err.message }));
      return errorResponse(err.code, err.message, id, err.retryAfter);
    }
    // Tier 2: Hono's own (e.g. malformed JSON body): a client error with a known status.
    if (err instanceof HTTPException && err.status < 500) {
      const code = err.status === 404 ? "not_found" : err.status === 405 ? "method_not_allowed" : "invalid_request";
      return errorResponse(code, err.message || "Invalid request", id);
    }
    // Tier 3: unknown — logged (redacted), answered without detail.
    console.error(JSON.stringify({ level: "error", requestId: id, msg: redactError(err, secretValues(c.env)) }));
    return errorResponse("internal_error", "Internal error; quote the request id when reporting it.", id);
  });

  return app;
}
