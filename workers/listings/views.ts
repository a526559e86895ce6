/**
 * Pure mappings from a listings row to what leaves it: the fence's ListingConfig (sealed key
 * only), the owner's view (key as last four) and the public view (no routing or key details).
 */
import type { KeyInjection, ListingConfig } from "../fence/interface.ts";
import type { OwnerListing, PublicListing } from "./interface.ts";
import type { ListingRow } from "./store.ts";

function keyInjectionOf({ listing }: ListingRow): KeyInjection {
  const injection: KeyInjection = { kind: listing.keyInjectionKind };
  if (listing.keyInjectionKind !== "bearer" && listing.keyInjectionName !== null) {
    injection.name = listing.keyInjectionName;
  }
  if (listing.keyInjectionKind === "header" && listing.keyInjectionTemplate !== null) {
    injection.template = listing.keyInjectionTemplate;
  }
  return injection;
}

/** The full config the fence holds. Throws for a row without a sealed key (never served). */
export function toListingConfig(row: ListingRow): ListingConfig {
  const l = row.listing;
  if (l.keyCiphertext === null || l.keyIv === null || l.keyId === null) {
    throw new Error(`listing ${l.id} has no sealed provider key`);
  }
  return {
    listingId: l.id,
    sellerId: l.sellerId,
    sellerWallet: row.sellerWallet,
    service: l.service,
    status: l.status,
    upstreamBaseUrl: l.upstreamBaseUrl,
    allowedMethods: l.allowedMethods,
    allowedPaths: l.allowedPaths,
    keyInjection: keyInjectionOf(row),
    price: l.price,
    pricingUnit: l.pricingUnit,
    capacity: { total: l.capacityTotal, reservedForSelf: l.capacityReservedForSelf, window: l.capacityWindow },
    key: { ciphertext: l.keyCiphertext, iv: l.keyIv, keyId: l.keyId, version: l.keyVersion },
    configVersion: l.configVersion,
  };
}

export function publicView(row: ListingRow): PublicListing {
  const l = row.listing;
  return {
    view: "public",
    id: l.id,
    sellerWallet: row.sellerWallet,
    service: l.service,
    type: l.type,
    category: l.category,
    description: l.description,
    status: l.status,
    allowedMethods: l.allowedMethods,
    allowedPaths: l.allowedPaths,
    price: l.price.toString(),
    pricingUnit: l.pricingUnit,
    capacity: { resale: l.capacityTotal - l.capacityReservedForSelf, window: l.capacityWindow },
    createdAt: l.createdAt.toISOString(),
  };
}

export function ownerView(row: ListingRow): OwnerListing {
  const l = row.listing;
  return {
    ...publicView(row),
    view: "owner",
    upstreamBaseUrl: l.upstreamBaseUrl,
    keyInjection: keyInjectionOf(row),
    capacity: {
      total: l.capacityTotal,
      reservedForSelf: l.capacityReservedForSelf,
      resale: l.capacityTotal - l.capacityReservedForSelf,
      window: l.capacityWindow,
    },
    keyLast4: l.keyLast4 ?? "",
    keyVersion: l.keyVersion,
    configVersion: l.configVersion,
    updatedAt: l.updatedAt.toISOString(),
  };
}
