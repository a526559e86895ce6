import { decodeBase58, randomBase58 } from "./base58.ts";

/**
 * API keys are `pgk_<wallet>_<secret>`: the wallet routes the key to its WalletDO without any
 * lookup, the secret is 32 random bytes in base58 (no `_` in that alphabet, so the key splits
 * unambiguously). Only SHA-256 of the whole key is ever stored.
 */
const KEY_PATTERN = /^pgk_([1-9A-HJ-NP-Za-km-z]{32,44})_([1-9A-HJ-NP-Za-km-z]{32,44})$/;

export const SECRET_BYTES = 32;

export interface ParsedApiKey {
  wallet: string;
  secret: string;
}

export function formatApiKey(wallet: string, secret: string): string {
  return `pgk_${wallet}_${secret}`;
}

/** A new key for `wallet`. The caller shows `apiKey` once and keeps only its hash. */
export function newApiKey(wallet: string): ParsedApiKey & { apiKey: string } {
  const secret = randomBase58(SECRET_BYTES);
  return { apiKey: formatApiKey(wallet, secret), wallet, secret };
}

/**
 * Splits a key into wallet and secret, or null when it is not a well-formed key (wrong shape, or a
 * wallet / secret that does not decode to 32 bytes).
 *
 * @example
 * parseApiKey("pgk_7xKX…_3mJ9…"); // { wallet: "7xKX…", secret: "3mJ9…" }
 */
export function parseApiKey(text: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(text);
  if (!match) return null;
  const [, wallet, secret] = match as unknown as [string, string, string];
  if (!decodeBase58(wallet, 32) || !decodeBase58(secret, SECRET_BYTES)) return null;
  return { wallet, secret };
}

/** The key from an `Authorization: Bearer <key>` header value, or null (scheme is case-insensitive). */
export function bearerToken(header: string | undefined | null): string | null {
  if (!header) return null;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return match?.[1] ?? null;
}

/** SHA-256 hex of the whole key string: what Postgres and the WalletDO store. */
export async function hashApiKey(apiKey: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(apiKey));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * What listings show so a user can tell keys apart: `pgk_<wallet 4>…<wallet 4>_<secret 4>`.
 * Four base58 characters of the secret are ~23 of its 256 bits: enough to recognise, useless to guess.
 */
export function displayPrefix(wallet: string, secret: string): string {
  return `pgk_${wallet.slice(0, 4)}…${wallet.slice(-4)}_${secret.slice(0, 4)}`;
}
