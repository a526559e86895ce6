/**
 * The bounty board's happy paths through the Worker, with a real poster WalletDO (vault balance on
 * the local chain) and real Postgres: post (hold), list, claim, submit, approve (ledger entry to
 * the solver), reject-and-reopen, cancel (full release).
 */
import { describe, expect, it } from "vitest";
import type { TaskList } from "../../workers/tasks/interface.ts";
import {
  api,
  escrow,
  json,
  newPoster,
  newSolver,
  postTask,
  rewardEntries,
  submittedTask,
  taskRow,
  work,
} from "./tasks-helpers.ts";

describe("bounty board: happy paths", () => {
  it("posting a task holds reward + buyer fee from the poster's available balance", async () => {
    const poster = await newPoster(5_000_000);
    const deadline = new Date(Date.now() + 86_400_000).toISOString();
    const task = await postTask(poster, { reward: "2000000", deadline });
    expect(task).toMatchObject({
      poster: poster.wallet,
      status: "open",
      reward: "2000000",
      holdAmount: "2100000",
      solverPayout: "1900000",
      solver: null,
      submission: null,
      reviewWindowSeconds: 3600,
      deadline,
    });
    expect(await poster.stub.balance()).toMatchObject({ held: 2_100_000n, available: 2_900_000n });
    expect(await escrow(poster.stub, task.id)).toMatchObject({ amount: 2_100_000, outcome: null });

    const got = await json(await api(poster, "GET", `/v1/tasks/${task.id}`), 200);
    expect(got).toEqual(task);
  });

  it("claim → submit → approve pays the solver reward − seller fee through a task_reward ledger entry", async () => {
    const poster = await newPoster(5_000_000);
    const solver = await newSolver();
    const task = await postTask(poster, { reward: "1000000" });

    const claimed = await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    expect(claimed).toMatchObject({ status: "claimed", solver: solver.wallet });
    expect(claimed.claimedAt).not.toBeNull();

    const submitted = await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    expect(submitted).toMatchObject({ status: "submitted", submission: work });
    const reviewDeadline = Date.parse(submitted.reviewDeadline!);
    expect(reviewDeadline - Date.parse(submitted.submittedAt!)).toBe(3_600_000);
    // The poster's WalletDO will look at the task when the review window ends.
    expect((await escrow(poster.stub, task.id))?.check_at).toBe(reviewDeadline);

    const approved = await json(await api(poster, "POST", `/v1/tasks/${task.id}/approve`), 200);
    expect(approved).toMatchObject({ status: "approved", solver: solver.wallet });
    expect(approved.resolvedAt).not.toBeNull();
    expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: "captured", check_at: null });

    // The hold became an unsettled charge: available does not move back up.
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 1_050_000n, available: 3_950_000n });
    const [entry, ...more] = await rewardEntries(poster.stub, task.id);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      request_id: `task:${task.id}`,
      kind: "task_reward",
      buyer_wallet: poster.wallet,
      payee_wallet: solver.wallet,
      charge: "1050000",
      seller_payout: "950000",
      platform_fee: "100000",
      status: "unsettled",
    });

    // Approving again is a conflict and books nothing more.
    expect((await api(poster, "POST", `/v1/tasks/${task.id}/approve`)).status).toBe(409);
    expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
  });

  it("reject reopens the task for another solver; the new submission gets its own review window", async () => {
    const poster = await newPoster();
    const first = await newSolver();
    const second = await newSolver();
    const task = await submittedTask(poster, first);

    const reopened = await json(await api(poster, "POST", `/v1/tasks/${task.id}/reject`), 200);
    expect(reopened).toMatchObject({ status: "open", solver: null, submission: null, reviewDeadline: null });
    expect((await escrow(poster.stub, task.id))?.check_at).toBeNull();
    expect(await poster.stub.balance()).toMatchObject({ held: 1_050_000n });

    await json(await api(second, "POST", `/v1/tasks/${task.id}/claim`), 200);
    const resubmitted = await json(await api(second, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    expect(resubmitted).toMatchObject({ status: "submitted", solver: second.wallet });
    expect((await escrow(poster.stub, task.id))?.check_at).toBe(Date.parse(resubmitted.reviewDeadline!));
  });

  it("cancel while open gives the whole hold back", async () => {
    const poster = await newPoster(3_000_000);
    const task = await postTask(poster, { reward: "1000000" });
    expect((await poster.stub.balance()).available).toBe(1_950_000n);

    const cancelled = await json(await api(poster, "POST", `/v1/tasks/${task.id}/cancel`), 200);
    expect(cancelled).toMatchObject({ status: "cancelled" });
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 0n, available: 3_000_000n });
    expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: "released" });

    // Repeating the cancel answers the cancelled task and releases nothing twice.
    expect(await json(await api(poster, "POST", `/v1/tasks/${task.id}/cancel`), 200)).toMatchObject({
      status: "cancelled",
    });
    expect((await poster.stub.balance()).available).toBe(3_000_000n);
    expect(await rewardEntries(poster.stub, task.id, false)).toEqual([]);
  });

  it("lists tasks newest first with filters and cursor pagination", async () => {
    const poster = await newPoster(20_000_000);
    const solver = await newSolver();
    const rewards = ["1000", "2000", "3000", "4000", "5000"];
    const posted = [];
    for (const reward of rewards) posted.push(await postTask(poster, { reward }));
    await json(await api(solver, "POST", `/v1/tasks/${posted[1]!.id}/claim`), 200);

    const base = `/v1/tasks?poster=${poster.wallet}`;
    const all = await json<TaskList>(await api(solver, "GET", base), 200);
    expect(all.tasks.map((t) => t.reward)).toEqual([...rewards].reverse());
    expect(all.nextCursor).toBeNull();

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: TaskList = await json<TaskList>(
        await api(solver, "GET", `${base}&limit=2${cursor ? `&cursor=${cursor}` : ""}`),
        200,
      );
      expect(page.tasks.length).toBeLessThanOrEqual(2);
      seen.push(...page.tasks.map((t) => t.reward));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...rewards].reverse());

    const open = await json<TaskList>(
      await api(solver, "GET", `${base}&status=open&minReward=2000&maxReward=4000`),
      200,
    );
    expect(open.tasks.map((t) => t.reward)).toEqual(["4000", "3000"]);
    const claimed = await json<TaskList>(await api(solver, "GET", `/v1/tasks?solver=${solver.wallet}`), 200);
    expect(claimed.tasks.map((t) => t.id)).toEqual([posted[1]!.id]);
    expect((await taskRow(posted[1]!.id)).status).toBe("claimed");
  });
});
