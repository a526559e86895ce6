/**
 * A landed transaction as the money checks need it — who signed, which token accounts moved and by
 * how much — read with `getTransaction` (jsonParsed). The summary and the balance arithmetic are
 * pure, so deposit and withdrawal verification can be tested without a chain.
 */
import type {
  Address,
  Commitment,
  GetSignatureStatusesApi,
  GetTransactionApi,
  Rpc,
  Signature,
  TokenBalance,
} from "@solana/kit";

export interface LandedTransaction {
  slot: bigint;
  /** The transaction error, `null` when every instruction succeeded. */
  err: unknown;
  /** All accounts in message order, lookup-table addresses included (jsonParsed lists them all). */
  accountKeys: readonly Address[];
  /** All signatures in message order; the first is the fee payer's, i.e. the transaction id. */
  signatures: readonly Signature[];
  preTokenBalances: readonly TokenBalance[];
  postTokenBalances: readonly TokenBalance[];
}

/** The change of one token account in one transaction. */
export interface TokenChange {
  account: Address;
  mint: Address;
  /** post − pre in base units; an account absent on one side (created or closed) counts as 0 there. */
  delta: bigint;
}

export type Lookup = { found: true; tx: LandedTransaction } | { found: false; status: "not_found" | "not_finalized" };

/**
 * Reads a transaction at `commitment`. When it is not visible there, tells apart a transaction the
 * cluster has seen at a lower commitment (`not_finalized`) from one it does not know (`not_found`).
 */
export async function fetchLandedTransaction(
  rpc: Rpc<GetTransactionApi & GetSignatureStatusesApi>,
  signature: Signature,
  commitment: Exclude<Commitment, "processed">,
): Promise<Lookup> {
  const tx = await rpc
    .getTransaction(signature, { encoding: "jsonParsed", commitment, maxSupportedTransactionVersion: 0 })
    .send();
  if (tx?.meta) {
    return {
      found: true,
      tx: {
        slot: tx.slot,
        err: tx.meta.err,
        accountKeys: tx.transaction.message.accountKeys.map((k) => k.pubkey),
        signatures: tx.transaction.signatures as readonly Signature[],
        preTokenBalances: tx.meta.preTokenBalances ?? [],
        postTokenBalances: tx.meta.postTokenBalances ?? [],
      },
    };
  }
  const { value } = await rpc.getSignatureStatuses([signature], { searchTransactionHistory: true }).send();
  return { found: false, status: value[0] ? "not_finalized" : "not_found" };
}

/** Every token account whose balance appears in the transaction's metadata, with its change. */
export function tokenChanges(tx: LandedTransaction): TokenChange[] {
  // Keyed by account and mint: an account closed and re-created for another mint is two changes.
  const changes = new Map<string, TokenChange>();
  for (const [sign, balances] of [
    [-1n, tx.preTokenBalances],
    [1n, tx.postTokenBalances],
  ] as const) {
    for (const balance of balances) {
      const account = tx.accountKeys[balance.accountIndex];
      if (account === undefined) continue;
      const key = `${account}:${balance.mint}`;
      const change = changes.get(key) ?? { account, mint: balance.mint, delta: 0n };
      change.delta += sign * BigInt(balance.uiTokenAmount.amount);
      changes.set(key, change);
    }
  }
  return [...changes.values()];
}
