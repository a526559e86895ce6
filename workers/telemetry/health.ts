/**
 * Seller health telemetry in Redis: proxied calls' outcomes and latencies per listing, added by
 * lua/health-record.lua after the response (never before the upstream call) and read back in one
 * lua/health-read.lua call. The window and its summary are pure: workers/telemetry/health-window.ts.
 */
import type { Redis } from "@upstash/redis/cloudflare";
import healthReadSource from "../../lua/health-read.lua";
import healthRecordSource from "../../lua/health-record.lua";
import {
  addSample,
  type BucketCounts,
  bucketKey,
  bucketStart,
  emptyCounts,
  HEALTH_BUCKET_MS,
  HEALTH_WINDOW_MS,
  type HealthSample,
  type HealthStats,
  HISTOGRAM_SLOTS,
  summarizeHealth,
  windowStarts,
} from "./health-window.ts";

export type { HealthSample, HealthStats } from "./health-window.ts";

/** The part of the Redis client telemetry needs. */
export type HealthRedis = Pick<Redis, "createScript">;

/** Adds `counts` to the bucket starting at `start` (EVALSHA with NOSCRIPT → EVAL fallback). */
export async function addToBucket(
  redis: HealthRedis,
  listingId: string,
  start: number,
  counts: BucketCounts,
): Promise<void> {
  await redis
    .createScript<number>(healthRecordSource)
    .exec(
      [bucketKey(listingId, start)],
      [
        String(start + HEALTH_WINDOW_MS + HEALTH_BUCKET_MS),
        ...[
          counts.n,
          counts.ok,
          counts.clientErrors,
          counts.errors,
          counts.rateLimited,
          counts.latencyCount,
          counts.latencySumMs,
        ].map(String),
        ...counts.histogram.map(String),
      ],
    );
}

/** Records one call at `now`. */
export function recordHealth(redis: HealthRedis, listingId: string, sample: HealthSample, now: number): Promise<void> {
  return addToBucket(redis, listingId, bucketStart(now), addSample(emptyCounts(), sample));
}

const FIXED_FIELDS = 7;

/** Reads a listing's last 5 minutes in one script call and summarizes them. */
export async function readHealth(redis: HealthRedis, listingId: string, now: number): Promise<HealthStats> {
  const keys = windowStarts(now).map((start) => bucketKey(listingId, start));
  const flat = (await redis.createScript<number[]>(healthReadSource).exec(keys, [String(HISTOGRAM_SLOTS)])).map(Number);
  const width = FIXED_FIELDS + HISTOGRAM_SLOTS;
  const buckets: BucketCounts[] = keys.map((_, i) => {
    const row = flat.slice(i * width, (i + 1) * width);
    const at = (j: number) => row[j] ?? 0;
    return {
      n: at(0),
      ok: at(1),
      clientErrors: at(2),
      errors: at(3),
      rateLimited: at(4),
      latencyCount: at(5),
      latencySumMs: at(6),
      histogram: row.slice(FIXED_FIELDS),
    };
  });
  return summarizeHealth(buckets);
}
