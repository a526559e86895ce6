/**
 * The key vault as listings use it: the master key ring imported once per isolate, sealing with
 * AAD = (listing id, key version), and opening with a short plaintext cache for the proxy.
 * Plaintext exists only in this isolate's memory, at most `PLAINTEXT_TTL_MS`, keyed by listing
 * and key version (a rotation bumps the version, so a rotated key is never served from cache).
 */
import type { Env } from "../env.ts";
import type { ListingConfig } from "../fence/interface.ts";
import {
  importMasterKeys,
  type KeyBinding,
  type MasterKeyRing,
  openProviderKey,
  type SealedKey,
  sealProviderKey,
} from "../lib/key-vault.ts";

export const PLAINTEXT_TTL_MS = 30_000;
const MAX_CACHED = 1_000;

let ring: { spec: string; ring: Promise<MasterKeyRing> } | null = null;

/** The master key ring of `VAULT_MASTER_KEYS`, imported once per isolate (re-imported if the secret changes). */
export function masterKeyRing(env: Pick<Env, "VAULT_MASTER_KEYS">): Promise<MasterKeyRing> {
  if (ring?.spec !== env.VAULT_MASTER_KEYS) {
    const imported = importMasterKeys(env.VAULT_MASTER_KEYS);
    // A failed import is not cached: the next call tries again.
    imported.catch(() => {
      if (ring?.ring === imported) ring = null;
    });
    ring = { spec: env.VAULT_MASTER_KEYS, ring: imported };
  }
  return ring.ring;
}

export async function sealListingKey(
  env: Pick<Env, "VAULT_MASTER_KEYS">,
  plaintext: string,
  binding: KeyBinding,
): Promise<SealedKey> {
  return sealProviderKey(await masterKeyRing(env), plaintext, binding);
}

const plaintexts = new Map<string, { expiresAt: number; key: Promise<string> }>();

/**
 * The plaintext provider key of a listing config, for injection into one upstream call. Cached
 * ≤ 30 s per (listing, key version); concurrent callers share one decryption. Throws when the key
 * does not open (wrong master key, tampered row): the caller answers without forwarding.
 *
 * @example
 * const key = await openListingKey(env, admitted.config);
 */
export function openListingKey(
  env: Pick<Env, "VAULT_MASTER_KEYS">,
  config: Pick<ListingConfig, "listingId" | "key">,
  now: number = Date.now(),
): Promise<string> {
  const cacheKey = `${config.listingId}:${config.key.version}`;
  const hit = plaintexts.get(cacheKey);
  if (hit && hit.expiresAt > now) return hit.key;
  if (hit) plaintexts.delete(cacheKey);
  if (plaintexts.size >= MAX_CACHED) {
    for (const [k, v] of plaintexts) if (v.expiresAt <= now) plaintexts.delete(k);
    // Still full: drop the oldest entry (Map keeps insertion order).
    if (plaintexts.size >= MAX_CACHED) plaintexts.delete(plaintexts.keys().next().value as string);
  }
  const { ciphertext, iv, keyId, version } = config.key;
  const key = masterKeyRing(env).then((r) =>
    openProviderKey(r, { ciphertext, iv, keyId }, { listingId: config.listingId, keyVersion: version }),
  );
  plaintexts.set(cacheKey, { expiresAt: now + PLAINTEXT_TTL_MS, key });
  key.catch(() => {
    if (plaintexts.get(cacheKey)?.key === key) plaintexts.delete(cacheKey);
  });
  return key;
}

/** Empties the plaintext cache (tests; also callable after a master key rotation). */
export function clearPlaintextCache(): void {
  plaintexts.clear();
}
