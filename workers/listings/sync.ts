/**
 * Keeps each listing's CapacityFenceDO in step with Postgres: after every committed change the
 * full config (with its `configVersion`) is pushed with `configure()`; the fence ignores older
 * versions, so pushes that race or arrive late converge on the newest committed config.
 */
import type { Db } from "../../db/client.ts";
import type { Env } from "../env.ts";
import { ApiError } from "../errors.ts";
import { fenceStub } from "../fence/stub.ts";
import { redactError } from "../lib/redact.ts";
import { findListing, type ListingRow } from "./store.ts";
import { toListingConfig } from "./views.ts";

const ATTEMPTS = 2;

/**
 * Pushes a row's config into its fence. Throws `dependency_unavailable` (the change is already
 * committed; repeating the request pushes it again) when the fence cannot be reached.
 */
export async function pushConfig(env: Pick<Env, "CAPACITY_FENCE">, row: ListingRow): Promise<void> {
  const config = toListingConfig(row);
  let failure: unknown;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    try {
      await fenceStub(env, config.listingId).configure(config);
      return;
    } catch (err) {
      failure = err;
    }
  }
  console.warn(
    JSON.stringify({
      level: "warn",
      msg: "fence configure failed",
      listingId: config.listingId,
      reason: redactError(failure, []),
    }),
  );
  throw new ApiError(
    "dependency_unavailable",
    `Listing ${config.listingId}: the change is saved but not live yet; repeat the request (PATCH with {} re-applies the current config)`,
    { retryAfter: 1, cause: failure },
  );
}

/**
 * Reads a listing from Postgres and pushes it into its fence, e.g. for listings written outside
 * the API (the dev seed) or to repair a fence. Returns false when the listing does not exist.
 */
export async function syncListing(env: Pick<Env, "CAPACITY_FENCE">, db: Db, listingId: string): Promise<boolean> {
  const row = await findListing(db, listingId);
  if (!row) return false;
  await pushConfig(env, row);
  return true;
}
