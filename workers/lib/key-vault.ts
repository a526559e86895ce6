/**
 * The seller key vault: provider keys are sealed with AES-256-GCM under a master key taken from a
 * Worker secret. Each seal uses a fresh random 96-bit IV; the AAD binds the ciphertext to its
 * listing and key version, so a ciphertext copied to another listing (or replayed after a
 * rotation) fails to open. Master keys carry an id so they can be rotated: new seals use the
 * first key of the ring, opens use whichever key id the row names.
 */

export interface SealedKey {
  /** base64 ciphertext + GCM tag */
  ciphertext: string;
  /** base64 96-bit IV */
  iv: string;
  /** id of the master key that sealed it */
  keyId: string;
}

export interface KeyBinding {
  listingId: string;
  keyVersion: number;
}

export interface MasterKeyRing {
  /** The key id new seals use. */
  activeId: string;
  keys: ReadonlyMap<string, CryptoKey>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function aad({ listingId, keyVersion }: KeyBinding): BufferSource {
  return new TextEncoder().encode(`proxygate/provider-key/v1|${listingId}|${keyVersion}`);
}

/**
 * Parses the `VAULT_MASTER_KEYS` secret: comma-separated `id:base64(32 bytes)`, active key first.
 * Throws a message that names the problem but never echoes key material.
 *
 * @example
 * const ring = await importMasterKeys("k2:…base64…,k1:…base64…"); // seals with k2, opens k1 and k2
 */
export async function importMasterKeys(spec: string): Promise<MasterKeyRing> {
  const keys = new Map<string, CryptoKey>();
  let activeId: string | undefined;
  for (const [index, entry] of spec.split(",").entries()) {
    const separator = entry.indexOf(":");
    const id = entry.slice(0, separator).trim();
    if (separator < 0 || !KEY_ID.test(id)) throw new Error(`VAULT_MASTER_KEYS entry ${index + 1}: expected id:base64`);
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = fromBase64(entry.slice(separator + 1).trim());
    } catch {
      throw new Error(`VAULT_MASTER_KEYS entry ${id}: not base64`);
    }
    if (raw.length !== 32) throw new Error(`VAULT_MASTER_KEYS entry ${id}: must be 32 bytes`);
    if (keys.has(id)) throw new Error(`VAULT_MASTER_KEYS: duplicate id ${id}`);
    keys.set(id, await crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]));
    activeId ??= id;
  }
  if (!activeId) throw new Error("VAULT_MASTER_KEYS: no keys");
  return { activeId, keys };
}

/** Seals a provider key for one listing and key version with the ring's active master key. */
export async function sealProviderKey(ring: MasterKeyRing, plaintext: string, binding: KeyBinding): Promise<SealedKey> {
  const key = ring.keys.get(ring.activeId)!;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: aad(binding) },
    key,
    new TextEncoder().encode(plaintext),
  );
  return { ciphertext: toBase64(new Uint8Array(sealed)), iv: toBase64(iv), keyId: ring.activeId };
}

/** Opens a sealed provider key. Fails (throws) if the master key is unknown or anything was altered. */
export async function openProviderKey(ring: MasterKeyRing, sealed: SealedKey, binding: KeyBinding): Promise<string> {
  const key = ring.keys.get(sealed.keyId);
  if (!key) throw new Error(`provider key sealed under unknown master key id ${sealed.keyId}`);
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: aad(binding) },
      key,
      fromBase64(sealed.ciphertext),
    );
    return new TextDecoder().decode(plain);
  } catch {
    throw new Error("provider key failed to open (wrong listing, version or master key, or tampered)");
  }
}

/** The only form of a provider key that is ever shown: its last four characters. */
export function last4(plaintext: string): string {
  return plaintext.slice(-4);
}
