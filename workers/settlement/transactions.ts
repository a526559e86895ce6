/**
 * The settlement transactions (DESIGN §5 step 4), built with @solana/kit. One transaction carries
 * transfers of one kind and a Memo `proxygate:<batch>:<tx>` as its first instruction:
 * - collection: `transferChecked` from each buyer's vault into the treasury, signed by the
 *   settlement key as the vaults' approved delegate (and fee payer);
 * - payout: per seller, create its USDC account if missing (idempotent) and `transferChecked`
 *   from the treasury, signed by the treasury owner; the settlement key pays fees and rent.
 */
import {
  type Address,
  appendTransactionMessageInstructions,
  type Base64EncodedWireTransaction,
  type Blockhash,
  compileTransaction,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  getTransactionEncoder,
  type Instruction,
  type KeyPairSigner,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { getAddMemoInstruction, LEGACY_MEMO_PROGRAM_ADDRESS_V3 } from "@solana-program/memo";
import {
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { USDC_DECIMALS } from "../solana/constants.ts";
import type { PackLimits } from "./plan.ts";

/** Solana's packet limit for one serialized transaction. */
export const MAX_TRANSACTION_BYTES = 1232;

/**
 * Measured by `test/unit/settlement-transactions.test.ts`, which compiles full transactions with a
 * 64-character batch id and asserts they fit (and that one more transfer would not).
 */
export const PACK_LIMITS: PackLimits = { collectionsPerTx: 18, payoutsPerTx: 7 };

/** The Memo v2 program (the one loaded locally and on every cluster). */
const MEMO_PROGRAM = LEGACY_MEMO_PROGRAM_ADDRESS_V3;

export function memoText(batchId: string, txIndex: number): string {
  return `proxygate:${batchId}:${txIndex}`;
}

export interface TransferLeg {
  from: Address;
  to: Address;
  /** Owner of `to` (payouts: needed to create the account if missing). */
  toOwner?: Address;
  amount: bigint;
}

export interface SettlementSigners {
  /** Vault delegate and fee payer. */
  settlement: KeyPairSigner;
  /** Owner of the treasury USDC account. */
  treasury: KeyPairSigner;
}

export interface BuiltTransaction {
  signature: Signature;
  wire: Base64EncodedWireTransaction;
  bytes: number;
}

/** The instructions of one settlement transaction; index 0 is the Memo. */
export function settlementInstructions(input: {
  kind: "collection" | "payout";
  batchId: string;
  txIndex: number;
  legs: readonly TransferLeg[];
  mint: Address;
  signers: SettlementSigners;
}): Instruction[] {
  const { signers, mint } = input;
  const out: Instruction[] = [
    getAddMemoInstruction({ memo: memoText(input.batchId, input.txIndex) }, { programAddress: MEMO_PROGRAM }),
  ];
  for (const leg of input.legs) {
    if (input.kind === "payout") {
      if (leg.toOwner === undefined) throw new Error("a payout needs the owner of its destination account");
      out.push(
        getCreateAssociatedTokenIdempotentInstruction({
          payer: signers.settlement,
          ata: leg.to,
          owner: leg.toOwner,
          mint,
          tokenProgram: TOKEN_PROGRAM_ADDRESS,
        }),
      );
    }
    out.push(
      getTransferCheckedInstruction({
        source: leg.from,
        mint,
        destination: leg.to,
        authority: input.kind === "collection" ? signers.settlement : signers.treasury,
        amount: leg.amount,
        decimals: USDC_DECIMALS,
      }),
    );
  }
  return out;
}

/**
 * Which transfer of the transaction an instruction index belongs to (for errors such as
 * `{"InstructionError":[i,{"Custom":1}]}`); null for the Memo.
 */
export function legOfInstruction(kind: "collection" | "payout", instruction: number): number | null {
  if (instruction < 1) return null;
  return kind === "collection" ? instruction - 1 : Math.floor((instruction - 1) / 2);
}

/** Compiles and signs; the signature (the transaction id) is known before anything is sent. */
export async function buildSettlementTransaction(input: {
  kind: "collection" | "payout";
  batchId: string;
  txIndex: number;
  legs: readonly TransferLeg[];
  mint: Address;
  signers: SettlementSigners;
  lifetime: { blockhash: Blockhash; lastValidBlockHeight: bigint };
}): Promise<BuiltTransaction> {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(input.signers.settlement, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(input.lifetime, m),
    (m) => appendTransactionMessageInstructions(settlementInstructions(input), m),
  );
  const bytes = getTransactionEncoder().encode(compileTransaction(message)).length;
  if (bytes > MAX_TRANSACTION_BYTES) {
    throw new Error(`settlement transaction of ${bytes} bytes exceeds ${MAX_TRANSACTION_BYTES}`);
  }
  const signed = await signTransactionMessageWithSigners(message);
  return { signature: getSignatureFromTransaction(signed), wire: getBase64EncodedWireTransaction(signed), bytes };
}
