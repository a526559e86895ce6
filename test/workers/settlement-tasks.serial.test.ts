/**
 * Issue 9's last check, on the local chain (LiteSVM): a poster funds a real multisig vault, posts
 * two tasks; a solver claims and submits both; the poster approves one, the WalletDO alarm
 * auto-releases the other; the settlement cron runs → the solver's USDC account rises by exactly
 * reward − seller fee per task, the treasury by the fees, the poster's vault falls by reward + buyer
 * fee per task. The solver has no seller row: task rewards are paid to the payee wallet.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  runDurableObjectAlarm,
  waitOnExecutionContext,
} from "cloudflare:test";
import { type Address, address } from "@solana/kit";
import { beforeAll, describe, expect, it } from "vitest";
import { computeFees } from "../../workers/credit/fees.ts";
import worker from "../../workers/index.ts";
import { loadPlatformKeys } from "../../workers/solana/keys.ts";
import { query } from "./auth-helpers.ts";
import { faucet, signAndSend, tokenBalance, transferUsdc, usdcAccount } from "./chain-helpers.ts";
import { json, type Party, signedIn } from "./party-helpers.ts";
import { BASE } from "./proxy-helpers.ts";
import { SELF } from "./self.ts";
import { endReviewWindow, rewardEntries, work } from "./tasks-helpers.ts";
import { walletStub } from "./wallet-do-helpers.ts";

const REWARD = 1_000_000n; // 1 USDC per task: two tasks clear the default 1 USDC thresholds.

function api(who: Party, method: string, path: string, body?: unknown): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${who.apiKey}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Signed in, vault opened, `usdc` deposited on chain and reported. */
async function poster(usdc: bigint): Promise<Party & { vault: Address }> {
  const party = await signedIn();
  await faucet(party.signer.address, { usdc: Number(usdc) + 1 });
  const opened = await json<{ vault: string; transaction: string }>(await api(party, "POST", "/v1/vault", {}), 201);
  await signAndSend(opened.transaction, party.signer);
  await json(await api(party, "GET", "/v1/vault"), 200);
  const vault = address(opened.vault);
  const signature = await transferUsdc(party.signer, vault, usdc);
  await json(await api(party, "POST", "/v1/deposits", { signature }), 201);
  await json(await api(party, "GET", "/v1/balance"), 200);
  return { ...party, vault };
}

async function balanceOf(account: Address): Promise<bigint> {
  try {
    return await tokenBalance(account);
  } catch {
    return 0n; // the solver's associated account does not exist until the first payout
  }
}

describe("task rewards settled on chain", () => {
  let treasury: Address;
  beforeAll(async () => {
    const keys = await loadPlatformKeys(env);
    treasury = await usdcAccount(keys.treasury.address);
  });

  it("approved and auto-released tasks: the cron pays the solver's wallet exactly reward − fee per task", async () => {
    const p = await poster(5_000_000n);
    const solver = await signedIn();
    const solverAccount = await usdcAccount(solver.signer.address);
    const fees = computeFees(REWARD);

    const tasks: string[] = [];
    for (let i = 0; i < 2; i++) {
      const task = await json<{ id: string }>(
        await api(p, "POST", "/v1/tasks", {
          title: `Task ${i}`,
          description: "Settled on chain.",
          reward: REWARD.toString(),
          reviewWindowSeconds: 3600,
        }),
        201,
      );
      await json(await api(solver, "POST", `/v1/tasks/${task.id}/claim`), 200);
      await json(await api(solver, "POST", `/v1/tasks/${task.id}/submit`, { work }), 200);
      tasks.push(task.id);
    }
    const [approved, autoReleased] = tasks as [string, string];
    expect(await json<{ status: string }>(await api(p, "POST", `/v1/tasks/${approved}/approve`), 200)).toMatchObject({
      status: "approved",
    });
    const stub = walletStub(p.wallet);
    await endReviewWindow(stub, autoReleased);
    const [row] = await query<{ status: string }>("SELECT status FROM tasks WHERE id = $1", [autoReleased]);
    expect(row?.status).toBe("released");
    for (const id of tasks) {
      expect(await rewardEntries(stub, id)).toEqual([
        expect.objectContaining({ kind: "task_reward", payee_wallet: solver.wallet, status: "unsettled" }),
      ]);
    }
    await runDurableObjectAlarm(stub);

    const accounts = [solverAccount, p.vault, treasury];
    const before = new Map(await Promise.all(accounts.map(async (a) => [a, await balanceOf(a)] as const)));
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/10 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);
    const delta = async (a: Address) => (await balanceOf(a)) - (before.get(a) ?? 0n);

    expect(await delta(solverAccount)).toBe(2n * fees.sellerPayout);
    expect(await delta(p.vault)).toBe(-2n * fees.charge);
    expect(await delta(treasury)).toBe(2n * fees.platformFee);
    expect(fees.charge - fees.sellerPayout).toBe(fees.platformFee);

    const entries = await query<{ status: string; batch: string | null }>(
      "SELECT status, settlement_batch_id AS batch FROM ledger_entries WHERE task_id = ANY($1::uuid[])",
      [tasks],
    );
    expect(entries.map((e) => e.status)).toEqual(["settled", "settled"]);
    const [transfer] = await query<{ kind: string; status: string; to_token_account: string }>(
      "SELECT kind, status, to_token_account FROM settlement_transfers WHERE batch_id = $1 AND wallet_address = $2",
      [entries[0]?.batch, solver.wallet],
    );
    expect(transfer).toEqual({ kind: "payout", status: "confirmed", to_token_account: solverAccount });
    // The WalletDO was told: nothing unsettled any more.
    expect((await stub.balance()).unsettled).toBe(0n);
  });
});
