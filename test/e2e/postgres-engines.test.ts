import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, type Pool } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { createNodePool } from "../../db/node.ts";
import { type PgRelay, startPgRelay } from "../../dev/engines/pg-relay.ts";
import { encodeMessage, parseMessage, queryMessage, WireScanner } from "../../dev/engines/pg-wire.ts";
import { type PostgresServer, startPostgres } from "../../dev/engines/postgres.ts";
import { isAlive, waitFor } from "../../dev/lib/process.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "proxygate-pg-"));
}

/** PIDs whose parent is `pid` (the postmaster's backends and auxiliary processes). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** WebSocket upgrade answer status for a relay URL path (101 when accepted). */
function upgradeStatus(relayPort: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${relayPort}${path}`, { headers });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.terminate();
    });
    ws.on("error", (error) => reject(error));
  });
}

describe("system PostgreSQL behind the relay", () => {
  let dir: string;
  let pg: PostgresServer;
  let relay: PgRelay;
  let pool: Pool;

  beforeAll(async () => {
    dir = tempDir();
    // As root, the server runs as the `postgres` user and must be able to reach its data folder.
    await chmod(dir, 0o755);
    pg = await startPostgres({ kind: "system", dataDir: join(dir, "pg"), database: "engines_test" });
    relay = await startPgRelay();
    pool = createNodePool({ DATABASE_URL: pg.url, PG_WS_PROXY: `127.0.0.1:${relay.port}` });
  });

  afterAll(async () => {
    await pool?.end();
    await relay?.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("exposes a consistent connection URL", () => {
    expect(pg.kind).toBe("system");
    expect(pg.url).toBe(`postgres://postgres:${pg.password}@127.0.0.1:${pg.port}/engines_test`);
  });

  it("answers SELECT 1 through the Neon Pool", async () => {
    const { rows } = await pool.query("SELECT 1 AS one, current_database() AS db");
    expect(rows).toEqual([{ one: 1, db: "engines_test" }]);
  });

  it("runs a transaction with SELECT … FOR UPDATE and INSERT … ON CONFLICT DO NOTHING", async () => {
    await pool.query("CREATE TABLE balances (id text PRIMARY KEY, amount bigint NOT NULL)");
    await pool.query("INSERT INTO balances VALUES ('a', 100)");
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const locked = await client.query("SELECT amount FROM balances WHERE id = $1 FOR UPDATE", ["a"]);
      expect(locked.rows).toEqual([{ amount: "100" }]);
      await client.query("UPDATE balances SET amount = amount - 30 WHERE id = $1", ["a"]);
      const first = await client.query("INSERT INTO balances VALUES ($1, 1) ON CONFLICT DO NOTHING", ["b"]);
      const again = await client.query("INSERT INTO balances VALUES ($1, 2) ON CONFLICT DO NOTHING", ["b"]);
      expect([first.rowCount, again.rowCount]).toEqual([1, 0]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    const { rows } = await pool.query("SELECT id, amount FROM balances ORDER BY id");
    expect(rows).toEqual([
      { id: "a", amount: "70" },
      { id: "b", amount: "1" },
    ]);
  });

  it("relays only to loopback targets on /v2, and never for a browser page", async () => {
    expect(await upgradeStatus(relay.port, `/v2?address=127.0.0.1:${pg.port}`)).toBe(101);
    expect(await upgradeStatus(relay.port, `/v2?address=localhost:${pg.port}`)).toBe(101);
    const fromPage = { origin: "https://evil.example" };
    expect(await upgradeStatus(relay.port, `/v2?address=127.0.0.1:${pg.port}`, fromPage)).toBe(403);
    expect(await upgradeStatus(relay.port, "/v2?address=8.8.8.8:5432")).toBe(403);
    expect(await upgradeStatus(relay.port, "/v2?address=example.com:5432")).toBe(403);
    expect(await upgradeStatus(relay.port, `/v1?address=127.0.0.1:${pg.port}`)).toBe(403);
    expect(await upgradeStatus(relay.port, "/v2")).toBe(403);
  });

  it("keeps data across a restart and stop() leaves no process", async () => {
    await pool.query("CREATE TABLE survives (v int)");
    await pool.query("INSERT INTO survives VALUES (42)");
    await pool.end();
    // pool.end() does not wait for its clients' Terminate; a server stopping first would fail them loudly.
    await waitFor("pool connections to close", async () => relay.connections === 0, 5000);
    const postmaster = Number(readFileSync(join(dir, "pg", "postmaster.pid"), "utf8").split("\n")[0]);
    const children = childrenOf(postmaster);
    expect(isAlive(postmaster)).toBe(true);
    expect(children.length).toBeGreaterThan(0);

    await pg.stop();
    expect(isAlive(postmaster)).toBe(false);
    expect(children.filter(isAlive)).toEqual([]);

    pg = await startPostgres({ kind: "system", dataDir: join(dir, "pg"), database: "engines_test" });
    pool = createNodePool({ DATABASE_URL: pg.url, PG_WS_PROXY: `127.0.0.1:${relay.port}` });
    const { rows } = await pool.query("SELECT v FROM survives");
    expect(rows).toEqual([{ v: 42 }]);
  });
});

/**
 * A bare wire-protocol client over the relay, to disconnect at exact points the Pool never would.
 * PGlite needs no password, so the startup is answered straight away.
 */
async function rawSession(relayPort: number, pgPort: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${relayPort}/v2?address=127.0.0.1:${pgPort}`);
  const scanner = new WireScanner("backend");
  // Type bytes of every message the server sent, in order.
  let received = "";
  ws.on("message", (data: Buffer) =>
    scanner.push(data, (event) => {
      if (event.kind === "message") received += event.type;
    }),
  );
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  const waitForType = async (type: string, after: number): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!received.slice(after).includes(type)) {
      if (Date.now() > deadline) throw new Error(`no '${type}' from the server`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const params = Buffer.from("user\0postgres\0database\0postgres\0\0", "latin1");
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  ws.send(Buffer.concat([startup, params]));
  await waitForType("Z", 0);
  return {
    /** Sends messages and waits until the reply stream contains `until` (a message type byte). */
    async send(messages: Buffer[], until: string) {
      const mark = received.length;
      ws.send(Buffer.concat(messages));
      await waitForType(until, mark);
    },
    vanish() {
      ws.terminate();
    },
  };
}

describe("embedded PGlite behind the serializing relay", () => {
  let dir: string;
  let pg: PostgresServer;
  let relay: PgRelay;
  let pool: Pool;

  beforeAll(async () => {
    dir = tempDir();
    pg = await startPostgres({ kind: "embedded", dataDir: join(dir, "pglite") });
    relay = await startPgRelay({ serialize: true });
    pool = createNodePool({ DATABASE_URL: pg.url, PG_WS_PROXY: `127.0.0.1:${relay.port}` }, { max: 10 });
    await pool.query("CREATE TABLE items (owner int NOT NULL, n int NOT NULL, PRIMARY KEY (owner, n))");
  });

  afterAll(async () => {
    await pool?.end();
    await relay?.stop();
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("gives 10 concurrent multi-statement transactions, mixed with single queries, correct uncrossed results", async () => {
    const transaction = async (owner: number) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const before = await client.query("SELECT txid_current()::text AS tx");
        // SET LOCAL is transaction-scoped session state: another transaction interleaving would overwrite it.
        await client.query(`SET LOCAL application_name = 'owner-${owner}'`);
        for (let n = 0; n < 4; n++) {
          await client.query("INSERT INTO items (owner, n) VALUES ($1, $2)", [owner, n]);
        }
        const mine = await client.query(
          "SELECT count(*)::int AS count, sum(n)::int AS sum, current_setting('application_name') AS app FROM items WHERE owner = $1",
          [owner],
        );
        const after = await client.query("SELECT txid_current()::text AS tx, $1::int AS echo", [owner]);
        await client.query("COMMIT");
        return { owner, before: before.rows[0].tx, after: after.rows[0], mine: mine.rows[0] };
      } finally {
        client.release();
      }
    };
    // Parameterized queries outside a transaction block: Parse/Bind/Describe/Execute/Sync each.
    const single = async (i: number) => {
      const { rows } = await pool.query("SELECT $1::int AS i, $2::text AS label", [i, `q${i}`]);
      expect(rows).toEqual([{ i, label: `q${i}` }]);
    };
    // Without serialization this mix stalls PGlite's socket server (observed: >30 s instead of <1 s).
    const [results] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, (_, owner) => transaction(owner))),
      Promise.all(Array.from({ length: 100 }, (_, i) => single(i))),
    ]);
    for (const r of results) {
      expect(r.mine).toEqual({ count: 4, sum: 6, app: `owner-${r.owner}` });
      expect(r.after).toEqual({ tx: r.before, echo: r.owner });
    }
    expect(new Set(results.map((r) => r.before)).size).toBe(10);
    const { rows } = await pool.query("SELECT count(*)::int AS total FROM items");
    expect(rows).toEqual([{ total: 40 }]);
  }, 15_000);

  it("rolls back a transaction whose client vanished and lets the others go on", async () => {
    const raw = await rawSession(relay.port, pg.port);
    let waiting: Promise<unknown> | undefined;
    try {
      await raw.send([queryMessage("BEGIN; INSERT INTO items VALUES (100, 0)")], "Z");
      // While that transaction is open, a pooled query must wait for the lock…
      let settled = false;
      waiting = pool.query("SELECT count(*)::int AS n FROM items WHERE owner = 100").then((r) => {
        settled = true;
        return r.rows;
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(settled).toBe(false);
    } finally {
      raw.vanish();
    }
    // …and see nothing of it once the client is gone.
    expect(await waiting).toEqual([{ n: 0 }]);
  });

  it("does not commit a half-sent extended-protocol statement when its client vanishes", async () => {
    const raw = await rawSession(relay.port, pg.port);
    const bind = encodeMessage("B", Buffer.alloc(8));
    const execute = encodeMessage("E", Buffer.alloc(5));
    const flush = encodeMessage("H");
    try {
      // Parse/Bind/Execute without Sync: the insert ran inside an implicit transaction a Sync would commit.
      await raw.send([parseMessage("INSERT INTO items VALUES (101, 0)"), bind, execute, flush], "C");
    } finally {
      raw.vanish();
    }
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM items WHERE owner = 101");
    expect(rows).toEqual([{ n: 0 }]);
    const total = await pool.query("SELECT count(*)::int AS total FROM items");
    expect(total.rows).toEqual([{ total: 40 }]);
  });

  it("closes the connection after Terminate so Client.end() returns", async () => {
    const client = new Client(pg.url);
    await client.connect();
    await client.query("SELECT 1");
    const ended = await Promise.race([
      client.end().then(() => "ended"),
      new Promise((r) => setTimeout(() => r("hung"), 3000)),
    ]);
    expect(ended).toBe("ended");
    const { rows } = await pool.query("SELECT 2 AS two");
    expect(rows).toEqual([{ two: 2 }]);
  });
});
