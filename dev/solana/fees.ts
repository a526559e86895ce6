import type { Address } from "@solana/kit";
import { COMPUTE_BUDGET_PROGRAM, LAMPORTS_PER_SIGNATURE } from "./constants.ts";
import type { CompiledIx } from "./decoded-transaction.ts";

const SET_COMPUTE_UNIT_LIMIT = 2;
const SET_COMPUTE_UNIT_PRICE = 3;
const DEFAULT_UNITS_PER_INSTRUCTION = 200_000n;
const MAX_COMPUTE_UNITS = 1_400_000n;

/**
 * The fee LiteSVM charges: 5000 lamports per signature plus the priority fee
 * (compute-unit price in micro-lamports × compute-unit limit, rounded up).
 * LiteSVM does not report the fee, so it is computed from the message.
 */
export function transactionFee(
  numSignatures: number,
  accountKeys: readonly Address[],
  instructions: readonly CompiledIx[],
): bigint {
  let price = 0n;
  let limit: bigint | undefined;
  let otherInstructions = 0n;
  for (const ix of instructions) {
    if (accountKeys[ix.programIdIndex] !== COMPUTE_BUDGET_PROGRAM) {
      otherInstructions += 1n;
      continue;
    }
    const view = new DataView(ix.data.buffer, ix.data.byteOffset, ix.data.byteLength);
    if (ix.data[0] === SET_COMPUTE_UNIT_PRICE && ix.data.length >= 9) price = view.getBigUint64(1, true);
    if (ix.data[0] === SET_COMPUTE_UNIT_LIMIT && ix.data.length >= 5) limit = BigInt(view.getUint32(1, true));
  }
  const units = limit ?? min(MAX_COMPUTE_UNITS, DEFAULT_UNITS_PER_INSTRUCTION * otherInstructions);
  const priority = (price * units + 999_999n) / 1_000_000n;
  return BigInt(numSignatures) * LAMPORTS_PER_SIGNATURE + priority;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
