import { createMiddleware } from "hono/factory";
import { validateEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import type { AppEnv } from "../types.ts";

/**
 * Refuses to serve when the deployment's bindings are missing or malformed: a clear 500
 * `bad_environment` naming each binding at fault (never its value).
 */
export function environment() {
  return createMiddleware<AppEnv>(async function environmentMiddleware(c, next) {
    const result = validateEnv(c.env);
    if (!result.ok) {
      throw new ApiError("bad_environment", `Gateway misconfigured: ${result.problems.join("; ")}`);
    }
    await next();
  });
}
