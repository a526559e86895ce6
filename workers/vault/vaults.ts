import type { Address } from "@solana/kit";
import { and, eq, ne } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type VaultAccount, vaultAccounts } from "../../db/schema.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { loadPlatformKeys } from "../solana/keys.ts";
import { createRpc } from "../solana/rpc.ts";
import { buildVaultCreation } from "../solana/vault.ts";
import { readVault, type VaultState } from "../solana/vault-state.ts";

/** The wallet's live (pending or active) vault row, if any. */
export async function liveVault(db: Db, wallet: string): Promise<VaultAccount | undefined> {
  const [row] = await db
    .select()
    .from(vaultAccounts)
    .where(and(eq(vaultAccounts.walletAddress, wallet), ne(vaultAccounts.status, "closed")));
  return row;
}

/**
 * Builds the vault-creation transaction for `wallet` (platform-signed; the buyer signs and sends)
 * and records the vault as pending. A pending vault that never reached the chain is replaced, so
 * a lost or expired creation transaction can simply be asked for again.
 */
export async function openVault(env: Env, db: Db, wallet: string) {
  const existing = await liveVault(db, wallet);
  if (existing?.status === "active") {
    throw new ApiError("conflict", `This wallet already has a vault: ${existing.vaultAddress}`);
  }
  const keys = await loadPlatformKeys(env);
  const rpc = createRpc(env);
  if (existing) {
    const state = await inspect(env, existing);
    if (state.status !== "missing") {
      throw new ApiError(
        "conflict",
        `The vault ${existing.vaultAddress} is already on chain; GET /v1/vault activates it.`,
      );
    }
  }
  const created = await buildVaultCreation({
    rpc,
    buyer: wallet as Address,
    usdcMint: env.USDC_MINT as Address,
    cosigner: keys.cosigner,
    settlement: keys.settlement.address,
  });
  const row = {
    vaultAddress: created.vault,
    multisigAddress: created.multisig,
    mint: env.USDC_MINT,
    coSigner: keys.cosigner.address,
    delegate: keys.settlement.address,
  };
  if (existing) {
    await db.update(vaultAccounts).set(row).where(eq(vaultAccounts.id, existing.id));
  } else {
    await db.insert(vaultAccounts).values({ ...row, walletAddress: wallet, status: "pending" });
  }
  return created;
}

/** Reads the vault's on-chain state and judges its shape against what the gateway expects. */
export async function inspect(env: Env, row: VaultAccount): Promise<VaultState> {
  return readVault({
    rpc: createRpc(env),
    vault: row.vaultAddress as Address,
    multisig: row.multisigAddress as Address,
    buyer: row.walletAddress as Address,
    usdcMint: row.mint as Address,
    cosigner: row.coSigner as Address,
    settlement: row.delegate as Address,
  });
}

/**
 * The wallet's vault with its on-chain state. A pending vault whose creation landed in the safe
 * shape (2-of-2 multisig owner, settlement delegate) is activated here, and its WalletDO learns
 * the address so its balance follows the chain.
 */
export async function describeVault(env: Env, db: Db, wallet: string) {
  const row = await liveVault(db, wallet);
  if (!row) throw new ApiError("not_found", "This wallet has no vault yet: POST /v1/vault creates one.");
  const state = await inspect(env, row);
  let status = row.status;
  if (row.status === "pending" && state.status === "ok") {
    await db
      .update(vaultAccounts)
      .set({ status: "active", activatedAt: new Date() })
      .where(eq(vaultAccounts.id, row.id));
    status = "active";
  }
  if (status === "active") await walletStub(env, wallet).setVault(wallet, row.vaultAddress);
  return { row: { ...row, status }, state };
}

/** The wallet's active vault, activating a pending one that has landed; otherwise a clear 409. */
export async function requireActiveVault(env: Env, db: Db, wallet: string): Promise<VaultAccount> {
  const row = await liveVault(db, wallet);
  if (!row) throw new ApiError("conflict", "This wallet has no vault yet: POST /v1/vault creates one.");
  if (row.status === "active") return row;
  const { row: described } = await describeVault(env, db, wallet);
  if (described.status !== "active") {
    throw new ApiError("conflict", "The vault is not on chain yet: sign and send the transaction from POST /v1/vault.");
  }
  return described;
}
