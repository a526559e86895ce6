/**
 * The listings capability: what the `/v1/listings` routes do. Every change writes Postgres first
 * (one UPDATE bumping `config_version`), then pushes the full config into the listing's
 * CapacityFenceDO, so pause / rotate / delete apply to the very next proxied call. Only the
 * owner's wallet can change a listing; to anyone else it does not exist (404).
 */
import { type SQL, sql } from "drizzle-orm";
import { listings } from "../../db/schema.ts";
import { forgetServiceNames } from "../catalog/cache.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { afterResponse, withDb } from "../lib/db.ts";
import { last4 } from "../lib/key-vault.ts";
import type {
  CreateListingRequest,
  OwnerListing,
  PublicListing,
  RotateKeyRequest,
  UpdateListingRequest,
} from "./interface.ts";
import {
  findListing,
  insertListing,
  type ListingChange,
  type ListingRow,
  listOwnListings,
  recordKeyRotated,
  updateOwnListing,
} from "./store.ts";
import { pushConfig } from "./sync.ts";
import { checkUpstreamUrl } from "./upstream-url.ts";
import { sealListingKey } from "./vault.ts";
import { ownerView, publicView } from "./views.ts";

export interface ListingsContext {
  env: Env;
  waitUntil: (promise: Promise<unknown>) => void;
  /** The caller's wallet (authenticated by its API key). */
  wallet: string;
}

const ROTATE_ATTEMPTS = 3;

function notFound(): ApiError {
  return new ApiError("not_found", "No such listing for this wallet");
}

function deleted(): ApiError {
  return new ApiError("conflict", "Listing is deleted; a deleted listing cannot be changed or unpaused");
}

/**
 * Why an owner-scoped UPDATE matched nothing: absent or someone else's (404), deleted (409),
 * otherwise the row exists and is live (the caller's own condition failed).
 */
async function explainMiss(ctx: ListingsContext, id: string): Promise<ListingRow> {
  const row = await withDb(ctx.env, ctx.waitUntil, (db) => findListing(db, id));
  if (!row || row.sellerWallet !== ctx.wallet) throw notFound();
  if (row.listing.status === "deleted") throw deleted();
  return row;
}

/** Creates a listing (and makes the caller a seller); the provider key is sealed before anything is stored. */
export async function createListing(ctx: ListingsContext, input: CreateListingRequest): Promise<OwnerListing> {
  const upstream = checkUpstreamUrl(input.upstreamBaseUrl, ctx.env.GATEWAY_MODE);
  if (!upstream.ok) throw new ApiError("invalid_request", `Invalid json: upstreamBaseUrl: ${upstream.reason}`);
  const id = crypto.randomUUID();
  const sealed = await sealListingKey(ctx.env, input.providerKey, { listingId: id, keyVersion: 1 });
  const injection = input.keyInjection;
  const row = await withDb(ctx.env, ctx.waitUntil, (db) =>
    insertListing(db, ctx.wallet, {
      id,
      service: input.service,
      type: input.type,
      category: input.category,
      description: input.description,
      upstreamBaseUrl: upstream.url,
      allowedMethods: input.allowedMethods,
      allowedPaths: input.allowedPaths,
      keyInjectionKind: injection.kind,
      keyInjectionName: injection.kind === "bearer" ? null : injection.name,
      keyInjectionTemplate: injection.kind === "header" ? (injection.template ?? null) : null,
      price: input.price,
      pricingUnit: input.pricingUnit,
      capacityTotal: input.capacity.total,
      capacityReservedForSelf: input.capacity.reservedForSelf,
      capacityWindow: input.capacity.window,
      status: "active",
      keyCiphertext: sealed.ciphertext,
      keyIv: sealed.iv,
      keyId: sealed.keyId,
      keyVersion: 1,
      keyLast4: last4(input.providerKey),
    }),
  );
  await pushConfig(ctx.env, row);
  forgetServiceNames();
  return ownerView(row);
}

/** The owner sees the whole config; any other wallet the public fields, and nothing of a deleted listing. */
export async function getListing(ctx: ListingsContext, id: string): Promise<OwnerListing | PublicListing> {
  const row = await withDb(ctx.env, ctx.waitUntil, (db) => findListing(db, id));
  if (!row) throw new ApiError("not_found", "No such listing");
  if (row.sellerWallet === ctx.wallet) return ownerView(row);
  if (row.listing.status === "deleted") throw new ApiError("not_found", "No such listing");
  return publicView(row);
}

export async function listListings(ctx: ListingsContext): Promise<OwnerListing[]> {
  const rows = await withDb(ctx.env, ctx.waitUntil, (db) => listOwnListings(db, ctx.wallet));
  return rows.map(ownerView);
}

async function applyChange(
  ctx: ListingsContext,
  id: string,
  change: ListingChange,
  guard?: { condition: SQL; message: string },
): Promise<OwnerListing> {
  const updated = await withDb(ctx.env, ctx.waitUntil, (db) =>
    updateOwnListing(db, ctx.wallet, id, change, { extra: guard?.condition }),
  );
  if (!updated) {
    await explainMiss(ctx, id);
    if (guard) throw new ApiError("invalid_request", guard.message);
    throw new ApiError("conflict", "Listing changed concurrently; retry");
  }
  const row = { listing: updated, sellerWallet: ctx.wallet };
  await pushConfig(ctx.env, row);
  return ownerView(row);
}

/**
 * Changes price, capacity, methods, paths, category or description. Partial capacity is merged
 * with the stored one inside the UPDATE, guarded so resale capacity stays ≥ 1.
 */
export async function updateListing(
  ctx: ListingsContext,
  id: string,
  input: UpdateListingRequest,
): Promise<OwnerListing> {
  const change: ListingChange = {};
  if (input.category !== undefined) change.category = input.category;
  if (input.description !== undefined) change.description = input.description;
  if (input.allowedMethods !== undefined) change.allowedMethods = input.allowedMethods;
  if (input.allowedPaths !== undefined) change.allowedPaths = input.allowedPaths;
  if (input.price !== undefined) change.price = input.price;
  const capacity = input.capacity;
  if (capacity?.total === undefined && capacity?.reservedForSelf === undefined) {
    if (capacity?.window !== undefined) change.capacityWindow = capacity.window;
    return applyChange(ctx, id, change);
  }
  if (capacity.total !== undefined) change.capacityTotal = capacity.total;
  if (capacity.reservedForSelf !== undefined) change.capacityReservedForSelf = capacity.reservedForSelf;
  if (capacity.window !== undefined) change.capacityWindow = capacity.window;
  const total = capacity.total ?? listings.capacityTotal;
  const reserved = capacity.reservedForSelf ?? listings.capacityReservedForSelf;
  return applyChange(ctx, id, change, {
    condition: sql`(${reserved})::integer < (${total})::integer`,
    message: "Invalid json: capacity: reservedForSelf must be below total (resale capacity ≥ 1)",
  });
}

export type StatusAction = "pause" | "unpause" | "delete";

/** Pause and unpause are idempotent; deleting is final (and repeating it answers the deleted listing). */
export async function setListingStatus(ctx: ListingsContext, id: string, action: StatusAction): Promise<OwnerListing> {
  const status = action === "pause" ? "paused" : action === "unpause" ? "active" : "deleted";
  try {
    const changed = await applyChange(ctx, id, { status });
    if (action === "unpause") forgetServiceNames();
    return changed;
  } catch (err) {
    if (action !== "delete" || !(err instanceof ApiError) || err.code !== "conflict") throw err;
    // Already deleted: push again (repairs a fence that missed it) and answer as the first time.
    const row = await withDb(ctx.env, ctx.waitUntil, (db) => findListing(db, id));
    if (!row || row.sellerWallet !== ctx.wallet) throw notFound();
    await pushConfig(ctx.env, row);
    return ownerView(row);
  }
}

/**
 * Replaces the provider key: sealed for key version + 1 (a compare-and-set on the version, so
 * concurrent rotations cannot seal for the same version), pushed to the fence, audited.
 */
export async function rotateListingKey(
  ctx: ListingsContext,
  id: string,
  input: RotateKeyRequest,
): Promise<OwnerListing> {
  for (let attempt = 0; attempt < ROTATE_ATTEMPTS; attempt++) {
    const current = await explainMiss(ctx, id);
    const version = current.listing.keyVersion + 1;
    const sealed = await sealListingKey(ctx.env, input.providerKey, { listingId: id, keyVersion: version });
    const updated = await withDb(ctx.env, ctx.waitUntil, (db) =>
      updateOwnListing(
        db,
        ctx.wallet,
        id,
        {
          keyCiphertext: sealed.ciphertext,
          keyIv: sealed.iv,
          keyId: sealed.keyId,
          keyVersion: version,
          keyLast4: last4(input.providerKey),
        },
        { expectKeyVersion: current.listing.keyVersion },
      ),
    );
    if (!updated) continue;
    const row = { listing: updated, sellerWallet: ctx.wallet };
    await pushConfig(ctx.env, row);
    afterResponse(ctx.env, ctx.waitUntil, "record key rotation", (db) => recordKeyRotated(db, ctx.wallet, id, version));
    return ownerView(row);
  }
  throw new ApiError("conflict", "The key was rotated concurrently; retry");
}
