/** Helpers for the bounty-board tests: funded posters, solvers, JSON calls through SELF, rows and DO state. */
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import type { TaskView } from "../../workers/tasks/interface.ts";
import { BASE, type ErrorBody, query } from "./auth-helpers.ts";
import { SELF } from "./self.ts";
import { fundedWallet, type TestWallet, type WalletStub, walletWithKey } from "./wallet-do-helpers.ts";

export type Poster = TestWallet & { vault: string };

/** A poster with `usdc` micro-USDC of credit. */
export function newPoster(usdc = 10_000_000): Promise<Poster> {
  return fundedWallet(usdc);
}

/** A solver: an API key, no money needed. */
export function newSolver(): Promise<TestWallet> {
  return walletWithKey();
}

export function api(who: Pick<TestWallet, "apiKey"> | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (who) headers.authorization = `Bearer ${who.apiKey}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

export async function json<T = TaskView>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Reads every body (so no response is left open) and returns the statuses. */
export function statusesOf(responses: Response[]): Promise<number[]> {
  return Promise.all(
    responses.map(async (r) => {
      await r.text();
      return r.status;
    }),
  );
}

export async function error(res: Response, status: number): Promise<ErrorBody["error"]> {
  return (await json<ErrorBody>(res, status)).error;
}

export function taskBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: "Summarise three papers",
    description: "One paragraph each.",
    reward: "1000000",
    reviewWindowSeconds: 3600,
    ...overrides,
  };
}

export async function postTask(poster: Poster, overrides: Record<string, unknown> = {}): Promise<TaskView> {
  return json(await api(poster, "POST", "/v1/tasks", taskBody(overrides)), 201);
}

export const work = { kind: "url", value: "https://example.com/result.md" } as const;

/** A task claimed and submitted by `solver`. */
export async function submittedTask(
  poster: Poster,
  solver: TestWallet,
  overrides: Record<string, unknown> = {},
): Promise<TaskView> {
  const task = await postTask(poster, overrides);
  await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
  return json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
}

export interface TaskRow {
  status: string;
  solver_wallet: string | null;
  submission: string | null;
  updated_at: Date;
}

export async function taskRow(id: string): Promise<TaskRow> {
  const [row] = await query<TaskRow>("SELECT status, solver_wallet, submission, updated_at FROM tasks WHERE id = $1", [
    id,
  ]);
  if (!row) throw new Error(`no task ${id}`);
  return row;
}

export interface EscrowRow extends Record<string, SqlStorageValue> {
  task_id: string;
  amount: number;
  check_at: number | null;
  outcome: string | null;
}

export async function escrow(stub: WalletStub, taskId: string): Promise<EscrowRow | undefined> {
  return runInDurableObject(
    stub,
    (_i: WalletDO, state) =>
      state.storage.sql.exec<EscrowRow>("SELECT * FROM task_escrows WHERE task_id = ?", taskId).toArray()[0],
  );
}

/** Makes the escrow's check due now and runs the alarm (as if the review window had passed). */
export async function runEscrowCheck(stub: WalletStub, taskId: string, checkAt = Date.now()): Promise<void> {
  await runInDurableObject(stub, (_i: WalletDO, state) => {
    state.storage.sql.exec("UPDATE task_escrows SET check_at = ? WHERE task_id = ?", checkAt, taskId);
    return state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(stub);
}

/** Moves a submitted task's review deadline into the past, in Postgres and in the poster's escrow. */
export async function endReviewWindow(stub: WalletStub, taskId: string): Promise<void> {
  const past = Date.now() - 1_000;
  await query("UPDATE tasks SET review_deadline = $2 WHERE id = $1", [taskId, new Date(past)]);
  await runEscrowCheck(stub, taskId, past);
}

export interface LedgerRow {
  request_id: string;
  kind: string;
  buyer_wallet: string;
  payee_wallet: string;
  task_id: string | null;
  charge: string;
  seller_payout: string;
  platform_fee: string;
  status: string;
}

/** Runs the poster's alarm until the task's ledger entry reached Postgres. */
export async function rewardEntries(stub: WalletStub, taskId: string, expectOne = true): Promise<LedgerRow[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await runDurableObjectAlarm(stub);
    const rows = await query<LedgerRow>(
      "SELECT request_id, kind, buyer_wallet, payee_wallet, task_id, charge, seller_payout, platform_fee, status FROM ledger_entries WHERE task_id = $1",
      [taskId],
    );
    if (rows.length > 0 || !expectOne) return rows;
    if (Date.now() > deadline) throw new Error(`no ledger entry for task ${taskId}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
