import { Hono } from "hono";
import { z } from "zod";
import { IssuedKey, KeyList, RevokedKey } from "../auth/interface.ts";
import { listKeys } from "../auth/key-store.ts";
import { issueKey, revokeKey } from "../auth/keys.ts";
import { ApiError } from "../errors.ts";
import { withDb } from "../lib/db.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";

const KeyId = z.uuid();

export const keysApi = [
  operation({
    method: "get",
    path: "/v1/keys",
    operationId: "listKeys",
    summary: "The wallet's API keys (prefixes and dates, never the keys)",
    tags: ["keys"],
    auth: "apiKey",
    responses: { 200: { description: "Every key of the wallet, revoked ones included", schema: KeyList } },
    errors: ["dependency_unavailable"],
  }),
  operation({
    method: "post",
    path: "/v1/keys",
    operationId: "createKey",
    summary: "Mint another API key (shown this once)",
    tags: ["keys"],
    auth: "apiKey",
    responses: { 201: { description: "The new key", schema: IssuedKey } },
    errors: ["dependency_unavailable"],
  }),
  operation({
    method: "delete",
    path: "/v1/keys/:id",
    operationId: "revokeKey",
    summary: "Revoke a key at once (the one in use included)",
    tags: ["keys"],
    auth: "apiKey",
    params: z.object({ id: KeyId }),
    responses: { 200: { description: "The revoked key", schema: RevokedKey } },
    errors: ["not_found", "dependency_unavailable"],
  }),
];

function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * The caller's API keys (mounted at `/v1/keys`, all behind the API key):
 * `GET /` lists them (prefixes and dates, never hashes), `POST /` mints another one (shown once),
 * `DELETE /:id` revokes one at once (the key in use included).
 */
export const keys = new Hono<AuthEnv>()
  .use(requireApiKey())
  .get("/", async (c) => {
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const rows = await withDb(c.env, waitUntil, (db) => listKeys(db, c.var.wallet));
    c.header("cache-control", "no-store");
    return c.json({
      keys: rows.map((k) => ({
        id: k.id,
        prefix: k.prefix,
        createdAt: k.createdAt.toISOString(),
        lastUsedAt: iso(k.lastUsedAt),
        revokedAt: iso(k.revokedAt),
        current: k.id === c.var.apiKeyId,
      })),
    } satisfies KeyList);
  })
  .post("/", async (c) => {
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const issued = await issueKey(c.env, waitUntil, c.var.wallet, "api");
    c.header("cache-control", "no-store");
    return c.json(issued, 201);
  })
  .delete("/:id", async (c) => {
    const id = c.req.param("id");
    const notFound = new ApiError("not_found", "No such API key for this wallet");
    // Not a uuid: cannot be one of ours (and must not reach Postgres as a malformed uuid).
    if (!KeyId.safeParse(id).success) throw notFound;
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const revoked = await revokeKey(c.env, waitUntil, c.var.wallet, id.toLowerCase());
    if (!revoked) throw notFound;
    return c.json(revoked);
  });
