import type { Address, Signature } from "@solana/kit";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { withdrawals } from "../../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { dependency } from "../lib/dependency.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { loadPlatformKeys } from "../solana/keys.ts";
import { createRpc } from "../solana/rpc.ts";
import { buildWithdrawal, isExpired, verifyWithdrawal } from "../solana/withdrawals.ts";
import { WITHDRAWAL_COOLDOWN_MS } from "./interface.ts";
import { requireActiveVault } from "./vaults.ts";

/**
 * Starts a withdrawal: the WalletDO first checks `amount ≤ available` and starts the cooldown
 * that blocks new reservations; only then does the platform co-sign. Nothing is co-signed for a
 * refused withdrawal. If building fails after the cooldown started, the cooldown is ended.
 */
export async function startWithdrawal(env: Env, db: Db, wallet: string, amount: bigint) {
  const vault = await requireActiveVault(env, db, wallet);
  const id = crypto.randomUUID();
  const stub = walletStub(env, wallet);
  const started = await stub.startWithdrawal(id, amount, Date.now() + WITHDRAWAL_COOLDOWN_MS);
  if (!started.ok) {
    const available = `${started.available} micro-USDC available`;
    if (started.reason === "insufficient_credit") {
      throw new ApiError("insufficient_credit", `Cannot withdraw ${amount}: only ${available}.`);
    }
    if (started.reason === "cooldown") {
      throw new ApiError(
        "withdrawal_cooldown",
        "Another withdrawal is in flight; confirm it or wait for it to expire.",
      );
    }
    throw new ApiError("wallet_flagged", "This wallet is flagged; withdrawals are suspended.");
  }
  try {
    const keys = await loadPlatformKeys(env);
    const built = await dependency("The Solana RPC", () =>
      buildWithdrawal({
        rpc: createRpc(env),
        buyer: wallet as Address,
        vault: vault.vaultAddress as Address,
        multisig: vault.multisigAddress as Address,
        usdcMint: env.USDC_MINT as Address,
        cosigner: keys.cosigner,
        amount,
      }),
    );
    await db.insert(withdrawals).values({
      id,
      walletAddress: wallet,
      vaultAddress: vault.vaultAddress,
      amount,
      destination: built.destination,
      cosignerSignature: built.cosignerSignature,
      lastValidBlockHeight: Number(built.lastValidBlockHeight),
      status: "pending",
    });
    return { id, amount, built, cooldownUntil: started.cooldownUntil };
  } catch (err) {
    await stub.finishWithdrawal(id, { expired: true });
    throw err;
  }
}

/**
 * Confirms a withdrawal from the signature the buyer reports. Landed → the cooldown ends and the
 * balance follows the chain. Not landed and the blockhash expired → it can never land: the
 * cooldown ends and nothing moved. Otherwise: not yet, ask again.
 */
export async function confirmWithdrawal(env: Env, db: Db, wallet: string, id: string, signature: string) {
  const [row] = await db
    .select()
    .from(withdrawals)
    .where(and(eq(withdrawals.id, id), eq(withdrawals.walletAddress, wallet)));
  if (!row) throw new ApiError("not_found", `No withdrawal ${id} for this wallet.`);
  if (row.status === "confirmed") return row;
  if (row.status !== "pending") throw new ApiError("conflict", `This withdrawal is ${row.status}.`);
  const rpc = createRpc(env);
  const verdict = await dependency("The Solana RPC", () =>
    verifyWithdrawal({
      rpc,
      signature: signature as Signature,
      vault: row.vaultAddress as Address,
      destination: row.destination as Address,
      amount: row.amount,
      cosignerSignature: row.cosignerSignature as Signature,
    }),
  );
  const stub = walletStub(env, wallet);
  if (verdict.status === "mismatch") throw new ApiError("invalid_request", `Signature rejected: ${verdict.reason}.`);
  if (verdict.status === "landed") {
    const [updated] = await db
      .update(withdrawals)
      .set({ status: "confirmed", signature, confirmedSlot: Number(verdict.slot) })
      .where(eq(withdrawals.id, id))
      .returning();
    await stub.finishWithdrawal(id, { landedSlot: Number(verdict.slot) });
    // The vault balance changed: read it again rather than wait for the snapshot to age out.
    await stub.invalidate();
    return updated ?? row;
  }
  const expired = await dependency("The Solana RPC", () =>
    isExpired({ rpc, lastValidBlockHeight: BigInt(row.lastValidBlockHeight) }),
  );
  if (verdict.status === "failed" || expired) {
    const status = verdict.status === "failed" ? "failed" : "expired";
    const [updated] = await db
      .update(withdrawals)
      .set({ status, error: status === "failed" ? "the transaction failed on chain" : "the blockhash expired" })
      .where(eq(withdrawals.id, id))
      .returning();
    await stub.finishWithdrawal(id, { expired: true });
    return updated ?? row;
  }
  throw new ApiError("conflict", "The withdrawal has not landed yet; report it again in a few seconds.", {
    retryAfter: 2,
  });
}

export async function listWithdrawals(db: Db, wallet: string) {
  return db
    .select()
    .from(withdrawals)
    .where(eq(withdrawals.walletAddress, wallet))
    .orderBy(desc(withdrawals.createdAt))
    .limit(100);
}
