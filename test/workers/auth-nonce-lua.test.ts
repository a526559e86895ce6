import { env } from "cloudflare:test";
import bs58 from "bs58";
import { describe, expect, it } from "vitest";
import nonceConsumeSource from "../../lua/nonce-consume.lua";
import nonceIssueSource from "../../lua/nonce-issue.lua";
import { newChallenge } from "../../workers/auth/challenge.ts";
import { consumeNonce, nonceKey, storeChallenge } from "../../workers/auth/nonces.ts";
import { createRedis } from "../../workers/lib/redis.ts";

const redis = createRedis(env);
const wallet = bs58.encode(new Uint8Array(32).fill(4));
const other = bs58.encode(new Uint8Array(32).fill(5));

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("sign-in nonces (lua/nonce-*.lua through @upstash/redis)", () => {
  it("loads the scripts on first use (NOSCRIPT → EVAL) and runs them by EVALSHA after", async () => {
    await redis.scriptFlush();
    const challenge = newChallenge("http://gateway.test", wallet, Date.now());
    await storeChallenge(redis, challenge);
    expect(await redis.scriptExists(await sha1(nonceIssueSource))).toEqual([1]);
    expect(await consumeNonce(redis, challenge.nonce, wallet)).toEqual({
      ok: true,
      issuedAt: challenge.issuedAt,
      expiresAt: challenge.expiresAt,
      origin: "http://gateway.test",
    });
    expect(await redis.scriptExists(await sha1(nonceConsumeSource))).toEqual([1]);
  });

  it("hands a nonce to exactly one of many concurrent claims", async () => {
    const challenge = newChallenge("http://gateway.test", wallet, Date.now());
    await storeChallenge(redis, challenge);
    const claims = await Promise.all(Array.from({ length: 25 }, () => consumeNonce(redis, challenge.nonce, wallet)));
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    expect(claims.filter((c) => !c.ok && c.reason === "missing")).toHaveLength(24);
  });

  it("burns a nonce claimed by another wallet", async () => {
    const challenge = newChallenge("http://gateway.test", wallet, Date.now());
    await storeChallenge(redis, challenge);
    expect(await consumeNonce(redis, challenge.nonce, other)).toEqual({ ok: false, reason: "wrong_wallet" });
    expect(await redis.exists(nonceKey(challenge.nonce))).toBe(0);
    expect(await consumeNonce(redis, challenge.nonce, wallet)).toEqual({ ok: false, reason: "missing" });
  });

  it("never rebinds an existing nonce", async () => {
    const challenge = newChallenge("http://gateway.test", wallet, Date.now());
    await storeChallenge(redis, challenge);
    await expect(storeChallenge(redis, { ...challenge, wallet: other })).rejects.toThrow("collision");
    expect(await redis.hget(nonceKey(challenge.nonce), "wallet")).toBe(wallet);
  });
});
