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

/** The active keys, hash → key id (a wallet has a handful; the WalletDO keeps this in memory). */
export function activeKeys(sql: SqlStorage): Map<string, string> {
  const rows = sql.exec<{ key_id: string; key_hash: string }>(
    "SELECT key_id, key_hash FROM api_keys WHERE revoked_at IS NULL",
  );
  const keys = new Map<string, string>();
  for (const row of rows) keys.set(row.key_hash, row.key_id);
  return keys;
}
