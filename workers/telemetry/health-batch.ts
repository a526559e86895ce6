/**
 * Health samples are batched per isolate: calls add to an in-memory increment per (listing,
 * bucket), and one flush per second writes them all (one Lua call per listing and bucket), after
 * the responses. So a busy listing costs Redis one call per second per isolate, not one per call.
 * Telemetry is best effort: an isolate evicted before its flush loses at most a second of samples.
 */
import type { Env } from "../env.ts";
import { redactError } from "../lib/redact.ts";
import { createRedis } from "../lib/redis.ts";
import { addToBucket } from "./health.ts";
import { addSample, type BucketCounts, bucketStart, emptyCounts, type HealthSample } from "./health-window.ts";

export const HEALTH_FLUSH_MS = 1_000;

interface Pending {
  listingId: string;
  start: number;
  counts: BucketCounts;
}

const pending = new Map<string, Pending>();
let flushScheduled = false;

async function flush(env: Env): Promise<void> {
  flushScheduled = false;
  const batch = [...pending.values()];
  pending.clear();
  const redis = createRedis(env);
  await Promise.all(
    batch.map((p) =>
      addToBucket(redis, p.listingId, p.start, p.counts).catch((err: unknown) =>
        console.warn(
          JSON.stringify({
            level: "warn",
            msg: "health telemetry failed",
            listingId: p.listingId,
            reason: redactError(err, [env.UPSTASH_REDIS_REST_TOKEN]),
          }),
        ),
      ),
    ),
  );
}

/**
 * Queues one call's sample; the first sample of a batch schedules the flush with `waitUntil`, so
 * the request that opened the batch stays alive until it is written.
 */
export function queueHealth(
  env: Env,
  waitUntil: (promise: Promise<unknown>) => void,
  listingId: string,
  sample: HealthSample,
  now: number,
): void {
  const start = bucketStart(now);
  const key = `${listingId}|${start}`;
  const entry = pending.get(key) ?? { listingId, start, counts: emptyCounts() };
  entry.counts = addSample(entry.counts, sample);
  pending.set(key, entry);
  if (flushScheduled) return;
  flushScheduled = true;
  waitUntil(new Promise((resolve) => setTimeout(resolve, HEALTH_FLUSH_MS)).then(() => flush(env)));
}
