import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../errors.ts";
import { validate } from "../lib/validate.ts";
import { CreateListingRequest, ListingId, RotateKeyRequest, UpdateListingRequest } from "../listings/interface.ts";
import {
  createListing,
  getListing,
  type ListingsContext,
  listListings,
  rotateListingKey,
  type StatusAction,
  setListingStatus,
  updateListing,
} from "../listings/listings.ts";
import { requireApiKey } from "../middleware/auth.ts";
import type { AuthEnv } from "../types.ts";

/** Listing bodies are small; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;

function contextOf(c: Context<AuthEnv>): ListingsContext {
  return { env: c.env, waitUntil: (p) => c.executionCtx.waitUntil(p), wallet: c.var.wallet };
}

/** The `:id` parameter, or a 404: a malformed id cannot name a listing (nor reach Postgres). */
function listingId(c: Context<AuthEnv>): string {
  const parsed = ListingId.safeParse(c.req.param("id"));
  if (!parsed.success) throw new ApiError("not_found", "No such listing");
  return parsed.data.toLowerCase();
}

const limit = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new ApiError("payload_too_large", `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  },
});

function statusRoute(action: StatusAction) {
  return async (c: Context<AuthEnv>) => {
    c.header("cache-control", "no-store");
    return c.json(await setListingStatus(contextOf(c), listingId(c), action));
  };
}

/**
 * Seller listings (mounted at `/v1/listings`, all behind the API key). Only the owner's wallet
 * can change a listing; for any other wallet it answers 404. Responses show the provider key
 * only as `keyLast4`. See docs/decisions/009-capacity-fence.md.
 */
export const listingRoutes = new Hono<AuthEnv>()
  .use(requireApiKey())
  .post("/", limit, validate("json", CreateListingRequest), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await createListing(contextOf(c), c.req.valid("json")), 201);
  })
  .get("/", async (c) => {
    c.header("cache-control", "no-store");
    return c.json({ listings: await listListings(contextOf(c)) });
  })
  .get("/:id", async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await getListing(contextOf(c), listingId(c)));
  })
  .patch("/:id", limit, validate("json", UpdateListingRequest), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await updateListing(contextOf(c), listingId(c), c.req.valid("json")));
  })
  .post("/:id/pause", statusRoute("pause"))
  .post("/:id/unpause", statusRoute("unpause"))
  .post("/:id/rotate-key", limit, validate("json", RotateKeyRequest), async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await rotateListingKey(contextOf(c), listingId(c), c.req.valid("json")));
  })
  .delete("/:id", statusRoute("delete"));
