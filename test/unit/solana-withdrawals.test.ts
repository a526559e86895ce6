import { type Address, address, type Signature, type TokenBalance } from "@solana/kit";
import { describe, expect, it } from "vitest";
import type { LandedTransaction } from "../../workers/solana/landed.ts";
import { withdrawalOutcome } from "../../workers/solana/withdrawals.ts";

const USDC = address("6E4jkYXtaNx9k4Qrst2H1UxF4BZPSrzGT1jkVQjdfBM9");
const BUYER = address("9YksfDSpcAdRt98FnwrqjkCgrbf15B586KNpxT6uydTe");
const VAULT = address("53G84M2FqSZuspzEokpqErhPtriFzEeekzD6hP6ncthj");
const DESTINATION = address("7KV2A5tT2iL9YU3ZFzrgFCn7fH7haLX1mBU8KNp35FDp");
const KEYS: Address[] = [BUYER, VAULT, DESTINATION];
const BUYER_SIG = "buyer-signature" as Signature;
const COSIGNER_SIG = "cosigner-signature" as Signature;

function balance(account: Address, amount: bigint): TokenBalance {
  return {
    accountIndex: KEYS.indexOf(account),
    mint: USDC,
    uiTokenAmount: { amount: amount.toString() as never, decimals: 6, uiAmount: null, uiAmountString: "" as never },
  };
}

function withdrawal(amount: bigint, overrides: Partial<LandedTransaction> = {}): LandedTransaction {
  return {
    slot: 7n,
    err: null,
    accountKeys: KEYS,
    signatures: [BUYER_SIG, COSIGNER_SIG],
    // The destination did not exist before: created in the same transaction.
    preTokenBalances: [balance(VAULT, 10_000_000n)],
    postTokenBalances: [balance(VAULT, 10_000_000n - amount), balance(DESTINATION, amount)],
    ...overrides,
  };
}

const expected = { vault: VAULT, destination: DESTINATION, amount: 2_000_000n, cosignerSignature: COSIGNER_SIG };

describe("withdrawalOutcome", () => {
  it("is landed when the vault paid exactly the amount to the destination", () => {
    expect(withdrawalOutcome(withdrawal(2_000_000n), expected)).toEqual({ status: "landed", slot: 7n });
  });

  it("is a mismatch for any transaction the co-signer did not sign", () => {
    const other = withdrawal(2_000_000n, { signatures: [BUYER_SIG, "older-cosigner-signature" as Signature] });
    expect(withdrawalOutcome(other, expected)).toMatchObject({ status: "mismatch" });
  });

  it("is a mismatch when the amounts differ", () => {
    expect(withdrawalOutcome(withdrawal(1_000_000n), expected)).toMatchObject({ status: "mismatch" });
  });

  it("is failed when the co-signed transaction landed with an error", () => {
    const failed = withdrawal(0n, { err: { InstructionError: [1, { Custom: 1 }] } });
    expect(withdrawalOutcome(failed, expected)).toEqual({ status: "failed", slot: 7n });
  });
});
