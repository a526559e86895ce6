/**
 * Bounty-board security: the wallet blocklist stops a blocked poster or solver (403, recorded),
 * disputes are recorded as security events, and a task's work and dispute reason are shown only
 * to its parties.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createDb, createPool } from "../../db/client.ts";
import { blockWallet, unblockWallet } from "../../workers/tasks/store.ts";
import { query } from "./auth-helpers.ts";
import { captureLogs, dump } from "./log-capture.ts";
import {
  api,
  error,
  json,
  newPoster,
  newSolver,
  postTask,
  submittedTask,
  taskBody,
  taskRow,
  work,
} from "./tasks-helpers.ts";

async function withTestDb<T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const pool = createPool(env);
  try {
    return await fn(createDb(pool));
  } finally {
    await pool.end();
  }
}

const logged = captureLogs();

function events(wallet: string, kind: string) {
  return query<{ kind: string; detail: Record<string, unknown> }>(
    "SELECT kind, detail FROM security_events WHERE wallet_address = $1 AND kind = $2 ORDER BY id",
    [wallet, kind],
  );
}

describe("bounty board: wallet blocklist", () => {
  it("a blocked poster cannot post: 403, no hold, no row, the attempt recorded", async () => {
    const poster = await newPoster(2_000_000);
    await withTestDb((db) => blockWallet(db, poster.wallet, "chargeback fraud"));
    const err = await error(await api(poster, "POST", "/v1/tasks", taskBody()), 403);
    expect(err).toMatchObject({ code: "forbidden", message: "This wallet is blocked from the bounty board" });
    expect(err.message).not.toContain("chargeback");
    expect((await poster.stub.balance()).held).toBe(0n);
    expect(await query("SELECT 1 FROM tasks WHERE poster_wallet = $1", [poster.wallet])).toEqual([]);
    expect(await events(poster.wallet, "blocked_wallet_attempt")).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ action: "create", reason: "blocked" }) }),
    ]);
    expect(await events(poster.wallet, "wallet_blocked")).toHaveLength(1);

    // Unblocked, the same wallet posts again.
    expect(await withTestDb((db) => unblockWallet(db, poster.wallet, "resolved"))).toBe(true);
    await postTask(poster);
  });

  it("a blocked solver cannot claim, and a solver blocked after claiming cannot submit", async () => {
    const poster = await newPoster();
    const blocked = await newSolver();
    const task = await postTask(poster);
    await withTestDb((db) => blockWallet(db, blocked.wallet, "sybil ring"));
    expect((await error(await api(blocked, "POST", `/v1/tasks/${task.id}/claim`), 403)).code).toBe("forbidden");
    expect((await taskRow(task.id)).status).toBe("open");

    const solver = await newSolver();
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    await withTestDb((db) => blockWallet(db, solver.wallet, "plagiarism"));
    expect((await error(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 403)).code).toBe(
      "forbidden",
    );
    expect((await taskRow(task.id)).status).toBe("claimed");
    expect((await events(solver.wallet, "blocked_wallet_attempt"))[0]?.detail).toMatchObject({
      action: "submit",
      taskId: task.id,
    });
    // The poster can still dispute and freeze the task for the platform.
    await json(await api(poster, "POST", `/v1/tasks/${task.id}/dispute`, { reason: "solver blocked" }), 200);
  });

  it("a skim-flagged wallet is refused like a blocked one", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await postTask(poster);
    await query(
      "INSERT INTO wallets (address, is_flagged, flagged_reason) VALUES ($1, true, 'skim') ON CONFLICT (address) DO UPDATE SET is_flagged = true, flagged_reason = 'skim'",
      [solver.wallet],
    );
    expect((await error(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 403)).code).toBe("forbidden");
  });
});

describe("bounty board: audit and visibility", () => {
  it("a dispute is recorded as a task_disputed security event in the same transaction", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await submittedTask(poster, solver);
    const disputed = await json(
      await api(poster, "POST", `/v1/tasks/${task.id}/dispute`, { reason: "work is copied" }),
      200,
    );
    expect(disputed).toMatchObject({ status: "disputed", disputedBy: poster.wallet, disputeReason: "work is copied" });
    expect(await events(poster.wallet, "task_disputed")).toEqual([
      {
        kind: "task_disputed",
        detail: { taskId: task.id, poster: poster.wallet, solver: solver.wallet, from: "submitted" },
      },
    ]);
  });

  it("the work reference and the dispute reason are shown only to the poster and the solver", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const stranger = await newSolver();
    const task = await submittedTask(poster, solver);
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/dispute`, { reason: "poster is stalling" }), 200);

    for (const party of [poster, solver]) {
      expect(await json(await api(party, "GET", `/v1/tasks/${task.id}`), 200)).toMatchObject({
        submission: work,
        disputeReason: "poster is stalling",
      });
    }
    const seen = await json(await api(stranger, "GET", `/v1/tasks/${task.id}`), 200);
    expect(seen).toMatchObject({ status: "disputed", submission: null, disputeReason: null });
    const listed = await json<{ tasks: Array<{ id: string; submission: unknown }> }>(
      await api(stranger, "GET", `/v1/tasks?poster=${poster.wallet}`),
      200,
    );
    expect(listed.tasks.find((t) => t.id === task.id)?.submission).toBeNull();
  });
});

describe("bounty board: secrets never leak", () => {
  it("API keys and the database URL appear in no response and no log line across a whole task's life", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const seen: string[] = [];
    const record = async (res: Response) => {
      seen.push(await dump(res));
    };
    const task = await postTask(poster);
    await record(await api(solver, "POST", `/v1/tasks/${task.id}/claim`));
    await record(await api(poster, "POST", `/v1/tasks/${task.id}/claim`));
    // An API key pasted into the work or the title is the caller's own business, but a refused body must not echo it.
    await record(
      await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work: { kind: "url", value: poster.apiKey } }),
    );
    await record(await api(solver, "POST", "/v1/tasks", { ...taskBody(), reward: poster.apiKey }));
    await record(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }));
    await record(await api(poster, "POST", `/v1/tasks/${task.id}/approve`));
    await record(await api({ apiKey: `${poster.apiKey}x` }, "GET", `/v1/tasks/${task.id}`));
    await record(await api(poster, "GET", `/v1/tasks?poster=${poster.wallet}`));
    const secrets = [poster.apiKey, solver.apiKey, poster.apiKey.split("_").at(-1)!, env.DATABASE_URL];
    const password = new URL(env.DATABASE_URL).password;
    if (password) secrets.push(password);
    for (const secret of secrets) {
      for (const text of [...seen, ...logged]) expect(text).not.toContain(secret);
    }
  });
});
