import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { secretValues } from "./env.ts";
import { ApiError, errorResponse } from "./errors.ts";
import { redactError } from "./lib/redact.ts";
import { environment } from "./middleware/environment.ts";
import { requestId } from "./middleware/request-id.ts";
import { auth } from "./routes/auth.ts";
import { balance } from "./routes/balance.ts";
import { catalog } from "./routes/catalog.ts";
import { depositRoutes } from "./routes/deposits.ts";
import { health } from "./routes/health.ts";
import { keys } from "./routes/keys.ts";
import { listingRoutes } from "./routes/listings.ts";
import { proxy } from "./routes/proxy.ts";
import { receipts } from "./routes/receipts.ts";
import { usage } from "./routes/usage.ts";
import { vault } from "./routes/vault.ts";
import { withdrawalRoutes } from "./routes/withdrawals.ts";
import type { AppEnv } from "./types.ts";

/** The gateway's HTTP surface. Routes are mounted per resource; errors all leave through `onError`. */
export function createApp() {
  const app = new Hono<AppEnv>();

  app.use(requestId());
  app.use(environment());

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
  app.route("/", catalog);
  app.route("/", proxy);

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
