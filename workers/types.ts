import type { Env } from "./env.ts";

/** Hono generics for the gateway app: bindings are the validated env, variables set by middleware. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
  };
}
