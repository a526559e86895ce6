/**
 * Wire shapes of sign-in and API keys (`/v1/auth/*`, `/v1/keys`). Types are inferred from the schemas.
 */
import { z } from "zod";
import { decodeBase58, maxBase58Length } from "./base58.ts";
import { NONCE_BYTES } from "./challenge.ts";

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

function base58Bytes(length: number, what: string) {
  return z
    .string()
    .max(maxBase58Length(length), `${what} is too long`)
    .regex(BASE58, `${what} must be base58`)
    .refine((s) => decodeBase58(s, length) !== null, `${what} must decode to ${length} bytes`);
}

/** A Solana wallet address: the base58 of a 32-byte Ed25519 public key. */
export const WalletAddress = base58Bytes(32, "wallet");
/** An Ed25519 signature (64 bytes), base58 as Solana wallets return it. */
export const WalletSignature = base58Bytes(64, "signature");
export const Nonce = base58Bytes(NONCE_BYTES, "nonce");

export const ChallengeRequest = z.strictObject({ wallet: WalletAddress });
export type ChallengeRequest = z.infer<typeof ChallengeRequest>;

export const ChallengeResponse = z.object({
  wallet: z.string(),
  nonce: z.string(),
  /** Sign exactly this string (UTF-8 bytes) with the wallet. */
  message: z.string(),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
});
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

export const VerifyRequest = z.strictObject({ wallet: WalletAddress, nonce: Nonce, signature: WalletSignature });
export type VerifyRequest = z.infer<typeof VerifyRequest>;

/** A newly minted key: the only response that ever carries `apiKey`. */
export const IssuedKey = z.object({
  apiKey: z.string(),
  keyId: z.uuid(),
  prefix: z.string(),
  wallet: z.string(),
});
export type IssuedKey = z.infer<typeof IssuedKey>;

export const KeySummary = z.object({
  id: z.uuid(),
  prefix: z.string(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
  /** True for the key that authenticated this request. */
  current: z.boolean(),
});
export type KeySummary = z.infer<typeof KeySummary>;

export const KeyList = z.object({ keys: z.array(KeySummary) });
export type KeyList = z.infer<typeof KeyList>;

export const RevokedKey = z.object({ id: z.uuid(), prefix: z.string(), revokedAt: z.iso.datetime() });
export type RevokedKey = z.infer<typeof RevokedKey>;
