import type { Redis } from "@upstash/redis/cloudflare";
import nonceConsumeSource from "../../lua/nonce-consume.lua";
import nonceIssueSource from "../../lua/nonce-issue.lua";
import type { Challenge } from "./challenge.ts";

/** The part of the Redis client the nonce store needs. */
export type NonceRedis = Pick<Redis, "createScript">;

export function nonceKey(nonce: string): string {
  return `auth:nonce:${nonce}`;
}

/**
 * Stores the challenge's nonce bound to its wallet until it expires. Throws if the nonce already
 * exists (128 random bits: it never does, but a collision must not rebind someone's nonce).
 */
export async function storeChallenge(redis: NonceRedis, challenge: Challenge): Promise<void> {
  const ttlMs = challenge.expiresAt - challenge.issuedAt;
  const stored = await redis
    .createScript<number>(nonceIssueSource)
    .exec(
      [nonceKey(challenge.nonce)],
      [challenge.wallet, String(challenge.issuedAt), String(challenge.expiresAt), challenge.origin, String(ttlMs)],
    );
  if (stored !== 1) throw new Error("sign-in nonce collision");
}

export type ConsumedNonce =
  | { ok: true; issuedAt: number; expiresAt: number; origin: string }
  | { ok: false; reason: "missing" | "wrong_wallet" };

/**
 * Takes the nonce out of Redis (atomically: at most one caller ever gets `ok`) and checks it was
 * issued to `wallet`. Scripts run by EVALSHA with a NOSCRIPT → EVAL fallback (`createScript`).
 */
export async function consumeNonce(redis: NonceRedis, nonce: string, wallet: string): Promise<ConsumedNonce> {
  const reply = await redis.createScript<string[]>(nonceConsumeSource).exec([nonceKey(nonce)], [wallet]);
  // The client JSON-parses replies where it can (epoch ms come back as numbers): normalise to text.
  const [status, issuedAt, expiresAt, origin] = reply.map(String);
  if (status === "ok" && issuedAt !== undefined && expiresAt !== undefined && origin !== undefined) {
    return { ok: true, issuedAt: Number(issuedAt), expiresAt: Number(expiresAt), origin };
  }
  return { ok: false, reason: status === "wrong_wallet" ? "wrong_wallet" : "missing" };
}
