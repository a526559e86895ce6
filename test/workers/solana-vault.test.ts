/**
 * The vault lifecycle on the engines' LiteSVM chain, from inside workerd, as a buyer would live it:
 * the gateway builds and co-signs, the buyer signs last and sends. Also what the buyer must NOT be
 * able to do alone, and what the settlement delegate must be able to do alone.
 */
import { env } from "cloudflare:test";
import {
  type Address,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  type Instruction,
  isSolanaError,
  type KeyPairSigner,
  pipe,
  type Signature,
  SOLANA_ERROR__INSTRUCTION_ERROR__MISSING_REQUIRED_SIGNATURE,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransaction,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  findAssociatedTokenPda,
  getApproveCheckedInstruction,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMint2Instruction,
  getMintSize,
  getMintToCheckedInstruction,
  getRevokeInstruction,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { beforeAll, describe, expect, it } from "vitest";
import { UNLIMITED_ALLOWANCE } from "../../workers/solana/constants.ts";
import { verifyDeposit } from "../../workers/solana/deposits.ts";
import { loadPlatformKeys, type PlatformKeys } from "../../workers/solana/keys.ts";
import { buildVaultCreation, usdcAccountOf, type VaultCreation } from "../../workers/solana/vault.ts";
import { readVault } from "../../workers/solana/vault-state.ts";
import { buildWithdrawal, isExpired, verifyWithdrawal } from "../../workers/solana/withdrawals.ts";
import { faucet, rpc, signAndSend, tokenBalance, usdcMint } from "./chain-helpers.ts";

const DECIMALS = 6;

let keys: PlatformKeys;

beforeAll(async () => {
  keys = await loadPlatformKeys(env);
});

/** A transaction the signer builds and signs entirely on its own. */
async function sendAlone(
  payer: KeyPairSigner,
  instructions: Instruction[],
  options: { skipPreflight?: boolean } = {},
): Promise<Signature> {
  const { value: lifetime } = await rpc.getLatestBlockhash().send();
  const signed = await signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
      (m) => appendTransactionMessageInstructions(instructions, m),
    ),
  );
  await rpc
    .sendTransaction(getBase64EncodedWireTransaction(signed), {
      encoding: "base64",
      skipPreflight: options.skipPreflight ?? false,
    })
    .send();
  return getSignatureFromTransaction(signed);
}

async function preflightError(send: () => Promise<unknown>): Promise<unknown> {
  try {
    await send();
  } catch (err) {
    return err;
  }
  throw new Error("the transaction was accepted");
}

/** A buyer with SOL and an open, verified vault. */
async function openVault(): Promise<{ buyer: KeyPairSigner; created: VaultCreation }> {
  const buyer = await generateKeyPairSigner();
  await faucet(buyer.address, { sol: 2_000_000_000 });
  const created = await buildVaultCreation({
    rpc,
    buyer: buyer.address,
    usdcMint,
    cosigner: keys.cosigner,
    settlement: keys.settlement.address,
  });
  await signAndSend(created.transaction, buyer);
  return { buyer, created };
}

function expectation(buyer: KeyPairSigner, created: VaultCreation) {
  return {
    vault: created.vault,
    multisig: created.multisig,
    buyer: buyer.address,
    usdcMint,
    cosigner: keys.cosigner.address,
    settlement: keys.settlement.address,
  };
}

describe("platform keys", () => {
  it("come from the env secrets, one distinct key per role", () => {
    const addresses = new Set([keys.cosigner, keys.settlement, keys.treasury, keys.receipt].map((k) => k.address));
    expect(addresses.size).toBe(4);
  });
});

describe("a buyer's vault, end to end", () => {
  let buyer: KeyPairSigner;
  let created: VaultCreation;
  let buyerUsdc: Address;
  let depositSignature: Signature;

  it("is created by one transaction the gateway signs first and the buyer signs last", async () => {
    buyer = await generateKeyPairSigner();
    await faucet(buyer.address, { sol: 2_000_000_000 });
    created = await buildVaultCreation({
      rpc,
      buyer: buyer.address,
      usdcMint,
      cosigner: keys.cosigner,
      settlement: keys.settlement.address,
    });
    expect(created.vault).toBe(await usdcAccountOf(created.multisig, usdcMint));
    expect(Object.keys(created.platformSignatures).sort()).toEqual([created.multisig, keys.cosigner.address].sort());

    // Before the buyer sends it, nothing exists.
    expect(await readVault({ rpc, ...expectation(buyer, created) })).toMatchObject({ status: "missing" });
    await signAndSend(created.transaction, buyer);
  });

  it("has the safe shape on chain: 2-of-2 [buyer, co-signer], settlement key as unlimited delegate", async () => {
    const state = await readVault({ rpc, ...expectation(buyer, created) });
    expect(state).toMatchObject({
      status: "ok",
      vault: created.vault,
      multisig: created.multisig,
      mint: usdcMint,
      amount: 0n,
      delegate: keys.settlement.address,
      delegatedAmount: UNLIMITED_ALLOWANCE,
    });
    const multisig = await rpc.getAccountInfo(created.multisig, { encoding: "jsonParsed" }).send();
    expect(multisig.value?.data).toMatchObject({
      parsed: {
        type: "multisig",
        info: { numRequiredSigners: 2, numValidSigners: 2, signers: [buyer.address, keys.cosigner.address] },
      },
    });
  });

  it("credits a deposit by exactly the amount the vault gained", async () => {
    await faucet(buyer.address, { usdc: 10_000_000 });
    buyerUsdc = await usdcAccountOf(buyer.address, usdcMint);
    depositSignature = await sendAlone(buyer, [
      getTransferCheckedInstruction({
        source: buyerUsdc,
        mint: usdcMint,
        destination: created.vault,
        authority: buyer,
        amount: 7_250_000n,
        decimals: DECIMALS,
      }),
    ]);
    const verified = await verifyDeposit({ rpc, signature: depositSignature, vault: created.vault, usdcMint });
    expect(verified).toEqual({ ok: true, amount: 7_250_000n, slot: expect.any(BigInt) });
    expect(await readVault({ rpc, ...expectation(buyer, created) })).toMatchObject({
      status: "ok",
      amount: 7_250_000n,
    });
  });

  it("refuses that deposit when it is reported against another wallet's vault", async () => {
    const other = await openVault();
    const verified = await verifyDeposit({ rpc, signature: depositSignature, vault: other.created.vault, usdcMint });
    expect(verified).toMatchObject({ ok: false, reason: "not_into_vault" });
  });

  it("refuses a signature the chain does not know", async () => {
    const unknown = getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(64))) as Signature;
    expect(await verifyDeposit({ rpc, signature: unknown, vault: created.vault, usdcMint })).toMatchObject({
      ok: false,
      reason: "not_found",
    });
  });

  it("refuses a transfer that failed on chain", async () => {
    const failed = await sendAlone(
      buyer,
      [
        getTransferCheckedInstruction({
          source: buyerUsdc,
          mint: usdcMint,
          destination: created.vault,
          authority: buyer,
          amount: 1_000_000_000n, // more than the buyer holds: SPL Token custom error 1
          decimals: DECIMALS,
        }),
      ],
      { skipPreflight: true },
    );
    expect(await verifyDeposit({ rpc, signature: failed, vault: created.vault, usdcMint })).toMatchObject({
      ok: false,
      reason: "failed",
    });
  });

  it("refuses a deposit of another mint", async () => {
    // A token anyone can mint, sent to the multisig's account for that token.
    const fakeMint = await generateKeyPairSigner();
    const rent = await rpc.getMinimumBalanceForRentExemption(BigInt(getMintSize())).send();
    const [buyerFake] = await findAssociatedTokenPda({
      owner: buyer.address,
      mint: fakeMint.address,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
    });
    const [multisigFake] = await findAssociatedTokenPda({
      owner: created.multisig,
      mint: fakeMint.address,
      tokenProgram: TOKEN_PROGRAM_ADDRESS,
    });
    await sendAlone(buyer, [
      getCreateAccountInstruction({
        payer: buyer,
        newAccount: fakeMint,
        lamports: rent,
        space: getMintSize(),
        programAddress: TOKEN_PROGRAM_ADDRESS,
      }),
      getInitializeMint2Instruction({ mint: fakeMint.address, decimals: DECIMALS, mintAuthority: buyer.address }),
      getCreateAssociatedTokenIdempotentInstruction({
        payer: buyer,
        ata: buyerFake,
        owner: buyer.address,
        mint: fakeMint.address,
      }),
      getCreateAssociatedTokenIdempotentInstruction({
        payer: buyer,
        ata: multisigFake,
        owner: created.multisig,
        mint: fakeMint.address,
      }),
      getMintToCheckedInstruction({
        mint: fakeMint.address,
        token: buyerFake,
        mintAuthority: buyer,
        amount: 50_000_000n,
        decimals: DECIMALS,
      }),
    ]);
    const fakeDeposit = await sendAlone(buyer, [
      getTransferCheckedInstruction({
        source: buyerFake,
        mint: fakeMint.address,
        destination: multisigFake,
        authority: buyer,
        amount: 50_000_000n,
        decimals: DECIMALS,
      }),
    ]);
    expect(await verifyDeposit({ rpc, signature: fakeDeposit, vault: created.vault, usdcMint })).toMatchObject({
      ok: false,
      reason: "wrong_mint",
    });
  });

  it("withdraws co-signed: the buyer signs and sends, the gateway verifies it landed, chain agrees", async () => {
    const vaultBefore = await tokenBalance(created.vault);
    const buyerBefore = await tokenBalance(buyerUsdc);
    const built = await buildWithdrawal({
      rpc,
      buyer: buyer.address,
      vault: created.vault,
      multisig: created.multisig,
      usdcMint,
      cosigner: keys.cosigner,
      amount: 2_000_000n,
    });
    expect(built.destination).toBe(buyerUsdc);
    expect(await isExpired({ rpc, lastValidBlockHeight: built.lastValidBlockHeight })).toBe(false);
    const expected = {
      vault: created.vault,
      destination: built.destination,
      amount: 2_000_000n,
      cosignerSignature: built.cosignerSignature,
    };

    const signature = await signAndSend(built.transaction, buyer);
    expect(await verifyWithdrawal({ rpc, signature, ...expected })).toEqual({
      status: "landed",
      slot: expect.any(BigInt),
    });
    expect(await tokenBalance(created.vault)).toBe(vaultBefore - 2_000_000n);
    expect(await tokenBalance(buyerUsdc)).toBe(buyerBefore + 2_000_000n);
    expect(await readVault({ rpc, ...expectation(buyer, created) })).toMatchObject({
      status: "ok",
      amount: vaultBefore - 2_000_000n,
    });

    // Any other signature — an older deposit, an unknown one — is not this withdrawal.
    expect(await verifyWithdrawal({ rpc, signature: depositSignature, ...expected })).toMatchObject({
      status: "mismatch",
    });
    const unknown = getBase58Decoder().decode(crypto.getRandomValues(new Uint8Array(64))) as Signature;
    expect(await verifyWithdrawal({ rpc, signature: unknown, ...expected })).toEqual({ status: "not_landed" });
    // The same landed transaction checked against another amount does not pass either.
    expect(await verifyWithdrawal({ rpc, signature, ...expected, amount: 1n })).toMatchObject({ status: "mismatch" });
    // A withdrawal is not a deposit.
    expect(await verifyDeposit({ rpc, signature, vault: created.vault, usdcMint })).toMatchObject({
      ok: false,
      reason: "no_increase",
    });
  });

  it("a transaction the buyer alters after the gateway signed is rejected", async () => {
    const built = await buildWithdrawal({
      rpc,
      buyer: buyer.address,
      vault: created.vault,
      multisig: created.multisig,
      usdcMint,
      cosigner: keys.cosigner,
      amount: 1_000n,
    });
    const tx = getTransactionDecoder().decode(getBase64Encoder().encode(built.transaction));
    // A v0 message ends with the transfer's data (…, amount u64 LE, decimals) and the lookup-table count.
    const message = new Uint8Array(tx.messageBytes);
    expect(message.slice(-2)).toEqual(new Uint8Array([DECIMALS, 0]));
    const amountAt = message.length - 2 - 8;
    expect(message[amountAt]).toBe(1_000 & 0xff);
    message[amountAt + 2] = 0x0f; // 1000 → ~983k
    const forged = await signTransaction([buyer.keyPair], {
      ...tx,
      messageBytes: message as unknown as typeof tx.messageBytes,
    });
    const err = await preflightError(() =>
      rpc.sendTransaction(getBase64EncodedWireTransaction(forged), { encoding: "base64" }).send(),
    );
    expect(isSolanaError(err, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE)).toBe(
      true,
    );
  });

  it("the buyer alone cannot withdraw, nor revoke the delegate (MissingRequiredSignature)", async () => {
    const vaultBefore = await tokenBalance(created.vault);
    const withdrawAlone = await preflightError(() =>
      sendAlone(buyer, [
        getTransferCheckedInstruction({
          source: created.vault,
          mint: usdcMint,
          destination: buyerUsdc,
          authority: created.multisig,
          amount: vaultBefore,
          decimals: DECIMALS,
          multiSigners: [buyer],
        }),
      ]),
    );
    expect(isSolanaError(withdrawAlone, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)).toBe(
      true,
    );
    expect(
      isSolanaError((withdrawAlone as Error).cause, SOLANA_ERROR__INSTRUCTION_ERROR__MISSING_REQUIRED_SIGNATURE),
    ).toBe(true);

    const revokeAlone = await preflightError(() =>
      sendAlone(buyer, [
        getRevokeInstruction({ source: created.vault, owner: created.multisig, multiSigners: [buyer] }),
      ]),
    );
    expect(
      isSolanaError((revokeAlone as Error).cause, SOLANA_ERROR__INSTRUCTION_ERROR__MISSING_REQUIRED_SIGNATURE),
    ).toBe(true);

    // Nor can the buyer re-point the allowance to a key of their own.
    const own = await generateKeyPairSigner();
    const approveAlone = await preflightError(() =>
      sendAlone(buyer, [
        getApproveCheckedInstruction({
          source: created.vault,
          mint: usdcMint,
          delegate: own.address,
          owner: created.multisig,
          amount: UNLIMITED_ALLOWANCE,
          decimals: DECIMALS,
          multiSigners: [buyer],
        }),
      ]),
    );
    expect(
      isSolanaError((approveAlone as Error).cause, SOLANA_ERROR__INSTRUCTION_ERROR__MISSING_REQUIRED_SIGNATURE),
    ).toBe(true);
    expect(await tokenBalance(created.vault)).toBe(vaultBefore);
    expect(await readVault({ rpc, ...expectation(buyer, created) })).toMatchObject({
      status: "ok",
      delegate: keys.settlement.address,
    });
  });

  it("the settlement delegate alone can collect from the vault into the treasury", async () => {
    const treasuryUsdc = await usdcAccountOf(keys.treasury.address, usdcMint);
    const [vaultBefore, treasuryBefore] = await Promise.all([tokenBalance(created.vault), tokenBalance(treasuryUsdc)]);
    await sendAlone(keys.settlement, [
      getTransferCheckedInstruction({
        source: created.vault,
        mint: usdcMint,
        destination: treasuryUsdc,
        authority: keys.settlement,
        amount: 1_250_000n,
        decimals: DECIMALS,
      }),
    ]);
    expect(await tokenBalance(created.vault)).toBe(vaultBefore - 1_250_000n);
    expect(await tokenBalance(treasuryUsdc)).toBe(treasuryBefore + 1_250_000n);
    expect(await readVault({ rpc, ...expectation(buyer, created) })).toMatchObject({
      status: "ok",
      delegatedAmount: UNLIMITED_ALLOWANCE - 1_250_000n,
    });
  });
});

describe("readVault refuses look-alikes", () => {
  it("a token account the buyer owns alone is not a vault", async () => {
    const buyer = await generateKeyPairSigner();
    await faucet(buyer.address, { sol: 1_000_000_000, usdc: 1_000_000 });
    const own = await usdcAccountOf(buyer.address, usdcMint);
    const { created } = await openVault();
    const state = await readVault({ rpc, ...expectation(buyer, created), vault: own });
    expect(state.status).toBe("unsafe");
    if (state.status !== "unsafe") return;
    expect(state.problems).toEqual(
      expect.arrayContaining(["owner_not_multisig", "multisig_wrong_signers", "wrong_delegate"]),
    );
  });

  it("a multisig whose second signer is not the platform's co-signer is not a vault", async () => {
    const { buyer, created } = await openVault();
    const impostor = await generateKeyPairSigner();
    const state = await readVault({ rpc, ...expectation(buyer, created), cosigner: impostor.address });
    expect(state).toMatchObject({ status: "unsafe", problems: ["multisig_wrong_signers"] });
  });
});

describe("isExpired", () => {
  it("is true only once the block height has passed the last valid one", async () => {
    const height = await rpc.getBlockHeight().send();
    expect(await isExpired({ rpc, lastValidBlockHeight: height })).toBe(false);
    expect(await isExpired({ rpc, lastValidBlockHeight: height - 1n })).toBe(true);
  });
});
