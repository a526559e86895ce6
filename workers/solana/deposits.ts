/**
 * Deposit verification: a deposit is any finalized transaction that raised the USDC balance of the
 * buyer's vault (a plain transfer, an exchange withdrawal, anything). The credited amount is the
 * vault's post − pre token balance in that transaction, never a number the client sends.
 */
import type { Address, GetSignatureStatusesApi, GetTransactionApi, Rpc, Signature } from "@solana/kit";
import { fetchLandedTransaction, type LandedTransaction, tokenChanges } from "./landed.ts";

export type DepositRefusal = "not_found" | "not_finalized" | "failed" | "wrong_mint" | "not_into_vault" | "no_increase";

export type DepositVerification =
  | { ok: true; amount: bigint; slot: bigint }
  | { ok: false; reason: DepositRefusal; message: string };

/** The verdict on a landed transaction (pure). */
export function depositOutcome(tx: LandedTransaction, vault: Address, usdcMint: Address): DepositVerification {
  if (tx.err !== null) return refuse("failed", "The transaction failed on chain; nothing was transferred.");
  const changes = tokenChanges(tx);
  const vaultChanges = changes.filter((c) => c.account === vault);
  const usdc = vaultChanges.find((c) => c.mint === usdcMint);
  if (usdc) {
    if (usdc.delta > 0n) return { ok: true, amount: usdc.delta, slot: tx.slot };
    return refuse("no_increase", "The transaction did not increase the vault's USDC balance.");
  }
  if (vaultChanges.length > 0) return refuse("wrong_mint", "The vault in this transaction does not hold USDC.");
  const increases = changes.filter((c) => c.delta > 0n);
  if (increases.length > 0 && increases.every((c) => c.mint !== usdcMint)) {
    return refuse("wrong_mint", "The transaction moved another token, not USDC.");
  }
  return refuse("not_into_vault", `The transaction did not transfer USDC into this wallet's vault ${vault}.`);
}

/**
 * Verifies a reported deposit on chain at `finalized` commitment.
 *
 * @example
 * const result = await verifyDeposit({ rpc, signature, vault: row.vaultAddress, usdcMint: env.USDC_MINT });
 * if (result.ok) credit(result.amount, result.slot); else refuse(result.reason, result.message);
 */
export async function verifyDeposit(input: {
  rpc: Rpc<GetTransactionApi & GetSignatureStatusesApi>;
  signature: Signature;
  vault: Address;
  usdcMint: Address;
}): Promise<DepositVerification> {
  const lookup = await fetchLandedTransaction(input.rpc, input.signature, "finalized");
  if (lookup.found) return depositOutcome(lookup.tx, input.vault, input.usdcMint);
  return lookup.status === "not_finalized"
    ? refuse("not_finalized", "The transaction is not finalized yet; report it again in a few seconds.")
    : refuse("not_found", "No transaction with this signature was found on chain.");
}

function refuse(reason: DepositRefusal, message: string): DepositVerification {
  return { ok: false, reason, message };
}
