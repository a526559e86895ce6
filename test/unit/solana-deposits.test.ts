import { type Address, address, type Signature, type TokenBalance } from "@solana/kit";
import { describe, expect, it } from "vitest";
import { depositOutcome } from "../../workers/solana/deposits.ts";
import { type LandedTransaction, tokenChanges } from "../../workers/solana/landed.ts";

const USDC = address("6E4jkYXtaNx9k4Qrst2H1UxF4BZPSrzGT1jkVQjdfBM9");
const OTHER_MINT = address("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");
const PAYER = address("9YksfDSpcAdRt98FnwrqjkCgrbf15B586KNpxT6uydTe");
const SOURCE = address("7KV2A5tT2iL9YU3ZFzrgFCn7fH7haLX1mBU8KNp35FDp");
const VAULT = address("53G84M2FqSZuspzEokpqErhPtriFzEeekzD6hP6ncthj");
const OTHER_VAULT = address("26SzqehoKUT5pTjyTtemq5JegNfBSeK67HtULBe81Gt7");
const KEYS: Address[] = [PAYER, SOURCE, VAULT, OTHER_VAULT];

function balance(account: Address, mint: Address, amount: bigint): TokenBalance {
  return {
    accountIndex: KEYS.indexOf(account),
    mint,
    uiTokenAmount: { amount: amount.toString() as never, decimals: 6, uiAmount: null, uiAmountString: "" as never },
  };
}

function tx(pre: TokenBalance[], post: TokenBalance[], err: unknown = null): LandedTransaction {
  return {
    slot: 42n,
    err,
    accountKeys: KEYS,
    signatures: ["sig" as Signature],
    preTokenBalances: pre,
    postTokenBalances: post,
  };
}

/** A plain USDC transfer SOURCE → `to`. */
function transfer(to: Address, amount: bigint, mint: Address = USDC, toBefore = 0n): LandedTransaction {
  return tx(
    [balance(SOURCE, mint, 10n ** 12n), balance(to, mint, toBefore)],
    [balance(SOURCE, mint, 10n ** 12n - amount), balance(to, mint, toBefore + amount)],
  );
}

describe("tokenChanges", () => {
  it("is post − pre per account; an account created in the transaction starts from 0", () => {
    const created = tx([balance(SOURCE, USDC, 100n)], [balance(SOURCE, USDC, 40n), balance(VAULT, USDC, 60n)]);
    expect(tokenChanges(created)).toEqual([
      { account: SOURCE, mint: USDC, delta: -60n },
      { account: VAULT, mint: USDC, delta: 60n },
    ]);
  });

  it("keeps bigint precision beyond 2^53", () => {
    const big = 2n ** 60n + 1n;
    expect(tokenChanges(transfer(VAULT, big)).find((c) => c.account === VAULT)?.delta).toBe(big);
  });
});

describe("depositOutcome", () => {
  it("credits exactly what the vault gained", () => {
    expect(depositOutcome(transfer(VAULT, 7_250_000n, USDC, 1_000n), VAULT, USDC)).toEqual({
      ok: true,
      amount: 7_250_000n,
      slot: 42n,
    });
  });

  it("refuses a failed transaction even if balances were reported", () => {
    const failed = { ...transfer(VAULT, 5n), err: { InstructionError: [0, { Custom: 1 }] } };
    expect(depositOutcome(failed, VAULT, USDC)).toMatchObject({ ok: false, reason: "failed" });
  });

  it("refuses a transfer into another vault", () => {
    expect(depositOutcome(transfer(OTHER_VAULT, 5n), VAULT, USDC)).toMatchObject({
      ok: false,
      reason: "not_into_vault",
    });
  });

  it("refuses a transfer of another mint", () => {
    expect(depositOutcome(transfer(OTHER_VAULT, 5n, OTHER_MINT), VAULT, USDC)).toMatchObject({
      ok: false,
      reason: "wrong_mint",
    });
    // A 'vault' that is not a USDC account at all.
    expect(depositOutcome(transfer(VAULT, 5n, OTHER_MINT), VAULT, USDC)).toMatchObject({
      ok: false,
      reason: "wrong_mint",
    });
  });

  it("refuses a transaction that touched the vault without raising it", () => {
    const outOf = tx(
      [balance(VAULT, USDC, 10n), balance(SOURCE, USDC, 0n)],
      [balance(VAULT, USDC, 4n), balance(SOURCE, USDC, 6n)],
    );
    expect(depositOutcome(outOf, VAULT, USDC)).toMatchObject({ ok: false, reason: "no_increase" });
    const unchanged = tx([balance(VAULT, USDC, 10n)], [balance(VAULT, USDC, 10n)]);
    expect(depositOutcome(unchanged, VAULT, USDC)).toMatchObject({ ok: false, reason: "no_increase" });
  });

  it("refuses a transaction that moved no tokens", () => {
    expect(depositOutcome(tx([], []), VAULT, USDC)).toMatchObject({ ok: false, reason: "not_into_vault" });
  });

  it("gives every refusal a message for the client", () => {
    const refusal = depositOutcome(transfer(OTHER_VAULT, 5n), VAULT, USDC);
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) expect(refusal.message).toContain(VAULT);
  });
});
