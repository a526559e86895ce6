/**
 * Auto-release while Postgres is down: the alarm changes nothing (the hold stays, the check backs
 * off) and, once Postgres is back, the next alarm releases the task and captures the hold once.
 */
import { runInDurableObject } from "cloudflare:test";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import type { EngineInfo } from "../setup/engines.ts";
import { query } from "./auth-helpers.ts";
import {
  escrow,
  newPoster,
  newSolver,
  rewardEntries,
  runEscrowCheck,
  submittedTask,
  taskRow,
} from "./tasks-helpers.ts";

const engines: EngineInfo = inject("engines");
let postgresStopped = false;

async function control(action: "stop" | "start"): Promise<void> {
  if (!engines.controlUrl) throw new Error("the engines control server is not running (dev/engines-main.ts)");
  const res = await fetch(`${engines.controlUrl}/postgres/${action}`, { method: "POST" });
  expect(res.status, await res.text()).toBe(200);
  postgresStopped = action === "stop";
}

afterAll(async () => {
  if (postgresStopped) await control("start");
});

describe("task auto-release with Postgres unreachable", () => {
  it("backs off without touching the money, then releases exactly once when Postgres is back", async () => {
    const poster = await newPoster(2_000_000);
    const solver = await newSolver();
    const task = await submittedTask(poster, solver);
    const past = Date.now() - 1_000;
    await query("UPDATE tasks SET review_deadline = $2 WHERE id = $1", [task.id, new Date(past)]);

    await control("stop");
    await runEscrowCheck(poster.stub, task.id, past);
    const waiting = await escrow(poster.stub, task.id);
    expect(waiting).toMatchObject({ outcome: null, failures: 1 });
    expect(waiting!.check_at!).toBeGreaterThan(Date.now());
    expect(await poster.stub.balance()).toMatchObject({ held: 1_050_000n, unsettled: 0n });
    // The alarm is set for the retry.
    const alarm = await runInDurableObject(poster.stub, (_i: WalletDO, state) => state.storage.getAlarm());
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(waiting!.check_at!);

    await control("start");
    await runEscrowCheck(poster.stub, task.id);
    expect((await taskRow(task.id)).status).toBe("released");
    expect(await escrow(poster.stub, task.id)).toMatchObject({ outcome: "captured", failures: 0 });
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 1_050_000n });
    expect(await rewardEntries(poster.stub, task.id)).toEqual([
      expect.objectContaining({ payee_wallet: solver.wallet, seller_payout: "950000" }),
    ]);
  });
});
