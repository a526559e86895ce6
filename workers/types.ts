import type { Env } from "./env.ts";

/** Hono generics for the gateway app: bindings are the validated env, variables set by middleware. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
  };
}

/** Routes behind `requireApiKey()` (workers/middleware/auth.ts) also know who is calling. */
export interface AuthEnv extends AppEnv {
  Variables: AppEnv["Variables"] & {
    /** The caller's wallet address (base58), proven by its API key. */
    wallet: string;
    /** The id of the API key that authenticated this request (api_keys.id). */
    apiKeyId: string;
  };
}
