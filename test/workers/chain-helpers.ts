/** Test helpers for the chain side as a buyer lives it: faucet, sign what the gateway built, send, transfer. */
import { env } from "cloudflare:test";
import { type Address, address, createSolanaRpc, type KeyPairSigner, type Signature, signBytes } from "@solana/kit";
import bs58 from "bs58";
import { expect } from "vitest";
import * as shared from "../../dev/lib/buyer.ts";

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

/** Signs a sign-in message as a wallet app would (Ed25519 over the UTF-8 bytes), base58. */
export async function signMessage(signer: KeyPairSigner, message: string): Promise<string> {
  return bs58.encode(await signBytes(signer.keyPair.privateKey, new TextEncoder().encode(message)));
}

export async function tokenBalance(account: Address): Promise<bigint> {
  const { value } = await rpc.getTokenAccountBalance(account, { commitment: "confirmed" }).send();
  return BigInt(value.amount);
}

/** What a wallet does with a transaction the gateway built and co-signed: add its signature, send. */
export function signAndSend(wire: string, signer: KeyPairSigner): Promise<Signature> {
  return shared.signAndSend(rpc, wire, signer);
}

export function usdcAccount(owner: Address): Promise<Address> {
  return shared.usdcAccount(owner, usdcMint);
}

/** A plain USDC transfer from the signer's own account, e.g. a deposit into a vault. */
export function transferUsdc(from: KeyPairSigner, to: Address, amount: bigint): Promise<Signature> {
  return shared.transferUsdc(rpc, from, to, usdcMint, amount);
}
