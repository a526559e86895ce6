import { type Challenge, challengeMessage, newChallenge } from "./challenge.ts";
import { verifyWalletSignature } from "./ed25519.ts";
import type { VerifyRequest } from "./interface.ts";
import { consumeNonce, type NonceRedis, storeChallenge } from "./nonces.ts";

/**
 * Issues a sign-in challenge for `wallet`: a fresh nonce, stored in Redis bound to the wallet for
 * five minutes, and the message the wallet must sign.
 */
export async function issueChallenge(
  redis: NonceRedis,
  origin: string,
  wallet: string,
  now: number,
): Promise<{ challenge: Challenge; message: string }> {
  const challenge = newChallenge(origin, wallet, now);
  await storeChallenge(redis, challenge);
  return { challenge, message: challengeMessage(challenge) };
}

export type SignInFailure = "unknown_nonce" | "wrong_wallet" | "expired" | "bad_signature";

/** What the client is told for each failure: enough to act on, nothing an attacker can use. */
export const SIGN_IN_FAILURE_MESSAGES: Record<SignInFailure, string> = {
  unknown_nonce: "Sign-in nonce is unknown, expired or already used; request a new challenge",
  wrong_wallet: "Sign-in nonce was issued to another wallet; request a new challenge",
  expired: "Sign-in challenge has expired; request a new challenge",
  bad_signature: "Signature does not verify for this wallet and challenge; request a new challenge",
};

/**
 * Checks a signed challenge. The nonce is consumed first, whatever the outcome, so each nonce
 * allows exactly one attempt (no signature guessing, no replay, single use under concurrency).
 */
export async function checkSignIn(
  redis: NonceRedis,
  input: VerifyRequest,
  now: number,
): Promise<{ ok: true } | { ok: false; reason: SignInFailure }> {
  const consumed = await consumeNonce(redis, input.nonce, input.wallet);
  if (!consumed.ok) return { ok: false, reason: consumed.reason === "wrong_wallet" ? "wrong_wallet" : "unknown_nonce" };
  const challenge: Challenge = {
    origin: consumed.origin,
    wallet: input.wallet,
    nonce: input.nonce,
    issuedAt: consumed.issuedAt,
    expiresAt: consumed.expiresAt,
  };
  // Redis expiry is the main guard; this one holds even if a key outlived its TTL.
  if (now > challenge.expiresAt) return { ok: false, reason: "expired" };
  const valid = await verifyWalletSignature(input.wallet, challengeMessage(challenge), input.signature);
  return valid ? { ok: true } : { ok: false, reason: "bad_signature" };
}
