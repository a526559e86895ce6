/**
 * Postgres side of listings. Every change is one UPDATE that also bumps `config_version`, so the
 * row lock orders concurrent changes and the version pushed to the fence is monotonic. Rows hold
 * the provider key only sealed (ciphertext, IV, key id) plus its last four characters.
 */
import { and, desc, eq, ne, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { type Listing, listings, type NewListing, securityEvents, sellers, wallets } from "../../db/schema.ts";

export interface ListingRow {
  listing: Listing;
  sellerWallet: string;
}

/** Makes `wallet` a seller (first listing) and inserts its listing, in one transaction. */
export async function insertListing(
  db: Db,
  wallet: string,
  listing: Omit<NewListing, "sellerId">,
): Promise<ListingRow> {
  return db.transaction(async (tx) => {
    await tx.insert(wallets).values({ address: wallet }).onConflictDoNothing();
    const [seller] = await tx
      .insert(sellers)
      .values({ walletAddress: wallet })
      .onConflictDoUpdate({ target: sellers.walletAddress, set: { updatedAt: sql`now()` } })
      .returning({ id: sellers.id });
    if (!seller) throw new Error("seller upsert returned no row");
    const [row] = await tx
      .insert(listings)
      .values({ ...listing, sellerId: seller.id })
      .returning();
    if (!row) throw new Error("listing insert returned no row");
    return { listing: row, sellerWallet: wallet };
  });
}

const withWallet = { listing: listings, sellerWallet: sellers.walletAddress };

/** One listing with its seller's wallet, or null. */
export async function findListing(db: Db, id: string): Promise<ListingRow | null> {
  const rows = await db
    .select(withWallet)
    .from(listings)
    .innerJoin(sellers, eq(sellers.id, listings.sellerId))
    .where(eq(listings.id, id));
  return rows[0] ?? null;
}

/** The wallet's listings, deleted ones included, newest first. */
export async function listOwnListings(db: Db, wallet: string): Promise<ListingRow[]> {
  return db
    .select(withWallet)
    .from(listings)
    .innerJoin(sellers, eq(sellers.id, listings.sellerId))
    .where(eq(sellers.walletAddress, wallet))
    .orderBy(desc(listings.createdAt), desc(listings.id));
}

function ownedBy(wallet: string): SQL {
  return sql`${listings.sellerId} = (SELECT ${sellers.id} FROM ${sellers} WHERE ${sellers.walletAddress} = ${wallet})`;
}

export type ListingChange = Partial<
  Pick<
    NewListing,
    | "category"
    | "description"
    | "allowedMethods"
    | "allowedPaths"
    | "price"
    | "capacityTotal"
    | "capacityReservedForSelf"
    | "capacityWindow"
    | "status"
    | "keyCiphertext"
    | "keyIv"
    | "keyId"
    | "keyLast4"
    | "keyVersion"
  >
>;

export interface UpdateGuards {
  /** Compare-and-set on the key version (rotation). */
  expectKeyVersion?: number | undefined;
  /** A further condition the row must meet (e.g. the merged capacity stays valid). */
  extra?: SQL | undefined;
}

/**
 * Applies `change` to a listing of `wallet` that is not deleted, bumping its config version.
 * Returns null when no row matched (absent, not the wallet's, deleted, or a guard failed).
 */
export async function updateOwnListing(
  db: Db,
  wallet: string,
  id: string,
  change: ListingChange,
  guards: UpdateGuards = {},
): Promise<Listing | null> {
  const conditions = [eq(listings.id, id), ownedBy(wallet), ne(listings.status, "deleted")];
  if (guards.expectKeyVersion !== undefined) conditions.push(eq(listings.keyVersion, guards.expectKeyVersion));
  if (guards.extra !== undefined) conditions.push(guards.extra);
  const [row] = await db
    .update(listings)
    .set({ ...change, configVersion: sql`${listings.configVersion} + 1`, updatedAt: sql`now()` })
    .where(and(...conditions))
    .returning();
  return row ?? null;
}

/** Records a key rotation in the audit trail (listing id and versions only, never key material). */
export async function recordKeyRotated(db: Db, wallet: string, listingId: string, keyVersion: number): Promise<void> {
  await db.insert(securityEvents).values({
    kind: "listing_key_rotated",
    walletAddress: wallet,
    detail: { wallet, listingId, keyVersion },
  });
}
