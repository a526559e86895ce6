import { address } from "@solana/kit";
import {
  AccountState,
  getMintEncoder,
  getMultisigEncoder,
  getTokenEncoder,
  TOKEN_PROGRAM_ADDRESS,
  type TokenArgs,
} from "@solana-program/token";
import { describe, expect, it } from "vitest";
import { UNLIMITED_ALLOWANCE } from "../../workers/solana/constants.ts";
import { judgeVault, type RawAccount, type VaultExpectation } from "../../workers/solana/vault-state.ts";

const SYSTEM_PROGRAM = address("11111111111111111111111111111111");
const expected: VaultExpectation = {
  vault: address("53G84M2FqSZuspzEokpqErhPtriFzEeekzD6hP6ncthj"),
  multisig: address("26SzqehoKUT5pTjyTtemq5JegNfBSeK67HtULBe81Gt7"),
  buyer: address("Cvwq1YMFDugn96X2gRNApMyXBdwyoyJWMzn5VMPgrjEb"),
  usdcMint: address("6E4jkYXtaNx9k4Qrst2H1UxF4BZPSrzGT1jkVQjdfBM9"),
  cosigner: address("9YksfDSpcAdRt98FnwrqjkCgrbf15B586KNpxT6uydTe"),
  settlement: address("7KV2A5tT2iL9YU3ZFzrgFCn7fH7haLX1mBU8KNp35FDp"),
};
const STRANGER = address("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");

function tokenAccount(overrides: Partial<TokenArgs> = {}): RawAccount {
  return {
    programAddress: TOKEN_PROGRAM_ADDRESS,
    data: getTokenEncoder().encode({
      mint: expected.usdcMint,
      owner: expected.multisig,
      amount: 5_000_000n,
      delegate: expected.settlement,
      state: AccountState.Initialized,
      isNative: null,
      delegatedAmount: UNLIMITED_ALLOWANCE,
      closeAuthority: null,
      ...overrides,
    }),
  };
}

function multisigAccount(m: number, signers: string[]): RawAccount {
  const padded = [...signers, ...Array(11 - signers.length).fill(SYSTEM_PROGRAM)].map((s) => address(s));
  return {
    programAddress: TOKEN_PROGRAM_ADDRESS,
    data: getMultisigEncoder().encode({ m, n: signers.length, isInitialized: true, signers: padded }),
  };
}

const goodMultisig = multisigAccount(2, [expected.buyer, expected.cosigner]);

function problems(vault: RawAccount | null, multisig: RawAccount | null) {
  const state = judgeVault(vault, multisig, expected, 9n);
  return state.status === "unsafe" ? state.problems : state.status;
}

describe("judgeVault", () => {
  it("accepts the shape the gateway builds, and reports its balance and allowance", () => {
    expect(judgeVault(tokenAccount(), goodMultisig, expected, 9n)).toEqual({
      status: "ok",
      vault: expected.vault,
      multisig: expected.multisig,
      mint: expected.usdcMint,
      amount: 5_000_000n,
      delegate: expected.settlement,
      delegatedAmount: UNLIMITED_ALLOWANCE,
      slot: 9n,
    });
    // Signer order does not matter to SPL Token.
    expect(problems(tokenAccount(), multisigAccount(2, [expected.cosigner, expected.buyer]))).toBe("ok");
  });

  it("reports a vault that does not exist (yet)", () => {
    expect(judgeVault(null, null, expected, 9n)).toEqual({ status: "missing", slot: 9n });
  });

  it("refuses accounts that are not SPL token accounts", () => {
    expect(problems({ ...tokenAccount(), programAddress: SYSTEM_PROGRAM }, goodMultisig)).toEqual([
      "not_token_account",
    ]);
    const mint = getMintEncoder().encode({
      mintAuthority: null,
      supply: 0n,
      decimals: 6,
      isInitialized: true,
      freezeAuthority: null,
    });
    expect(problems({ programAddress: TOKEN_PROGRAM_ADDRESS, data: mint }, goodMultisig)).toEqual([
      "not_token_account",
    ]);
  });

  it.each([
    ["wrong_mint", { mint: STRANGER }],
    ["not_initialized", { state: AccountState.Frozen }],
    ["close_authority_set", { closeAuthority: STRANGER }],
    ["owner_not_multisig", { owner: expected.buyer }],
    ["wrong_delegate", { delegate: STRANGER }],
    ["wrong_delegate", { delegate: null, delegatedAmount: 0n }],
    ["allowance_too_low", { delegatedAmount: 4_999_999n }],
  ] as const)("names %s", (problem, overrides) => {
    expect(problems(tokenAccount(overrides), goodMultisig)).toEqual([problem]);
  });

  it("refuses multisigs that are not 2-of-2 [buyer, co-signer]", () => {
    expect(problems(tokenAccount(), null)).toEqual(["multisig_missing"]);
    expect(problems(tokenAccount(), multisigAccount(1, [expected.buyer, expected.cosigner]))).toEqual([
      "multisig_not_2_of_2",
    ]);
    expect(problems(tokenAccount(), multisigAccount(2, [expected.buyer, STRANGER]))).toEqual([
      "multisig_wrong_signers",
    ]);
    expect(problems(tokenAccount(), multisigAccount(2, [expected.buyer, expected.buyer]))).toEqual([
      "multisig_wrong_signers",
    ]);
    expect(problems(tokenAccount(), multisigAccount(2, [expected.buyer, expected.cosigner, STRANGER]))).toEqual([
      "multisig_not_2_of_2",
      "multisig_wrong_signers",
    ]);
  });

  it("names every problem at once", () => {
    expect(problems(tokenAccount({ owner: expected.buyer, delegate: null }), null)).toEqual([
      "owner_not_multisig",
      "multisig_missing",
      "wrong_delegate",
    ]);
  });
});
