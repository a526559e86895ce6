/** Test helpers for the chain side as a buyer lives it: faucet, sign what the gateway built, send, transfer. */
import { env } from "cloudflare:test";
import {
  type Address,
  address,
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  type KeyPairSigner,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signBytes,
  signTransaction,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { findAssociatedTokenPda, getTransferCheckedInstruction, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import bs58 from "bs58";
import { expect } from "vitest";

export const rpc = createSolanaRpc(env.SOLANA_RPC_URL);
export const usdcMint = address(env.USDC_MINT);

export async function faucet(wallet: Address, amounts: { sol?: number; usdc?: number }): Promise<void> {
  const res = await fetch(`${env.SOLANA_RPC_URL}/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ wallet, ...amounts }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** What a wallet does with a transaction the gateway built and co-signed: add its signature, send. */
export async function signAndSend(wire: string, signer: KeyPairSigner): Promise<Signature> {
  const tx = getTransactionDecoder().decode(getBase64Encoder().encode(wire));
  const signed = await signTransaction([signer.keyPair], tx);
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
  return getSignatureFromTransaction(signed);
}

/** Signs a sign-in message as a wallet app would (Ed25519 over the UTF-8 bytes), base58. */
export async function signMessage(signer: KeyPairSigner, message: string): Promise<string> {
  return bs58.encode(await signBytes(signer.keyPair.privateKey, new TextEncoder().encode(message)));
}

export async function usdcAccount(owner: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint: usdcMint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

/** A plain USDC transfer from the signer's own account, e.g. a deposit into a vault. */
export async function transferUsdc(from: KeyPairSigner, to: Address, amount: bigint): Promise<Signature> {
  const { value: lifetime } = await rpc.getLatestBlockhash().send();
  const source = await usdcAccount(from.address);
  const signed = await signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(from, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
      (m) =>
        appendTransactionMessageInstructions(
          [
            getTransferCheckedInstruction({
              source,
              mint: usdcMint,
              destination: to,
              authority: from,
              amount,
              decimals: 6,
            }),
          ],
          m,
        ),
    ),
  );
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
  return getSignatureFromTransaction(signed);
}

export async function tokenBalance(account: Address): Promise<bigint> {
  const { value } = await rpc.getTokenAccountBalance(account, { commitment: "confirmed" }).send();
  return BigInt(value.amount);
}
