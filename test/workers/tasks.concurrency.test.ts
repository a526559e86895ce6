/**
 * The bounty board under real concurrency: concurrent claims (exactly one wins), concurrent
 * approvals (one capture), and task holds racing proxy reservations against a balance that fits
 * only some of them — never overspent.
 */
import { describe, expect, it } from "vitest";
import { call, newListing, settled } from "./proxy-helpers.ts";
import {
  api,
  newPoster,
  newSolver,
  postTask,
  rewardEntries,
  statusesOf,
  submittedTask,
  taskBody,
  taskRow,
} from "./tasks-helpers.ts";

describe("bounty board under concurrency", () => {
  it("ten solvers claim one task at once: exactly one wins, the others get 409", async () => {
    const poster = await newPoster();
    const task = await postTask(poster);
    const solvers = await Promise.all(Array.from({ length: 10 }, () => newSolver()));
    const responses = await Promise.all(solvers.map((s) => api(s, "POST", `/v1/tasks/${task.id}/claim`)));
    const statuses = await Promise.all(responses.map(async (r) => [r.status, await r.text()] as const));
    const winners = statuses.flatMap(([status], i) => (status === 200 ? [solvers[i]!] : []));
    expect(winners).toHaveLength(1);
    expect(statuses.filter(([status]) => status === 409)).toHaveLength(9);
    const row = await taskRow(task.id);
    expect(row).toMatchObject({ status: "claimed", solver_wallet: winners[0]!.wallet });
  });

  it("five concurrent approvals: one 200, one capture, one ledger entry", async () => {
    const poster = await newPoster(2_000_000);
    const solver = await newSolver();
    const task = await submittedTask(poster, solver);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api(poster, "POST", `/v1/tasks/${task.id}/approve`)),
    );
    const statuses = await statusesOf(responses);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(4);
    expect(await poster.stub.balance()).toMatchObject({ held: 0n, unsettled: 1_050_000n, available: 950_000n });
    expect(await rewardEntries(poster.stub, task.id)).toHaveLength(1);
  });

  it("task holds and reservations racing for one balance: never more than the balance, every refusal really did not fit", async () => {
    const balance = 1_000_000n;
    const poster = await newPoster(Number(balance));
    const reservations = Array.from({ length: 16 }, (_, i) => ({ id: `race-${i}`, amount: 50_000n }));
    // reward 200 000 → hold 210 000; 4 of them + 16 × 50 000 = 1 640 000 wanted against 1 000 000.
    const posts = Array.from({ length: 4 }, () => taskBody({ reward: "200000" }));
    const [reserved, created] = await Promise.all([
      Promise.all(reservations.map((r) => poster.stub.reserve(r.id, poster.apiKey, r.amount))),
      Promise.all(posts.map(async (body) => api(poster, "POST", "/v1/tasks", body))),
    ]);
    const createdStatus = await statusesOf(created);
    expect(createdStatus.every((s) => s === 201 || s === 402)).toBe(true);
    const tasksMade = createdStatus.filter((s) => s === 201).length;
    const reservedOk = reserved.filter((r) => r.ok).length;

    const after = await poster.stub.balance();
    const used = BigInt(reservedOk) * 50_000n + BigInt(tasksMade) * 210_000n;
    expect(used).toBeLessThanOrEqual(balance);
    expect(after.held).toBe(BigInt(tasksMade) * 210_000n);
    expect(after.reserved).toBe(BigInt(reservedOk) * 50_000n);
    expect(after.available).toBe(balance - used);
    // Availability only went down during the race, so a refusal means it did not fit even at the end.
    if (reservedOk < reservations.length) expect(after.available).toBeLessThan(50_000n);
    if (tasksMade < posts.length) expect(after.available).toBeLessThan(210_000n);
    for (const r of reserved) if (r.ok) await poster.stub.refund(r.requestId);
  });

  it("task posts racing real proxied calls: charges + holds never exceed the vault", async () => {
    const balance = 100_000n;
    const poster = await newPoster(Number(balance));
    const listing = await newListing(); // 1 000 per call → charge 1 050
    const calls = Array.from({ length: 40 }, () => call(poster, listing, "/data/quotes/ACME"));
    const posts = Array.from({ length: 4 }, () => api(poster, "POST", "/v1/tasks", taskBody({ reward: "20000" })));
    const [callResponses, postResponses] = await Promise.all([Promise.all(calls), Promise.all(posts)]);
    const callStatus = await statusesOf(callResponses);
    const postStatus = await statusesOf(postResponses);
    expect(callStatus.every((s) => s === 200 || s === 402)).toBe(true);
    expect(postStatus.every((s) => s === 201 || s === 402)).toBe(true);

    const after = await settled(poster);
    const full = await poster.stub.balance();
    const calledOk = callStatus.filter((s) => s === 200).length;
    const postedOk = postStatus.filter((s) => s === 201).length;
    expect(full.held).toBe(BigInt(postedOk) * 21_000n);
    expect(after.unsettled).toBe(BigInt(calledOk) * 1_050n);
    expect(after.unsettled + full.held).toBeLessThanOrEqual(balance);
    expect(full.available).toBe(balance - after.unsettled - full.held);
    expect(full.available).toBeGreaterThanOrEqual(0n);
  });
});
