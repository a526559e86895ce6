/**
 * Auto-release by the poster's WalletDO alarm: when the review window ends the alarm marks the
 * task released and captures the hold for the solver — exactly once, also when the poster's
 * approve races it. A hold whose task row never appeared is released after a grace.
 */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import { ORPHAN_GRACE_MS } from "../../workers/tasks/escrow.ts";
import { query } from "./auth-helpers.ts";
import {
  api,
  endReviewWindow,
  escrow,
  json,
  newPoster,
  newSolver,
  postTask,
  rewardEntries,
  runEscrowCheck,
  submittedTask,
  taskRow,
  work,
} from "./tasks-helpers.ts";
import type { WalletStub } from "./wallet-do-helpers.ts";

function alarmAt(stub: WalletStub): Promise<number | null> {
  return runInDurableObject(stub, (_i: WalletDO, state) => state.storage.getAlarm());
}

describe("task auto-release by the WalletDO alarm", () => {
  it("submit schedules the alarm at the review deadline; when it passes, the reward is released to the solver", async () => {
    const poster = await newPoster(3_000_000);
    const solver = await newSolver();
    const task = await postTask(poster, { reward: "1000000", reviewWindowSeconds: 1 });
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    const submitted = await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
    const deadline = Date.parse(submitted.reviewDeadline!);
    const at = await alarmAt(poster.stub);
    expect(at).not.toBeNull();
    expect(at!).toBeLessThanOrEqual(deadline);

    // Before the deadline the alarm looks and leaves the task alone.
    if (Date.now() < deadline) {
      await runDurableObjectAlarm(poster.stub);
      if (Date.now() < deadline) expect((await taskRow(task.id)).status).toBe("submitted");
    }
    // Real time passes (1 s window); the alarm runs as workerd would run it.
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 50));
    await runInDurableObject(poster.stub, (_i: WalletDO, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(poster.stub);

    const row = await taskRow(task.id);
    expect(row.status).toBe("released");
    expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: "captured", check_at: null });
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 1_050_000n, available: 1_950_000n });
    const entries = await rewardEntries(poster.stub, task.id);
    expect(entries).toEqual([
      expect.objectContaining({
        kind: "task_reward",
        payee_wallet: solver.wallet,
        charge: "1050000",
        seller_payout: "950000",
        platform_fee: "100000",
      }),
    ]);
    const view = await json(await api(solver, "GET", `/v1/tasks/${task.id}`), 200);
    expect(view).toMatchObject({ status: "released", solver: solver.wallet });
    expect(view.resolvedAt).not.toBeNull();

    // Running the alarm again changes nothing.
    await runEscrowCheck(poster.stub, task.id);
    expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
    expect((await poster.stub.balance()).unsettled).toBe(1_050_000n);
  });

  it("approve racing the alarm: one of them wins the row, the hold is captured exactly once", async () => {
    for (let round = 0; round < 4; round++) {
      const poster = await newPoster(3_000_000);
      const solver = await newSolver();
      const task = await submittedTask(poster, solver, { reward: "1000000" });
      const past = Date.now() - 1_000;
      await query("UPDATE tasks SET review_deadline = $2 WHERE id = $1", [task.id, new Date(past)]);
      const [approve] = await Promise.all([
        api(poster, "POST", `/v1/tasks/${task.id}/approve`),
        runEscrowCheck(poster.stub, task.id, past),
      ]);
      expect([200, 409]).toContain(approve.status);
      await approve.text();
      const status = (await taskRow(task.id)).status;
      expect(status).toBe(approve.status === 200 ? "approved" : "released");
      expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: "captured" });
      expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 1_050_000n });
      expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
    }
  });

  it("an approve whose capture did not happen is captured by the alarm at the review deadline", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await submittedTask(poster, solver);
    // As if the route's capture call had failed after the row said approved.
    await query("UPDATE tasks SET status = 'approved', resolved_at = now() WHERE id = $1", [task.id]);
    expect((await poster.stub.balance()).held).toBe(1_050_000n);
    await runEscrowCheck(poster.stub, task.id);
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 1_050_000n });
    expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
    // The route's late capture is then a harmless repeat.
    expect(await poster.stub.settleEscrow(task.id, { capture: { solver: solver.wallet, reward: 1_000_000n } })).toEqual(
      { ok: true, outcome: "captured", already: true },
    );
  });

  it("a rejected or disputed task is not released when its old check comes due", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    for (const action of ["reject", "dispute"] as const) {
      const task = await submittedTask(poster, solver);
      const res =
        action === "reject"
          ? await api(poster, "POST", `/v1/tasks/${task.id}/reject`)
          : await api(solver, "POST", `/v1/tasks/${task.id}/dispute`, { reason: "unresponsive" });
      await json(res, 200);
      // Even if the check had stayed (a failed unwatch), the alarm finds the row moved on.
      await runEscrowCheck(poster.stub, task.id);
      expect((await taskRow(task.id)).status).toBe(action === "reject" ? "open" : "disputed");
      expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: null, check_at: null });
      expect(await rewardEntries(poster.stub, task.id, false)).toEqual([]);
    }
    expect((await poster.stub.balance()).held).toBe(2_100_000n);
  });

  it("a submit whose row update never happened leaves a check that goes idle", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await postTask(poster);
    await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
    expect(await poster.stub.watchEscrow(task.id, Date.now() - 1)).toEqual({ ok: true });
    await runEscrowCheck(poster.stub, task.id);
    expect((await taskRow(task.id)).status).toBe("claimed");
    expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: null, check_at: null });
    expect((await poster.stub.balance()).held).toBe(1_050_000n);
  });

  it("a hold whose task row never appeared is released after the grace, not before", async () => {
    const poster = await newPoster(1_000_000);
    const orphan = crypto.randomUUID();
    expect(await poster.stub.openEscrow(orphan, 400_000n)).toMatchObject({ ok: true, available: 600_000n });
    await runEscrowCheck(poster.stub, orphan);
    expect((await poster.stub.balance()).held).toBe(400_000n);
    expect((await escrow(poster.stub, orphan))?.check_at).toBeGreaterThan(Date.now() + ORPHAN_GRACE_MS - 60_000);

    await runInDurableObject(poster.stub, (_i: WalletDO, state) => {
      state.storage.sql.exec(
        "UPDATE task_escrows SET created_at = ? WHERE task_id = ?",
        Date.now() - ORPHAN_GRACE_MS - 1,
        orphan,
      );
    });
    await runEscrowCheck(poster.stub, orphan);
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, available: 1_000_000n });
    expect(await escrow(poster.stub, orphan)).toMatchObject({ outcome: "released" });
  });

  it("approve captures at once even after the review deadline, before the alarm ran", async () => {
    const poster = await newPoster();
    const solver = await newSolver();
    const task = await submittedTask(poster, solver);
    await query("UPDATE tasks SET review_deadline = now() - interval '1 second' WHERE id = $1", [task.id]);
    expect(await json(await api(poster, "POST", `/v1/tasks/${task.id}/approve`), 200)).toMatchObject({
      status: "approved",
    });
    await endReviewWindow(poster.stub, task.id);
    expect((await taskRow(task.id)).status).toBe("approved");
    expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
  });
});
