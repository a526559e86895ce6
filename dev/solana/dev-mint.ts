import { createHash } from "node:crypto";
import {
  type Address,
  appendTransactionMessageInstructions,
  blockhash,
  createKeyPairSignerFromPrivateKeyBytes,
  createTransactionMessage,
  getTransactionEncoder,
  type Instruction,
  type KeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import { getInitializeMint2Instruction, getMintSize, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import type { LocalChain, TransactionRecord } from "./chain.ts";
import {
  DEV_AUTHORITY_LAMPORTS,
  DEV_AUTHORITY_SEED,
  DEV_MINT_DECIMALS,
  DEV_MINT_SEED,
  SYSTEM_PROGRAM,
} from "./constants.ts";
import { describeTransactionError } from "./tx-errors.ts";

/** The dev USDC-like mint and the key that may mint it (it also pays for faucet transfers). */
export interface DevMint {
  address: Address;
  decimals: number;
  authority: KeyPairSigner;
}

/** A transaction the server built for itself did not land or failed. */
export class LocalTransactionError extends Error {
  override name = "LocalTransactionError";
}

/** Keys from fixed seeds: the mint address is the same on every start, so dev config can name it. */
async function signerFromSeed(seed: string): Promise<KeyPairSigner> {
  return createKeyPairSignerFromPrivateKeyBytes(createHash("sha256").update(seed).digest());
}

/** Funds the authority and creates the mint (SPL Token, 6 decimals) with a real transaction. */
export async function createDevMint(chain: LocalChain): Promise<DevMint> {
  const [mint, authority] = await Promise.all([signerFromSeed(DEV_MINT_SEED), signerFromSeed(DEV_AUTHORITY_SEED)]);
  chain.svm.setAccount({
    address: authority.address,
    lamports: lamports(DEV_AUTHORITY_LAMPORTS),
    programAddress: SYSTEM_PROGRAM,
    executable: false,
    data: new Uint8Array(0),
    space: 0n,
  });
  const space = getMintSize();
  await sendInstructions(chain, authority, [
    getCreateAccountInstruction({
      payer: authority,
      newAccount: mint,
      lamports: chain.svm.minimumBalanceForRentExemption(BigInt(space)),
      space,
      programAddress: TOKEN_PROGRAM_ADDRESS,
    }),
    getInitializeMint2Instruction({
      mint: mint.address,
      decimals: DEV_MINT_DECIMALS,
      mintAuthority: authority.address,
    }),
  ]);
  return { address: mint.address, decimals: DEV_MINT_DECIMALS, authority };
}

/** Signs with `payer` (and any signers the instructions carry) and lands the transaction on the local chain. */
export async function sendInstructions(
  chain: LocalChain,
  payer: KeyPairSigner,
  instructions: readonly Instruction[],
): Promise<TransactionRecord> {
  const latest = chain.blocks.latestBlockhash();
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) =>
      setTransactionMessageLifetimeUsingBlockhash(
        { blockhash: blockhash(latest.blockhash), lastValidBlockHeight: latest.lastValidBlockHeight },
        m,
      ),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const signed = await signTransactionMessageWithSigners(message);
  const outcome = chain.submit(chain.decode(new Uint8Array(getTransactionEncoder().encode(signed))));
  if (!outcome.landed) throw new LocalTransactionError(describeTransactionError(outcome.err));
  if (outcome.record.err !== null) {
    throw new LocalTransactionError(
      `${describeTransactionError(outcome.record.err)}\n${outcome.record.logs.join("\n")}`,
    );
  }
  return outcome.record;
}
