/**
 * Withdrawals (DESIGN §4): vault → the buyer's own USDC account, signed by the vault's multisig with
 * both signers. The gateway co-signs only what it built (after its `amount ≤ available` check and
 * the cooldown); the buyer pays the fee, signs last and sends. The transaction id is the buyer's
 * (fee payer's) signature, known only once the buyer signs, so the buyer reports it and
 * `verifyWithdrawal` checks what actually landed.
 */
import {
  type Address,
  createNoopSigner,
  type GetBlockHeightApi,
  type GetLatestBlockhashApi,
  type GetSignatureStatusesApi,
  type GetTransactionApi,
  type Rpc,
  type Signature,
  type TransactionSigner,
} from "@solana/kit";
import { getCreateAssociatedTokenIdempotentInstruction, getTransferCheckedInstruction } from "@solana-program/token";
import { USDC_DECIMALS } from "./constants.ts";
import { fetchLandedTransaction, type LandedTransaction, tokenChanges } from "./landed.ts";
import { type BuyerTransaction, partiallySignForBuyer } from "./transactions.ts";
import { usdcAccountOf } from "./vault.ts";

export interface WithdrawalTransaction extends BuyerTransaction {
  /** The buyer's USDC associated token account the funds go to (created by the transaction if missing). */
  destination: Address;
  /** The co-signer's signature: it covers the whole message, so it identifies this exact transaction. */
  cosignerSignature: Signature;
}

/**
 * Builds the withdrawal transaction, co-signed by the platform, for the buyer to sign and send.
 * Call it only after the WalletDO accepted the withdrawal (amount ≤ available, cooldown started).
 *
 * @example
 * const built = await buildWithdrawal({ rpc, buyer: wallet, vault, multisig, usdcMint: env.USDC_MINT,
 *   cosigner: keys.cosigner, amount: 2_500_000n });
 * // store built.destination, built.lastValidBlockHeight (cooldown end), built.cosignerSignature
 */
export async function buildWithdrawal(input: {
  rpc: Rpc<GetLatestBlockhashApi>;
  buyer: Address;
  vault: Address;
  multisig: Address;
  usdcMint: Address;
  cosigner: TransactionSigner;
  amount: bigint;
}): Promise<WithdrawalTransaction> {
  const { rpc, vault, multisig, usdcMint, cosigner, amount } = input;
  if (amount <= 0n) throw new RangeError("withdrawal amount must be positive");
  const buyer = createNoopSigner(input.buyer);
  const destination = await usdcAccountOf(buyer.address, usdcMint);
  const signed = await partiallySignForBuyer({
    rpc,
    buyer,
    instructions: [
      getCreateAssociatedTokenIdempotentInstruction({
        payer: buyer,
        ata: destination,
        owner: buyer.address,
        mint: usdcMint,
      }),
      getTransferCheckedInstruction({
        source: vault,
        mint: usdcMint,
        destination,
        authority: multisig,
        amount,
        decimals: USDC_DECIMALS,
        multiSigners: [buyer, cosigner],
      }),
    ],
  });
  const cosignerSignature = signed.platformSignatures[cosigner.address];
  if (!cosignerSignature) throw new Error("the co-signer did not sign the withdrawal");
  return { ...signed, destination, cosignerSignature };
}

export type WithdrawalVerification =
  | { status: "landed"; slot: bigint }
  /** Not visible (yet) at `confirmed`: ask again, or give up once `isExpired`. */
  | { status: "not_landed" }
  /** It landed but failed: no funds moved, and this transaction can never succeed. */
  | { status: "failed"; slot: bigint }
  /** It landed, but it is not this withdrawal. */
  | { status: "mismatch"; reason: string };

export interface WithdrawalExpectation {
  vault: Address;
  destination: Address;
  amount: bigint;
  /**
   * From `buildWithdrawal`: the landed transaction must carry it, proof that it is the very
   * transaction built for this withdrawal (not an older one, nor any other the buyer reports).
   */
  cosignerSignature: Signature;
}

/** The verdict on a landed transaction (pure). */
export function withdrawalOutcome(tx: LandedTransaction, expected: WithdrawalExpectation): WithdrawalVerification {
  if (!tx.signatures.includes(expected.cosignerSignature)) {
    return { status: "mismatch", reason: "not the transaction the gateway co-signed" };
  }
  if (tx.err !== null) return { status: "failed", slot: tx.slot };
  const changes = tokenChanges(tx);
  const moved = (account: Address) => changes.filter((c) => c.account === account).reduce((s, c) => s + c.delta, 0n);
  if (moved(expected.vault) !== -expected.amount) {
    return { status: "mismatch", reason: "the vault did not pay out exactly the withdrawal amount" };
  }
  if (moved(expected.destination) !== expected.amount) {
    return { status: "mismatch", reason: "the destination did not receive exactly the withdrawal amount" };
  }
  return { status: "landed", slot: tx.slot };
}

/**
 * Checks the signature the buyer reports, at `confirmed` commitment: a withdrawal seen early only
 * ends the cooldown early, and the balance it leaves is lower, so erring early is safe.
 */
export async function verifyWithdrawal(
  input: WithdrawalExpectation & { rpc: Rpc<GetTransactionApi & GetSignatureStatusesApi>; signature: Signature },
): Promise<WithdrawalVerification> {
  const lookup = await fetchLandedTransaction(input.rpc, input.signature, "confirmed");
  return lookup.found ? withdrawalOutcome(lookup.tx, input) : { status: "not_landed" };
}

/**
 * True once no transaction with this `lastValidBlockHeight` can land any more. Measured against the
 * `finalized` block height, which lags: the cooldown may last a few seconds longer, never shorter.
 */
export async function isExpired(input: {
  rpc: Rpc<GetBlockHeightApi>;
  lastValidBlockHeight: bigint;
}): Promise<boolean> {
  const height = await input.rpc.getBlockHeight({ commitment: "finalized" }).send();
  return height > input.lastValidBlockHeight;
}
