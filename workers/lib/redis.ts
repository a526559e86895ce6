import { Redis } from "@upstash/redis/cloudflare";
import type { Env } from "../env.ts";

/** An Upstash REST client for this request. One retry: a slow Redis must not stall a request. */
export function createRedis(env: Pick<Env, "UPSTASH_REDIS_REST_URL" | "UPSTASH_REDIS_REST_TOKEN">): Redis {
  return new Redis({
    url: env.UPSTASH_REDIS_REST_URL,
    token: env.UPSTASH_REDIS_REST_TOKEN,
    retry: { retries: 1, backoff: () => 50 },
    enableTelemetry: false,
  });
}
