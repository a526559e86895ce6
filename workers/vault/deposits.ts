import type { Address, Signature } from "@solana/kit";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { deposits } from "../../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { dependency } from "../lib/dependency.ts";
import { createRedis } from "../lib/redis.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { verifyDeposit } from "../solana/deposits.ts";
import { createRpc } from "../solana/rpc.ts";
import { requireActiveVault } from "./vaults.ts";

const REPLAY_TTL_SECONDS = 24 * 60 * 60;

/**
 * Records a deposit the buyer reports by signature. The amount is read from chain (never taken
 * from the client). Replays are refused twice over: a Redis claim on the signature (24 h) taken
 * before any work, so concurrent reports of one signature cannot both proceed, and the unique
 * signature in Postgres, which is the durable guard. The balance itself always comes from the
 * vault's on-chain balance, so a deposit can never be credited twice.
 */
export async function recordDeposit(env: Env, db: Db, wallet: string, signature: string) {
  const vault = await requireActiveVault(env, db, wallet);
  const redis = createRedis(env);
  const claimKey = `deposit:sig:${signature}`;
  // Without Redis there is no replay claim: refuse (503) rather than record unguarded.
  const claimed = await dependency("Redis", () => redis.set(claimKey, wallet, { nx: true, ex: REPLAY_TTL_SECONDS }));
  if (claimed !== "OK") {
    const [known] = await db.select({ id: deposits.id }).from(deposits).where(eq(deposits.signature, signature));
    throw new ApiError(
      "conflict",
      known ? "This deposit was already recorded." : "This deposit is being recorded by another request.",
    );
  }
  let verdict: Awaited<ReturnType<typeof verifyDeposit>>;
  try {
    verdict = await dependency("The Solana RPC", () =>
      verifyDeposit({
        rpc: createRpc(env),
        signature: signature as Signature,
        vault: vault.vaultAddress as Address,
        usdcMint: env.USDC_MINT as Address,
      }),
    );
  } catch (err) {
    // Nothing was recorded: release the claim so the deposit can be reported again once the RPC is back.
    await redis.del(claimKey).catch(() => undefined);
    throw err;
  }
  if (!verdict.ok) {
    // Nothing was recorded: release the claim so the deposit can be reported again later.
    await redis.del(claimKey);
    if (verdict.reason === "not_finalized") throw new ApiError("conflict", verdict.message, { retryAfter: 5 });
    if (verdict.reason === "not_found") throw new ApiError("not_found", verdict.message);
    throw new ApiError("invalid_request", verdict.message);
  }
  const inserted = await db
    .insert(deposits)
    .values({
      signature,
      walletAddress: wallet,
      vaultAddress: vault.vaultAddress,
      amount: verdict.amount,
      slot: Number(verdict.slot),
      status: "confirmed",
    })
    .onConflictDoNothing({ target: deposits.signature })
    .returning({ id: deposits.id, createdAt: deposits.createdAt });
  const row = inserted[0];
  if (!row) throw new ApiError("conflict", "This deposit was already recorded.");
  await walletStub(env, wallet).invalidate();
  return {
    id: row.id,
    signature,
    amount: verdict.amount,
    slot: Number(verdict.slot),
    vault: vault.vaultAddress,
    createdAt: row.createdAt,
  };
}

export async function listDeposits(db: Db, wallet: string) {
  return db.select().from(deposits).where(eq(deposits.walletAddress, wallet)).orderBy(deposits.createdAt);
}
