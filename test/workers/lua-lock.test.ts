import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import lockAcquireSource from "../../lua/lock-acquire.lua";
import lockReleaseSource from "../../lua/lock-release.lua";
import { tryLock } from "../../workers/lib/lock.ts";
import { createRedis } from "../../workers/lib/redis.ts";

const redis = createRedis(env);

async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
const key = `test:lock:${crypto.randomUUID()}`;

afterEach(async () => {
  await redis.del(key);
});

describe("run lock (lua/lock-*.lua through @upstash/redis)", () => {
  it("starts from an empty script cache", async () => {
    await redis.scriptFlush();
    expect(await redis.scriptExists(await sha1(lockAcquireSource), await sha1(lockReleaseSource))).toEqual([0, 0]);
  });

  it("loads the scripts on first use (NOSCRIPT → EVAL) and runs them by EVALSHA after", async () => {
    await redis.scriptFlush();
    const lock = await tryLock(redis, key, 10_000);
    expect(lock).not.toBeNull();
    // The fallback loaded both scripts: EVALSHA will find them from now on.
    expect(await redis.scriptExists(await sha1(lockAcquireSource))).toEqual([1]);
    expect(await redis.get(key)).toBe(lock?.token);
    expect(await lock?.release()).toBe(true);
    expect(await redis.scriptExists(await sha1(lockReleaseSource))).toEqual([1]);
    expect(await redis.exists(key)).toBe(0);
  });

  it("admits exactly one holder among concurrent contenders", async () => {
    const attempts = await Promise.all(Array.from({ length: 20 }, () => tryLock(redis, key, 10_000)));
    const holders = attempts.filter((l) => l !== null);
    expect(holders).toHaveLength(1);
  });

  it("never releases a lock that another holder took after ours expired", async () => {
    const first = await tryLock(redis, key, 50);
    expect(first).not.toBeNull();
    await new Promise((r) => setTimeout(r, 120));
    const second = await tryLock(redis, key, 10_000);
    expect(second).not.toBeNull();
    expect(await first?.release()).toBe(false);
    expect(await redis.get(key)).toBe(second?.token);
    expect(await second?.release()).toBe(true);
  });
});
