/**
 * The gateway's receipt key (the RECEIPT_KEY platform secret, parsed once per isolate by
 * workers/solana/keys.ts): signs receipts and publishes its public half.
 */
import { decodeBase58 } from "../auth/base58.ts";
import type { Env } from "../env.ts";
import { loadPlatformKeys } from "../solana/keys.ts";
import { type ReceiptFields, signReceipt } from "./receipt.ts";

/** Signs a receipt with the gateway's receipt key. */
export async function issueReceipt(env: Env, fields: ReceiptFields): Promise<string> {
  const { receipt } = await loadPlatformKeys(env);
  return signReceipt(receipt.keyPair.privateKey, fields);
}

export interface ReceiptPublicKey {
  algorithm: "Ed25519";
  /** The raw 32-byte public key in base58 (a Solana address). */
  publicKey: string;
  /** The same bytes in base64 and hex, for verifiers without base58. */
  publicKeyBase64: string;
  publicKeyHex: string;
}

/** The receipt public key in the forms a verifier may want. */
export async function receiptPublicKey(env: Env): Promise<ReceiptPublicKey> {
  const { receipt } = await loadPlatformKeys(env);
  const raw = decodeBase58(receipt.address, 32);
  if (!raw) throw new Error("receipt key address is not 32 bytes of base58");
  let binary = "";
  for (const b of raw) binary += String.fromCharCode(b);
  return {
    algorithm: "Ed25519",
    publicKey: receipt.address,
    publicKeyBase64: btoa(binary),
    publicKeyHex: Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join(""),
  };
}
