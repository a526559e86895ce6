/**
 * The WalletDO's API-key table: SHA-256 hex of whole keys, for the hot-path check. Synchronous,
 * so a reserve can check the key inside the same storage transaction as the reservation.
 */

/** Adds a key; re-registering the same id and hash is a no-op, and a revoked key stays revoked. */
export function insertKey(sql: SqlStorage, keyId: string, keyHash: string, now: number): void {
  const existing = sql.exec<{ key_hash: string }>("SELECT key_hash FROM api_keys WHERE key_id = ?", keyId).toArray()[0];
  if (existing) {
    if (existing.key_hash !== keyHash) throw new Error(`key ${keyId} is already registered with another hash`);
    return;
  }
  sql.exec("INSERT INTO api_keys (key_id, key_hash, created_at) VALUES (?, ?, ?)", keyId, keyHash, now);
}

/** Revokes at once; true when the key existed and was active. */
export function revokeKeyRow(sql: SqlStorage, keyId: string, now: number): boolean {
  const cursor = sql.exec("UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL", now, keyId);
  return cursor.rowsWritten > 0;
}

/** The active key with this hash, if any. */
export function activeKeyId(sql: SqlStorage, keyHash: string): string | null {
  const row = sql
    .exec<{ key_id: string }>("SELECT key_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", keyHash)
    .toArray()[0];
  return row ? row.key_id : null;
}
