/**
 * Transactions the gateway builds for a buyer to finish: the buyer pays the fee and signs last, the
 * platform signs first. The buyer's signature slot travels as zeros; any change the buyer makes to
 * the message invalidates the platform's signatures, so the buyer can only sign it or drop it.
 */
import {
  appendTransactionMessageInstructions,
  type Base64EncodedWireTransaction,
  type Blockhash,
  createTransactionMessage,
  type GetLatestBlockhashApi,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  type Instruction,
  type NoopSigner,
  partiallySignTransactionMessageWithSigners,
  pipe,
  type Rpc,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
} from "@solana/kit";

export interface BuyerTransaction {
  /** base64 wire transaction with the platform's signatures; the buyer's slot is empty (zeros). */
  transaction: Base64EncodedWireTransaction;
  blockhash: Blockhash;
  /** The transaction cannot land once the block height passes this. */
  lastValidBlockHeight: bigint;
  /** The platform's signatures, by signer address (base58). */
  platformSignatures: Record<string, Signature>;
}

/**
 * Compiles `instructions` with the buyer (a NoopSigner, the same object wherever the buyer signs)
 * as fee payer, on a fresh `confirmed` blockhash, and signs with every other signer they carry.
 */
export async function partiallySignForBuyer(input: {
  rpc: Rpc<GetLatestBlockhashApi>;
  buyer: NoopSigner;
  instructions: readonly Instruction[];
}): Promise<BuyerTransaction> {
  const { value: lifetime } = await input.rpc.getLatestBlockhash({ commitment: "confirmed" }).send();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(input.buyer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(input.instructions, m),
  );
  const signed = await partiallySignTransactionMessageWithSigners(message);
  const base58 = getBase58Decoder();
  const platformSignatures: Record<string, Signature> = {};
  for (const [signer, bytes] of Object.entries(signed.signatures)) {
    if (bytes) platformSignatures[signer] = base58.decode(bytes) as Signature;
  }
  return {
    transaction: getBase64EncodedWireTransaction(signed),
    blockhash: lifetime.blockhash,
    lastValidBlockHeight: lifetime.lastValidBlockHeight,
    platformSignatures,
  };
}
