import type { Redis } from "@upstash/redis/cloudflare";
import lockAcquireSource from "../../lua/lock-acquire.lua";
import lockReleaseSource from "../../lua/lock-release.lua";

/** The part of the Redis client the lock needs. */
export type LockRedis = Pick<Redis, "createScript">;

export interface Lock {
  readonly key: string;
  readonly token: string;
  /** Releases the lock if this holder still owns it; true when it did. */
  release(): Promise<boolean>;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Tries to take `key` for `ttlMs`. Returns the lock, or null when another holder has it.
 * Scripts run by EVALSHA with a NOSCRIPT → EVAL fallback (`createScript`).
 *
 * @example
 * const lock = await tryLock(redis, "lock:settlement", 9 * 60_000);
 * if (lock) try { await settle(); } finally { await lock.release(); }
 */
export async function tryLock(redis: LockRedis, key: string, ttlMs: number): Promise<Lock | null> {
  const token = randomToken();
  const acquired = await redis.createScript<number>(lockAcquireSource).exec([key], [token, String(ttlMs)]);
  if (acquired !== 1) return null;
  return {
    key,
    token,
    release: async () => (await redis.createScript<number>(lockReleaseSource).exec([key], [token])) === 1,
  };
}
