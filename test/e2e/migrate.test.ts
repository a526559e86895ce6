import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_FOLDER, migrate } from "../../db/migrate.ts";
import { createNodePool } from "../../db/node.ts";
import { type PgRelay, startPgRelay } from "../../dev/engines/pg-relay.ts";
import { type PostgresServer, startPostgres } from "../../dev/engines/postgres.ts";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../db/migrate-cli.ts");

/** Tables the committed migrations create, read from the SQL files the drizzle journal lists. */
function journalTables(): { migrations: number; tables: string[] } {
  const journal = JSON.parse(readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as {
    entries: { tag: string }[];
  };
  const tables = journal.entries.flatMap((entry) => {
    const sql = readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, `${entry.tag}.sql`), "utf8");
    return [...sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"(?:public"\.")?(\w+)"/g)].map((m) => m[1]!);
  });
  return { migrations: journal.entries.length, tables: [...new Set(tables)].sort() };
}

async function publicTables(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  return rows.map((r) => r.table_name);
}

async function appliedMigrations(pool: Pool): Promise<{ id: number; hash: string; created_at: string }[]> {
  const { rows } = await pool.query("SELECT id, hash, created_at::text FROM drizzle.__drizzle_migrations ORDER BY id");
  return rows;
}

/** Runs `node db/migrate-cli.ts` (the `npm run db:migrate` command) and captures the outcome. */
async function migrateCli(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI], { env: { PATH: process.env.PATH ?? "", ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

describe("migrate on system PostgreSQL", () => {
  const expected = journalTables();
  let dir: string;
  let pg: PostgresServer;
  let relay: PgRelay;
  let pool: Pool;
  let wsProxy: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "proxygate-migrate-"));
    // As root, the server runs as the `postgres` user and must be able to reach its data folder.
    await chmod(dir, 0o755);
    pg = await startPostgres({ kind: "system", dataDir: join(dir, "pg"), database: "migrate_test" });
    relay = await startPgRelay();
    wsProxy = `127.0.0.1:${relay.port}`;
    pool = createNodePool({ DATABASE_URL: pg.url, PG_WS_PROXY: wsProxy });
  });

  afterAll(async () => {
    await pool?.end();
    await relay?.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("has migrations to test against", () => {
    expect(expected.migrations).toBeGreaterThan(0);
    expect(expected.tables.length).toBeGreaterThan(0);
  });

  it("applies every migration to an empty database", async () => {
    expect(await publicTables(pool)).toEqual([]);
    await migrate({ databaseUrl: pg.url, wsProxy });
    expect(await publicTables(pool)).toEqual(expected.tables);
    expect(await appliedMigrations(pool)).toHaveLength(expected.migrations);
  });

  it("is a no-op the second time", async () => {
    const before = { tables: await publicTables(pool), applied: await appliedMigrations(pool) };
    await migrate({ databaseUrl: pg.url, wsProxy });
    expect({ tables: await publicTables(pool), applied: await appliedMigrations(pool) }).toEqual(before);
  });

  it("db:migrate CLI migrates the database named by DATABASE_URL", async () => {
    await pool.query("CREATE DATABASE migrate_cli_test");
    const url = pg.url.replace(/\/migrate_test$/, "/migrate_cli_test");
    const result = await migrateCli({ DATABASE_URL: url, PG_WS_PROXY: wsProxy });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).not.toContain(pg.password);
    const other = createNodePool({ DATABASE_URL: url, PG_WS_PROXY: wsProxy });
    try {
      expect(await publicTables(other)).toEqual(expected.tables);
    } finally {
      await other.end();
    }
  });

  it("db:migrate CLI fails with one line that never shows the password", async () => {
    const secret = "Sup3r-Secret-Pw";
    const url = `postgres://postgres:${secret}@127.0.0.1:${pg.port}/migrate_test`;
    const result = await migrateCli({ DATABASE_URL: url, PG_WS_PROXY: wsProxy });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("password authentication failed");
    expect(result.stderr + result.stdout).not.toContain(secret);
  });

  it("db:migrate CLI refuses to run without DATABASE_URL", async () => {
    const result = await migrateCli({});
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("db:migrate: DATABASE_URL is not set");
  });
});

describe("migrate on embedded PGlite through the serializing relay", () => {
  let dir: string;
  let pg: PostgresServer;
  let relay: PgRelay;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "proxygate-migrate-pglite-"));
    pg = await startPostgres({ kind: "embedded", dataDir: join(dir, "pglite") });
    relay = await startPgRelay({ serialize: true });
  });

  afterAll(async () => {
    await relay?.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("applies the same migrations, once", async () => {
    const wsProxy = `127.0.0.1:${relay.port}`;
    await migrate({ databaseUrl: pg.url, wsProxy });
    await migrate({ databaseUrl: pg.url, wsProxy });
    const pool = createNodePool({ DATABASE_URL: pg.url, PG_WS_PROXY: wsProxy });
    try {
      expect(await publicTables(pool)).toEqual(journalTables().tables);
      expect(await appliedMigrations(pool)).toHaveLength(journalTables().migrations);
    } finally {
      await pool.end();
    }
  });
});
