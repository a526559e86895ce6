/**
 * Applies the drizzle-kit migrations in db/migrations through the same Neon client the app uses, so dev,
 * tests and production exercise one code path. Already-applied migrations are skipped (drizzle's
 * `drizzle.__drizzle_migrations` table, shared with `drizzle-kit migrate`).
 */
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/neon-serverless";
import { migrate as applyMigrations } from "drizzle-orm/neon-serverless/migrator";
import { createNodePool } from "./node.ts";

export interface MigrateOptions {
  databaseUrl: string;
  /** Local WebSocket→TCP relay "host:port"; absent for Neon. */
  wsProxy?: string;
  /** Defaults to db/migrations next to this file. */
  migrationsFolder?: string;
}

export const DEFAULT_MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * @example
 * await migrate({ databaseUrl: pg.url, wsProxy: `127.0.0.1:${relay.port}` });
 */
export async function migrate(opts: MigrateOptions): Promise<void> {
  const pool = createNodePool(
    { DATABASE_URL: opts.databaseUrl, PG_WS_PROXY: opts.wsProxy },
    { max: 1, connectionTimeoutMillis: 15_000 },
  );
  // An idle pooled connection that dies (server restart) must not crash the process.
  pool.on("error", () => {});
  try {
    await applyMigrations(drizzle(pool), { migrationsFolder: opts.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER });
  } finally {
    await pool.end();
  }
}
