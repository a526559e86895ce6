import { Hono } from "hono";
import { ChallengeRequest, ChallengeResponse, IssuedKey, VerifyRequest } from "../auth/interface.ts";
import { recordSecurityEvent } from "../auth/key-store.ts";
import { issueKey } from "../auth/keys.ts";
import { checkSignIn, issueChallenge, SIGN_IN_FAILURE_MESSAGES } from "../auth/sign-in.ts";
import { ApiError } from "../errors.ts";
import { afterResponse } from "../lib/db.ts";
import { createRedis } from "../lib/redis.ts";
import { validate } from "../lib/validate.ts";
import { operation } from "../openapi/registry.ts";
import type { AppEnv } from "../types.ts";

export const authApi = [
  operation({
    method: "post",
    path: "/v1/auth/challenge",
    operationId: "signInChallenge",
    summary: "Start a sign-in: a message with a single-use nonce to sign (valid 5 minutes)",
    tags: ["auth"],
    auth: "public",
    ipLimit: "signin",
    body: ChallengeRequest,
    responses: { 200: { description: "The message to sign with the wallet", schema: ChallengeResponse } },
    errors: ["invalid_request", "dependency_unavailable"],
  }),
  operation({
    method: "post",
    path: "/v1/auth/verify",
    operationId: "signInVerify",
    summary: "Finish a sign-in: the signed message → a new API key, shown this once",
    tags: ["auth"],
    auth: "public",
    ipLimit: "signin",
    body: VerifyRequest,
    responses: { 200: { description: "A new API key (`apiKey` is never shown again)", schema: IssuedKey } },
    errors: ["invalid_request", "unauthorized", "dependency_unavailable"],
  }),
];

/**
 * Sign-in with wallet (mounted at `/v1/auth`):
 * `POST /challenge {wallet}` → a message with a single-use nonce (5 min);
 * `POST /verify {wallet, nonce, signature}` → a new API key, shown this once.
 */
export const auth = new Hono<AppEnv>()
  .post("/challenge", validate("json", ChallengeRequest), async (c) => {
    const { wallet } = c.req.valid("json");
    const origin = new URL(c.req.url).origin;
    const { challenge, message } = await issueChallenge(createRedis(c.env), origin, wallet, Date.now());
    c.header("cache-control", "no-store");
    return c.json({
      wallet,
      nonce: challenge.nonce,
      message,
      issuedAt: new Date(challenge.issuedAt).toISOString(),
      expiresAt: new Date(challenge.expiresAt).toISOString(),
    } satisfies ChallengeResponse);
  })
  .post("/verify", validate("json", VerifyRequest), async (c) => {
    const input = c.req.valid("json");
    const waitUntil = (p: Promise<unknown>) => c.executionCtx.waitUntil(p);
    const outcome = await checkSignIn(createRedis(c.env), input, Date.now());
    if (!outcome.ok) {
      afterResponse(c.env, waitUntil, "record signin_failed", (db) =>
        recordSecurityEvent(db, "signin_failed", input.wallet, { reason: outcome.reason, requestId: c.var.requestId }),
      );
      throw new ApiError("unauthorized", SIGN_IN_FAILURE_MESSAGES[outcome.reason]);
    }
    const issued = await issueKey(c.env, waitUntil, input.wallet, "sign_in");
    c.header("cache-control", "no-store");
    return c.json(issued);
  });
