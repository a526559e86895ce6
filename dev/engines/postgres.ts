/**
 * Local PostgreSQL for the dev stack and tests, in two flavours behind one interface:
 * - "system": Debian's PostgreSQL binaries, a real server process (best for CI and tests);
 * - "embedded": PGlite (Postgres compiled to WASM) in this Node process, needs nothing but npm.
 * Either way the app reaches it through the WebSocket relay (pg-relay.ts), as the Neon driver requires.
 */
import { freePort } from "../lib/process.ts";
import { startEmbeddedPostgres } from "./postgres-embedded.ts";
import { startSystemPostgres } from "./postgres-system.ts";

export interface PostgresServer {
  kind: "system" | "embedded";
  host: "127.0.0.1";
  port: number;
  user: string;
  password: string;
  database: string;
  /** postgres://user:password@127.0.0.1:port/database */
  url: string;
  /** Stops the server; for "system" resolves once the postmaster process has exited. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  kind: "system" | "embedded";
  /** Created if missing; an initialized one is reused, so data survives restarts. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when absent. */
  port?: number;
  /** Created if missing ("system"). PGlite has a single database and accepts any name. Default "postgres". */
  database?: string;
}

/**
 * Starts (and if needed initializes) a local Postgres listening on 127.0.0.1 only.
 *
 * @example
 * const pg = await startPostgres({ kind: "system", dataDir: ".dev-state/postgres" });
 * console.log(pg.url);
 * await pg.stop();
 */
export async function startPostgres(opts: StartPostgresOptions): Promise<PostgresServer> {
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? "postgres";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const started =
    opts.kind === "system"
      ? await startSystemPostgres({ dataDir: opts.dataDir, port, database })
      : await startEmbeddedPostgres({ dataDir: opts.dataDir, port });
  const { user, password } = started;
  return {
    kind: opts.kind,
    host: "127.0.0.1",
    port,
    user,
    password,
    database,
    url: `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    stop: started.stop,
  };
}
