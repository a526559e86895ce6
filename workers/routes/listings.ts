import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import { ApiError } from "../errors.ts";
import { validate } from "../lib/validate.ts";
import {
  CreateListingRequest,
  ListingId,
  ListingList,
  OwnerListing,
  PublicListing,
  RotateKeyRequest,
  UpdateListingRequest,
} from "../listings/interface.ts";
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
import { type Operation, operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";

/** Listing bodies are small; anything bigger is refused before it is parsed. */
const MAX_BODY_BYTES = 64 * 1024;

const IdParams = z.object({ id: ListingId });
const LISTING_ERRORS: ErrorCode[] = ["not_found", "conflict", "dependency_unavailable"];

function listingOp(
  method: "post" | "patch" | "delete",
  path: string,
  operationId: string,
  summary: string,
  extra: Partial<Operation> = {},
): Operation {
  return operation({
    method,
    path: `/v1/listings/:id${path}`,
    operationId,
    summary,
    tags: ["listings"],
    auth: "apiKey",
    params: IdParams,
    responses: { 200: { description: "The listing as its owner sees it", schema: OwnerListing } },
    errors: LISTING_ERRORS,
    ...extra,
  });
}

export const listingsApi = [
  operation({
    method: "post",
    path: "/v1/listings",
    operationId: "createListing",
    summary: "List spare capacity of an upstream API (the provider key is sealed; shown only as its last 4)",
    tags: ["listings"],
    auth: "apiKey",
    body: CreateListingRequest,
    responses: { 201: { description: "The new listing", schema: OwnerListing } },
    errors: ["invalid_request", "payload_too_large", "conflict", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/listings",
    operationId: "listListings",
    summary: "The caller's own listings",
    tags: ["listings"],
    auth: "apiKey",
    responses: { 200: { description: "Every listing of the caller", schema: ListingList } },
    errors: ["dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/listings/:id",
    operationId: "getListing",
    summary: "One listing: the whole config for its owner, the public part for anyone else",
    tags: ["listings"],
    auth: "apiKey",
    params: IdParams,
    responses: {
      200: { description: "The listing", schema: z.discriminatedUnion("view", [OwnerListing, PublicListing]) },
    },
    errors: ["not_found", "dependency_unavailable"],
  }),
  listingOp("patch", "", "updateListing", "Change a listing (owner only); `{}` re-pushes its config to the fence", {
    body: UpdateListingRequest,
    errors: ["invalid_request", "payload_too_large", ...LISTING_ERRORS],
  }),
  listingOp("post", "/pause", "pauseListing", "Pause a listing: calls are refused at once"),
  listingOp("post", "/unpause", "unpauseListing", "Resume a paused listing"),
  listingOp("post", "/rotate-key", "rotateListingKey", "Replace the listing's provider key", {
    body: RotateKeyRequest,
    errors: ["invalid_request", "payload_too_large", ...LISTING_ERRORS],
  }),
  listingOp("delete", "", "deleteListing", "Delete a listing (calls refused at once; its history stays)"),
];

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
