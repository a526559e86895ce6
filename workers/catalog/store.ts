/**
 * Postgres side of the catalog: the active listings (all, or one service's), without any key
 * material or upstream details. Read into isolate caches (workers/catalog/cache.ts), never on the
 * proxy's hot path once warm.
 */
import { and, asc, eq, isNotNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { listings } from "../../db/schema.ts";
import type { CapacityWindow, PricingUnit } from "../fence/interface.ts";

/** What the catalog and routing know of an active listing. */
export interface CatalogListing {
  id: string;
  service: string;
  type: string;
  category: string;
  description: string;
  /** Seller's price per unit, micro-USDC. */
  price: bigint;
  pricingUnit: PricingUnit;
  resale: number;
  window: CapacityWindow;
  allowedMethods: string[];
  allowedPaths: string[];
}

const columns = {
  id: listings.id,
  service: listings.service,
  type: listings.type,
  category: listings.category,
  description: listings.description,
  price: listings.price,
  pricingUnit: listings.pricingUnit,
  capacityTotal: listings.capacityTotal,
  capacityReservedForSelf: listings.capacityReservedForSelf,
  window: listings.capacityWindow,
  allowedMethods: listings.allowedMethods,
  allowedPaths: listings.allowedPaths,
};

type Row = { [K in keyof typeof columns]: (typeof columns)[K]["_"]["data"] };

function toCatalogListing(r: Row): CatalogListing {
  return {
    id: r.id,
    service: r.service,
    type: r.type,
    category: r.category,
    description: r.description,
    price: r.price,
    pricingUnit: r.pricingUnit,
    resale: r.capacityTotal - r.capacityReservedForSelf,
    window: r.window,
    allowedMethods: r.allowedMethods,
    allowedPaths: r.allowedPaths,
  };
}

/** Active listings with a sealed key (servable), of one service or all; oldest first. */
export async function activeListings(db: Db, service?: string): Promise<CatalogListing[]> {
  const conditions = [eq(listings.status, "active"), isNotNull(listings.keyCiphertext)];
  if (service !== undefined) conditions.push(eq(listings.service, service));
  const rows = await db
    .select(columns)
    .from(listings)
    .where(and(...conditions))
    .orderBy(asc(listings.createdAt), asc(listings.id));
  return rows.map(toCatalogListing);
}

/** The services with at least one active, servable listing. */
export async function activeServiceNames(db: Db): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ service: listings.service })
    .from(listings)
    .where(and(eq(listings.status, "active"), isNotNull(listings.keyCiphertext)));
  return new Set(rows.map((r) => r.service));
}

/** One active listing, or null. */
export async function activeListing(db: Db, id: string): Promise<CatalogListing | null> {
  const rows = await db
    .select(columns)
    .from(listings)
    .where(and(eq(listings.id, id), eq(listings.status, "active"), isNotNull(listings.keyCiphertext)));
  return rows[0] ? toCatalogListing(rows[0]) : null;
}
