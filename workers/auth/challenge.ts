import { randomBase58 } from "./base58.ts";

/** How long a sign-in challenge can be answered. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

/** 16 random bytes: 128 bits, so a nonce can be neither guessed nor collide. */
export const NONCE_BYTES = 16;

export interface Challenge {
  /** The gateway's origin, e.g. `https://gateway.example` (shown to the user by the wallet). */
  origin: string;
  wallet: string;
  nonce: string;
  /** Epoch milliseconds. */
  issuedAt: number;
  expiresAt: number;
}

export function newNonce(): string {
  return randomBase58(NONCE_BYTES);
}

/** A challenge issued now for `wallet` from `origin`, with a fresh nonce. */
export function newChallenge(origin: string, wallet: string, now: number): Challenge {
  return { origin, wallet, nonce: newNonce(), issuedAt: now, expiresAt: now + CHALLENGE_TTL_MS };
}

/**
 * The exact text the wallet signs (as UTF-8), in the Sign-In With Solana layout so wallets and
 * users recognise it: who asks, for which account, why, and the nonce and validity window. The
 * gateway rebuilds it from the stored challenge on verify, so this function must stay
 * deterministic: same challenge, same bytes.
 *
 * @example
 * challengeMessage({ origin: "https://gw.example", wallet, nonce, issuedAt, expiresAt });
 * // "gw.example wants you to sign in with your Solana account:\n<wallet>\n\n…"
 */
export function challengeMessage(challenge: Challenge): string {
  const domain = new URL(challenge.origin).host;
  return [
    `${domain} wants you to sign in with your Solana account:`,
    challenge.wallet,
    "",
    "Sign in to proxygate to get an API key. Signing sends no transaction and moves no funds.",
    "",
    `URI: ${challenge.origin}`,
    "Version: 1",
    `Nonce: ${challenge.nonce}`,
    `Issued At: ${new Date(challenge.issuedAt).toISOString()}`,
    `Expiration Time: ${new Date(challenge.expiresAt).toISOString()}`,
  ].join("\n");
}
