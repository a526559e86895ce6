/**
 * Node-only entry to the client factory: gives the Neon driver the `ws` WebSocket implementation.
 * Kept apart from db/client.ts so the Worker bundle never imports `ws`.
 */
import { neonConfig, type Pool, type PoolConfig } from "@neondatabase/serverless";
import { WebSocket } from "ws";
import { createPool, type DbEnv } from "./client.ts";

export { createDb, type Db, type DbEnv } from "./client.ts";

export function createNodePool(env: DbEnv, options: Omit<PoolConfig, "connectionString"> = {}): Pool {
  neonConfig.webSocketConstructor = WebSocket;
  return createPool(env, options);
}
