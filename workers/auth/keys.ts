/**
 * API key lifecycle across its two homes: Postgres (listing, revocation record) and the wallet's
 * WalletDO (the hash the hot path checks). The DO is the authority for "does this key work".
 */
import type { Env } from "../env.ts";
import { afterResponse, withDb } from "../lib/db.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { displayPrefix, hashApiKey, newApiKey } from "./api-key.ts";
import type { IssuedKey, RevokedKey } from "./interface.ts";
import { findKey, insertKey, markRevoked, recordSecurityEvent } from "./key-store.ts";

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Mints a key for `wallet`: Postgres first (so every working key can be listed and revoked), then
 * the WalletDO. If the DO step fails the Postgres row is marked revoked and the error propagates:
 * the secret was never shown, so nobody holds that key. `via` is recorded in the audit trail.
 */
export async function issueKey(env: Env, waitUntil: WaitUntil, wallet: string, via: string): Promise<IssuedKey> {
  const { apiKey, secret } = newApiKey(wallet);
  const keyHash = await hashApiKey(apiKey);
  const keyId = crypto.randomUUID();
  const prefix = displayPrefix(wallet, secret);
  await withDb(env, waitUntil, (db) => insertKey(db, { id: keyId, wallet, prefix, keyHash }));
  try {
    await walletStub(env, wallet).registerKey(wallet, keyId, keyHash);
  } catch (err) {
    afterResponse(env, waitUntil, "revoke unregistered key", (db) => markRevoked(db, wallet, keyId));
    throw err;
  }
  afterResponse(env, waitUntil, "record key_created", (db) =>
    recordSecurityEvent(db, "key_created", wallet, { keyId, prefix, via }),
  );
  return { apiKey, keyId, prefix, wallet };
}

/**
 * Revokes one of `wallet`'s keys: the WalletDO first, so the very next request with it is refused,
 * then Postgres and the audit trail. Null when the wallet has no such key. Idempotent.
 */
export async function revokeKey(
  env: Env,
  waitUntil: WaitUntil,
  wallet: string,
  keyId: string,
): Promise<RevokedKey | null> {
  return withDb(env, waitUntil, async (db) => {
    const key = await findKey(db, wallet, keyId);
    if (!key) return null;
    await walletStub(env, wallet).revokeKey(keyId);
    const revokedAt = await markRevoked(db, wallet, keyId);
    if (!revokedAt) throw new Error("revoked key has no revoked_at");
    if (!key.revokedAt) await recordSecurityEvent(db, "key_revoked", wallet, { keyId, prefix: key.prefix });
    return { id: key.id, prefix: key.prefix, revokedAt: revokedAt.toISOString() };
  });
}
