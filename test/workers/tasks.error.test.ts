/**
 * Illegal transitions and bad input on the bounty board: a clear 409 (or 403 for the wrong party),
 * and nothing changes — not the row, not the poster's money.
 */
import { describe, expect, it } from "vitest";
import { query } from "./auth-helpers.ts";
import {
  api,
  endReviewWindow,
  error,
  escrow,
  json,
  newPoster,
  newSolver,
  type Poster,
  postTask,
  rewardEntries,
  submittedTask,
  taskBody,
  taskRow,
  work,
} from "./tasks-helpers.ts";
import type { TestWallet } from "./wallet-do-helpers.ts";

/** Calls `path` as `who` and asserts the status and code, and that the row and the money did not move. */
async function refused(
  poster: Poster,
  who: Pick<TestWallet, "apiKey">,
  taskId: string,
  action: string,
  status: number,
  code: string,
  body?: unknown,
): Promise<string> {
  const rowBefore = await taskRow(taskId);
  const moneyBefore = await poster.stub.balance();
  const escrowBefore = await escrow(poster.stub, taskId);
  const err = await error(await api(who, "POST", `/v1/tasks/${taskId}/${action}`, body), status);
  expect(err.code).toBe(code);
  expect(await taskRow(taskId)).toEqual(rowBefore);
  const moneyAfter = await poster.stub.balance();
  expect({ held: moneyAfter.held, unsettled: moneyAfter.unsettled }).toEqual({
    held: moneyBefore.held,
    unsettled: moneyBefore.unsettled,
  });
  expect(await escrow(poster.stub, taskId)).toEqual(escrowBefore);
  return err.message;
}

describe("bounty board: illegal transitions change nothing", () => {
  it("double claim: the second solver gets 409", async () => {
    const poster = await newPoster();
    const [first, second] = [await newSolver(), await newSolver()];
    const task = await postTask(poster);
    await json(await api(first, "POST", `/v1/tasks/${task.id}/claim`), 200);
    expect(await refused(poster, second, task.id, "claim", 409, "conflict")).toMatch(/claimed/);
    expect(await refused(poster, first, task.id, "claim", 409, "conflict")).toMatch(/claimed/);
  });

  it("the poster cannot claim their own task (403)", async () => {
    const poster = await newPoster();
    const task = await postTask(poster);
    await refused(poster, poster, task.id, "claim", 403, "forbidden");
  });

  it("approve by a stranger or by the solver: 403; approve before submit: 409", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const stranger = await newSolver();
    const task = await postTask(poster);
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    await refused(poster, poster, task.id, "approve", 409, "conflict");
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    await refused(poster, stranger, task.id, "approve", 403, "forbidden");
    await refused(poster, solver, task.id, "approve", 403, "forbidden");
    expect(await rewardEntries(poster.stub, task.id, false)).toEqual([]);
  });

  it("cancel after claim (and after submit) is 409; a stranger's cancel is 403", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await postTask(poster);
    await refused(poster, solver, task.id, "cancel", 403, "forbidden");
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    expect(await refused(poster, poster, task.id, "cancel", 409, "conflict")).toMatch(/claimed.*open/);
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    await refused(poster, poster, task.id, "cancel", 409, "conflict");
    expect((await poster.stub.balance()).held).toBe(1_050_000n);
  });

  it("submit by a non-solver (stranger, poster) is 403; submit to an open task is 409; submitting twice is 409", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const stranger = await newSolver();
    const task = await postTask(poster);
    await refused(poster, solver, task.id, "submit", 409, "conflict", { work });
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    await refused(poster, stranger, task.id, "submit", 403, "forbidden", { work });
    await refused(poster, poster, task.id, "submit", 403, "forbidden", { work });
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    await refused(poster, solver, task.id, "submit", 409, "conflict", { work });
  });

  it("reject: only the poster, only while submitted (or claimed past the deadline)", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await postTask(poster);
    await refused(poster, poster, task.id, "reject", 409, "conflict");
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    expect(await refused(poster, poster, task.id, "reject", 409, "conflict")).toMatch(/deadline/);
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    await refused(poster, solver, task.id, "reject", 403, "forbidden");
  });

  it("a claimed task whose deadline passed can be reopened by its poster; claim and submit after it are 409", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await postTask(poster, { deadline: new Date(Date.now() + 60_000).toISOString() });
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    await query("UPDATE tasks SET deadline = now() - interval '1 second' WHERE id = $1", [task.id]);
    expect(await refused(poster, solver, task.id, "submit", 409, "conflict", { work })).toMatch(/deadline/);
    expect(await json(await api(poster, "POST", `/v1/tasks/${task.id}/reject`), 200)).toMatchObject({
      status: "open",
    });
    expect(await refused(poster, solver, task.id, "claim", 409, "conflict")).toMatch(/deadline/);
    // The poster gets the money back by cancelling.
    await json(await api(poster, "POST", `/v1/tasks/${task.id}/cancel`), 200);
    expect((await poster.stub.balance()).held).toBe(0n);
  });

  it("disputed tasks are frozen: no approve, reject, submit, cancel or second dispute", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const stranger = await newSolver();
    const task = await submittedTask(poster, solver);
    await refused(poster, stranger, task.id, "dispute", 403, "forbidden", { reason: "meddling" });
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/dispute`, { reason: "poster went silent" }), 200);
    for (const action of ["approve", "reject", "cancel"])
      await refused(poster, poster, task.id, action, 409, "conflict");
    await refused(poster, solver, task.id, "submit", 409, "conflict", { work });
    await refused(poster, poster, task.id, "dispute", 409, "conflict", { reason: "again" });
    expect((await poster.stub.balance()).held).toBe(1_050_000n);
    expect((await escrow(poster.stub, task.id))?.check_at).toBeNull();
  });

  it("approve after the alarm released the reward is 409 and books nothing twice", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await submittedTask(poster, solver);
    await endReviewWindow(poster.stub, task.id);
    expect((await taskRow(task.id)).status).toBe("released");
    await refused(poster, poster, task.id, "approve", 409, "conflict");
    await refused(poster, poster, task.id, "reject", 409, "conflict");
    expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
  });
});

describe("bounty board: bad input", () => {
  it("refuses a reward the poster's available balance cannot cover (402) and records no task", async () => {
    const poster = await newPoster(1_000_000);
    const err = await error(await api(poster, "POST", "/v1/tasks", taskBody({ reward: "1000000" })), 402);
    expect(err.code).toBe("insufficient_credit");
    expect(err.message).toMatch(/1050000/);
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, available: 1_000_000n });
    expect(await query("SELECT id FROM tasks WHERE poster_wallet = $1", [poster.wallet])).toEqual([]);
  });

  it.each([
    ["missing title", { title: undefined }],
    ["empty title", { title: "  " }],
    ["zero reward", { reward: "0" }],
    ["negative reward", { reward: "-5" }],
    ["fractional reward", { reward: "1.5" }],
    ["float reward", { reward: 1.5 }],
    ["huge reward", { reward: "1000000000001" }],
    ["zero review window", { reviewWindowSeconds: 0 }],
    ["review window too long", { reviewWindowSeconds: 31 * 86_400 }],
    ["deadline not a date", { deadline: "tomorrow" }],
    ["deadline in the past", { deadline: new Date(Date.now() - 60_000).toISOString() }],
    ["unknown field", { bounty: "x" }],
  ])("create with %s → 400 invalid_request", async (_name, overrides) => {
    const poster = await newPoster(1_000_000);
    const err = await error(await api(poster, "POST", "/v1/tasks", taskBody(overrides)), 400);
    expect(err.code).toBe("invalid_request");
    expect((await poster.stub.balance()).held).toBe(0n);
  });

  it("validates the work reference and the dispute reason", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await postTask(poster);
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    for (const bad of [
      { kind: "url", value: "javascript:alert(1)" },
      { kind: "url", value: "ftp://example.com/x" },
      { kind: "hash", value: "md5:abc" },
      { kind: "text", value: "" },
      { kind: "blob", value: "x" },
    ]) {
      expect((await error(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work: bad }), 400)).code).toBe(
        "invalid_request",
      );
    }
    const hash = { kind: "hash", value: `sha256:${"ab".repeat(32)}` };
    expect(await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work: hash }), 200)).toMatchObject({
      submission: hash,
    });
    expect((await error(await api(solver, "POST", `/v1/tasks/${task.id}/dispute`, { reason: "" }), 400)).code).toBe(
      "invalid_request",
    );
  });

  it("unknown or malformed task ids are 404; list filters are validated", async () => {
    const solver = await newSolver();
    expect((await error(await api(solver, "GET", `/v1/tasks/${crypto.randomUUID()}`), 404)).code).toBe("not_found");
    expect((await error(await api(solver, "POST", "/v1/tasks/not-a-uuid/claim"), 404)).code).toBe("not_found");
    expect((await error(await api(solver, "POST", `/v1/tasks/${crypto.randomUUID()}/claim`), 404)).code).toBe(
      "not_found",
    );
    for (const q of ["status=done", "minReward=-1", "minReward=5&maxReward=4", "limit=0", "cursor=x", "poster=0OIl"]) {
      expect((await error(await api(solver, "GET", `/v1/tasks?${q}`), 400)).code).toBe("invalid_request");
    }
  });

  it("every task route needs an API key", async () => {
    const id = crypto.randomUUID();
    for (const [method, path] of [
      ["GET", "/v1/tasks"],
      ["POST", "/v1/tasks"],
      ["GET", `/v1/tasks/${id}`],
      ["POST", `/v1/tasks/${id}/claim`],
      ["POST", `/v1/tasks/${id}/approve`],
    ] as const) {
      expect((await error(await api(null, method, path, method === "POST" ? {} : undefined), 401)).code).toBe(
        "unauthorized",
      );
    }
  });
});
