import type { Address } from "@solana/kit";
import type { LiteSVM } from "litesvm";
import { decodeTokenProgramAccount, type UiTokenAmount, uiTokenAmount } from "./token-layout.ts";

/** An entry of `meta.preTokenBalances` / `meta.postTokenBalances`. */
export interface TokenBalance {
  accountIndex: number;
  mint: Address;
  owner: Address;
  programId: Address;
  uiTokenAmount: UiTokenAmount;
}

/**
 * Token balances of the transaction's accounts at this moment. LiteSVM does not record them, so the
 * chain calls this right before and right after executing a transaction, as a validator would.
 */
export function snapshotTokenBalances(svm: LiteSVM, accountKeys: readonly Address[]): TokenBalance[] {
  const balances: TokenBalance[] = [];
  const decimalsByMint = new Map<Address, number | undefined>();
  accountKeys.forEach((key, accountIndex) => {
    const account = svm.getAccount(key);
    if (!account.exists) return;
    const decoded = decodeTokenProgramAccount(account.programAddress, account.data);
    if (decoded?.kind !== "account") return;
    const decimals = mintDecimals(svm, decoded.token.mint, decimalsByMint);
    if (decimals === undefined) return;
    balances.push({
      accountIndex,
      mint: decoded.token.mint,
      owner: decoded.token.owner,
      programId: account.programAddress,
      uiTokenAmount: uiTokenAmount(decoded.token.amount, decimals),
    });
  });
  return balances;
}

/** Lamports of each account (0 when it does not exist), for `meta.preBalances` / `postBalances`. */
export function snapshotLamports(svm: LiteSVM, accountKeys: readonly Address[]): bigint[] {
  return accountKeys.map((key) => svm.getBalance(key) ?? 0n);
}

export function mintDecimals(
  svm: LiteSVM,
  mint: Address,
  cache: Map<Address, number | undefined> = new Map(),
): number | undefined {
  if (cache.has(mint)) return cache.get(mint);
  const account = svm.getAccount(mint);
  const decoded = account.exists ? decodeTokenProgramAccount(account.programAddress, account.data) : undefined;
  const decimals = decoded?.kind === "mint" ? decoded.mint.decimals : undefined;
  cache.set(mint, decimals);
  return decimals;
}
