import { type Blockhash, generateKeyPairSigner } from "@solana/kit";
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { describe, expect, it } from "vitest";
import { insufficientFundsInstruction } from "../../workers/settlement/execute.ts";
import {
  buildSettlementTransaction,
  legOfInstruction,
  MAX_TRANSACTION_BYTES,
  PACK_LIMITS,
  settlementInstructions,
  type TransferLeg,
} from "../../workers/settlement/transactions.ts";

const BATCH = "b".repeat(64);
const lifetime = { blockhash: "4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY" as Blockhash, lastValidBlockHeight: 150n };

async function legs(n: number, payout: boolean): Promise<TransferLeg[]> {
  const mint = (await generateKeyPairSigner()).address;
  return Promise.all(
    Array.from({ length: n }, async () => {
      const owner = (await generateKeyPairSigner()).address;
      const [to] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
      return {
        from: (await generateKeyPairSigner()).address,
        to,
        ...(payout ? { toOwner: owner } : {}),
        amount: 2n ** 63n,
      };
    }),
  );
}

describe("settlement transactions", () => {
  for (const kind of ["collection", "payout"] as const) {
    const limit = kind === "collection" ? PACK_LIMITS.collectionsPerTx : PACK_LIMITS.payoutsPerTx;
    it(`${kind}: ${limit} transfers fit ${MAX_TRANSACTION_BYTES} bytes, one more does not`, async () => {
      const signers = { settlement: await generateKeyPairSigner(), treasury: await generateKeyPairSigner() };
      const mint = (await generateKeyPairSigner()).address;
      const all = await legs(limit + 1, kind === "payout");
      // Payouts come from one treasury account; collections go to it.
      const treasury = (await generateKeyPairSigner()).address;
      const shaped = all.map((l) => (kind === "payout" ? { ...l, from: treasury } : { ...l, to: treasury }));
      const base = { kind, batchId: BATCH, txIndex: 99_999, mint, signers, lifetime };
      const full = await buildSettlementTransaction({ ...base, legs: shaped.slice(0, limit) });
      expect(full.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
      await expect(buildSettlementTransaction({ ...base, legs: shaped })).rejects.toThrow(/exceeds 1232/);
    });
  }

  it("puts the Memo first and maps instruction indexes back to transfers", async () => {
    const signers = { settlement: await generateKeyPairSigner(), treasury: await generateKeyPairSigner() };
    const mint = (await generateKeyPairSigner()).address;
    const ixs = settlementInstructions({
      kind: "payout",
      batchId: "x",
      txIndex: 3,
      legs: await legs(2, true),
      mint,
      signers,
    });
    expect(new TextDecoder().decode(ixs[0]?.data)).toBe("proxygate:x:3");
    expect(ixs).toHaveLength(5);
    expect([1, 2, 3, 4].map((i) => legOfInstruction("payout", i))).toEqual([0, 0, 1, 1]);
    expect([0, 1, 2].map((i) => legOfInstruction("collection", i))).toEqual([null, 0, 1]);
  });
});

describe("insufficientFundsInstruction", () => {
  it("finds SPL Token's custom error 1 (InsufficientFunds), as JSON numbers or kit's bigints", () => {
    expect(insufficientFundsInstruction({ InstructionError: [2, { Custom: 1 }] })).toBe(2);
    expect(insufficientFundsInstruction({ InstructionError: [3n, { Custom: 1n }] })).toBe(3);
  });
  it("ignores every other failure", () => {
    expect(insufficientFundsInstruction({ InstructionError: [2, { Custom: 4 }] })).toBeNull();
    expect(insufficientFundsInstruction({ InstructionError: [2, "MissingRequiredSignature"] })).toBeNull();
    expect(insufficientFundsInstruction("BlockhashNotFound")).toBeNull();
    expect(insufficientFundsInstruction(null)).toBeNull();
  });
});
