/**
 * Per-call receipts: the gateway's Ed25519 signature over (requestId, wallet, listing, charge,
 * timestamp), verifiable offline by anyone with the gateway's receipt public key
 * (`GET /v1/receipts/public-key`). Pure functions over WebCrypto; docs/decisions/010-proxy.md.
 *
 * Compact form (header `X-Proxygate-Receipt`, and `receipt` in JSON answers), dot-separated:
 *   pgr1.<requestId>.<wallet>.<listingId>.<charge micro-USDC>.<timestamp epoch ms>.<signature base58>
 * Signed bytes: the UTF-8 of these six lines joined by "\n" (no trailing newline):
 *   proxygate-receipt/v1, requestId, wallet, listingId, charge, timestamp
 */
import { z } from "zod";
import { encodeBase58 } from "../auth/base58.ts";
import { verifyWalletSignature } from "../auth/ed25519.ts";

export const RECEIPT_PREFIX = "pgr1";
export const RECEIPT_DOMAIN = "proxygate-receipt/v1";

export const ReceiptFieldsSchema = z.strictObject({
  /** The call's ledger id: the gateway request id, or `idk_…` for a call made with an Idempotency-Key. */
  requestId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  /** The buyer wallet charged (base58). */
  wallet: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/),
  listing: z.uuid(),
  /** What the buyer was charged, micro-USDC (price + buyer fee). */
  charge: z.bigint().positive(),
  /** Epoch ms when the gateway metered the call; also the ledger entry's `created_at`. */
  timestamp: z.int().positive(),
});

export type ReceiptFields = z.infer<typeof ReceiptFieldsSchema>;

/** The exact bytes that are signed. */
export function receiptMessage(fields: ReceiptFields): string {
  const { requestId, wallet, listing, charge, timestamp } = ReceiptFieldsSchema.parse(fields);
  return [RECEIPT_DOMAIN, requestId, wallet, listing, charge.toString(), String(timestamp)].join("\n");
}

/**
 * Signs a receipt with the gateway's receipt key (an Ed25519 private CryptoKey, e.g.
 * `loadPlatformKeys(env).receipt.keyPair.privateKey`). Ed25519 is deterministic: the same fields
 * always give the same receipt, so a receipt can be re-issued from the ledger.
 */
export async function signReceipt(privateKey: CryptoKey, fields: ReceiptFields): Promise<string> {
  const message = receiptMessage(fields);
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", privateKey, new TextEncoder().encode(message)));
  return [
    RECEIPT_PREFIX,
    fields.requestId,
    fields.wallet,
    fields.listing,
    fields.charge.toString(),
    String(fields.timestamp),
    encodeBase58(signature),
  ].join(".");
}

/** Splits a compact receipt into its fields and signature; null when it is not well formed. */
export function parseReceipt(receipt: string): { fields: ReceiptFields; signature: string } | null {
  const parts = receipt.trim().split(".");
  if (parts.length !== 7 || parts[0] !== RECEIPT_PREFIX) return null;
  const [, requestId, wallet, listing, charge, timestamp, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (!/^[1-9][0-9]{0,19}$/.test(charge) || !/^[1-9][0-9]{0,15}$/.test(timestamp)) return null;
  const fields = ReceiptFieldsSchema.safeParse({
    requestId,
    wallet,
    listing,
    charge: BigInt(charge),
    timestamp: Number(timestamp),
  });
  if (!fields.success || !/^[1-9A-HJ-NP-Za-km-z]{64,90}$/.test(signature)) return null;
  return { fields: fields.data, signature };
}

/**
 * Verifies a compact receipt against the gateway's receipt public key (base58, as published).
 * Returns its fields when the signature holds, null otherwise (any tampering, any malformation).
 *
 * @example
 * const fields = await verifyReceipt(res.headers.get("x-proxygate-receipt")!, publicKey);
 * if (fields) console.log(`charged ${fields.charge} micro-USDC`);
 */
export async function verifyReceipt(receipt: string, publicKey: string): Promise<ReceiptFields | null> {
  const parsed = parseReceipt(receipt);
  if (!parsed) return null;
  const ok = await verifyWalletSignature(publicKey, receiptMessage(parsed.fields), parsed.signature);
  return ok ? parsed.fields : null;
}
