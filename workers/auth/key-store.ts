/**
 * Postgres side of API keys: the listing and revocation record, plus the security audit trail.
 * Only key hashes and display prefixes are written here, never a secret.
 */
import { and, desc, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { apiKeys, securityEvents, wallets } from "../../db/schema.ts";

export interface KeyRecord {
  id: string;
  wallet: string;
  prefix: string;
  keyHash: string;
}

/** Records a new key, creating the wallet's row on its first sign-in. */
export async function insertKey(db: Db, key: KeyRecord): Promise<void> {
  await db.insert(wallets).values({ address: key.wallet }).onConflictDoNothing();
  await db.insert(apiKeys).values({ id: key.id, walletAddress: key.wallet, prefix: key.prefix, keyHash: key.keyHash });
}

export interface KeyRow {
  id: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const publicColumns = {
  id: apiKeys.id,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

/** The wallet's keys, newest first, revoked ones included. */
export async function listKeys(db: Db, wallet: string): Promise<KeyRow[]> {
  return db
    .select(publicColumns)
    .from(apiKeys)
    .where(eq(apiKeys.walletAddress, wallet))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** One key of `wallet`, or null when it does not exist or belongs to another wallet. */
export async function findKey(db: Db, wallet: string, id: string): Promise<KeyRow | null> {
  const rows = await db
    .select(publicColumns)
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.walletAddress, wallet)));
  return rows[0] ?? null;
}

/**
 * Stamps `revoked_at` (first revocation wins; repeating it keeps the original time) and returns it.
 */
export async function markRevoked(db: Db, wallet: string, id: string): Promise<Date | null> {
  await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), eq(apiKeys.walletAddress, wallet), isNull(apiKeys.revokedAt)));
  return (await findKey(db, wallet, id))?.revokedAt ?? null;
}

/** Sets `last_used_at`, at most once per `minIntervalMs` per key (cheap when called often). */
export async function touchKey(db: Db, id: string, minIntervalMs: number): Promise<void> {
  await db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, id),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, sql`now() - make_interval(secs => ${minIntervalMs / 1000})`),
        ),
      ),
    );
}

export type AuthEventKind = "signin_failed" | "key_created" | "key_revoked";

/**
 * Appends a security event. The wallet column is a foreign key, so it is filled only when the
 * wallet is known (a failed sign-in may come from a wallet that never signed in); `detail` always
 * names the wallet. `detail` must never contain secrets, signatures or key material.
 */
export async function recordSecurityEvent(
  db: Db,
  kind: AuthEventKind,
  wallet: string,
  detail: Record<string, string>,
): Promise<void> {
  await db.insert(securityEvents).values({
    kind,
    walletAddress: sql`(SELECT ${wallets.address} FROM ${wallets} WHERE ${wallets.address} = ${wallet})`,
    detail: { wallet, ...detail },
  });
}
