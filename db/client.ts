/**
 * Postgres client factory shared by the Worker (workerd) and Node. Runtime-neutral: no Node imports here
 * (Node adds its WebSocket constructor in db/node.ts), so the Worker bundle never pulls in `ws`.
 * The Worker creates a Pool per request and closes it with `ctx.waitUntil(pool.end())`.
 */
import { neonConfig, Pool, type PoolConfig } from "@neondatabase/serverless";
import { drizzle, type NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "./schema.ts";

export interface DbEnv {
  DATABASE_URL: string;
  /** Local WebSocket→TCP relay, e.g. "127.0.0.1:15499" (dev/tests only; production talks to Neon directly). */
  PG_WS_PROXY?: string;
}

export type Db = NeonDatabase<typeof schema>;

/**
 * Creates a Neon Pool. With `PG_WS_PROXY` set, the driver is pointed at the local relay in plain-text mode.
 *
 * @example
 * const pool = createPool(env);
 * const db = createDb(pool);
 * ctx.waitUntil(pool.end());
 */
export function createPool(env: DbEnv, options: Omit<PoolConfig, "connectionString"> = {}): Pool {
  if (env.PG_WS_PROXY) useLocalRelay(env.PG_WS_PROXY);
  const pool = new Pool({ ...options, connectionString: env.DATABASE_URL });
  // An idle client whose socket drops (e.g. the Worker request that opened it has ended) emits
  // `error` on the pool; unhandled, that would crash the isolate. The pool discards the client.
  pool.on("error", (err: Error) => {
    // Sockets dropping while the pool is being ended (after the response) are expected, not news.
    if ((pool as unknown as { ending?: boolean }).ending) return;
    console.warn(
      JSON.stringify({ level: "warn", msg: "postgres idle client dropped", reason: err.message.slice(0, 120) }),
    );
  });
  return pool;
}

export function createDb(pool: Pool): Db {
  return drizzle(pool, { schema });
}

/**
 * neonConfig is global, so this is set once per isolate/process. Only for a local relay: no TLS (the relay is
 * on loopback), no pipelined TLS/startup (the relay and PGlite expect the plain message order), and no write
 * coalescing (it only adds latency when the round trip is sub-millisecond).
 */
function useLocalRelay(proxy: string): void {
  const base = proxy.replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "");
  neonConfig.wsProxy = (host, port) => `${base}/v2?address=${host}:${port}`;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
  neonConfig.coalesceWrites = false;
}
