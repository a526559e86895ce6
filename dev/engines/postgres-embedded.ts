/**
 * PGlite (PostgreSQL 18 in WASM) persisted in a folder and served over TCP on 127.0.0.1, in-process.
 * Caveats: every TCP connection shares ONE session, so put the serializing relay in front
 * (`startPgRelay({ serialize: true })`); connect without pipelining the startup (the Neon driver with
 * pipelineConnect=false is fine); passwords and database names are ignored.
 */
import { mkdirSync } from "node:fs";

export interface EmbeddedPostgres {
  user: string;
  password: string;
  stop(): Promise<void>;
}

// The socket server's default is 1; the relay opens one TCP connection per pooled client.
const MAX_CONNECTIONS = 100;

export async function startEmbeddedPostgres(opts: { dataDir: string; port: number }): Promise<EmbeddedPostgres> {
  // Loaded lazily: the WASM build is large and only this engine needs it.
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  mkdirSync(opts.dataDir, { recursive: true });
  const db = await PGlite.create(opts.dataDir);
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: opts.port, maxConnections: MAX_CONNECTIONS });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    user: "postgres",
    password: "postgres",
    stop() {
      stopped ??= (async () => {
        await server.stop();
        // Socket handlers detach asynchronously (and may issue a ROLLBACK); let them finish before closing.
        await new Promise((resolve) => setTimeout(resolve, 20));
        await db.close();
      })();
      return stopped;
    },
  };
}
