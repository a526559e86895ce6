/**
 * The isolate's catalog caches, all stale-while-revalidate (workers/lib/swr-cache.ts):
 * - active listings per service (routing) and all of them (the catalog API): revalidated in the
 *   background once 10 s old, never served older than 30 s. A service with no listings is looked
 *   up again after 2 s, so a brand-new service routes within seconds.
 * - health per listing from Redis (lua/health-read.lua): revalidated once 4 s old; routing only
 *   peeks (never waits for Redis), using a value ≤ 30 s old or nothing (priors + local outcomes).
 * - one listing for `GET /v1/apis/:id`: fresh 2 s, ≤ 10 s (a paused listing answers 404 within that).
 * - headroom per listing from its CapacityFenceDO's snapshot (catalog only), ≤ 30 s, fresh 5 s.
 * - the names of the services with an active listing: a name the isolate does not hold is looked
 *   up again at most every 2 s, whatever names are tried, so made-up names cost no query of their
 *   own and never push real services out of the per-service cache. A listing created or resumed
 *   through this isolate drops the names at once; other isolates see a brand-new service within 2 s.
 * A cold isolate therefore does two Postgres queries before the first call of a service.
 */
import type { Env } from "../env.ts";
import { fenceStub } from "../fence/stub.ts";
import { withDb } from "../lib/db.ts";
import { redactError } from "../lib/redact.ts";
import { createRedis } from "../lib/redis.ts";
import { SwrCache } from "../lib/swr-cache.ts";
import { type HealthStats, readHealth } from "../telemetry/health.ts";
import { activeListing, activeListings, activeServiceNames, type CatalogListing } from "./store.ts";

type WaitUntil = (promise: Promise<unknown>) => void;

export const LISTINGS_FRESH_MS = 10_000;
export const LISTINGS_MAX_AGE_MS = 30_000;
/** An empty answer (unknown service) is asked again after this long. */
export const EMPTY_RETRY_MS = 2_000;
export const DETAIL_FRESH_MS = 2_000;
export const DETAIL_MAX_AGE_MS = 10_000;
export const HEALTH_FRESH_MS = 4_000;
export const HEALTH_MAX_AGE_MS = 30_000;
export const HEADROOM_FRESH_MS = 5_000;

function warn(what: string) {
  return (key: string, err: unknown) =>
    console.warn(JSON.stringify({ level: "warn", msg: `${what} refresh failed`, key, reason: redactError(err, []) }));
}

const listingCache = new SwrCache<CatalogListing[]>({
  freshMs: LISTINGS_FRESH_MS,
  maxAgeMs: LISTINGS_MAX_AGE_MS,
  onError: warn("catalog"),
});
const healthCache = new SwrCache<HealthStats>({
  freshMs: HEALTH_FRESH_MS,
  maxAgeMs: HEALTH_MAX_AGE_MS,
  maxEntries: 5_000,
  onError: warn("health"),
});
const headroomCache = new SwrCache<Headroom>({
  freshMs: HEADROOM_FRESH_MS,
  maxAgeMs: LISTINGS_MAX_AGE_MS,
  maxEntries: 5_000,
  onError: warn("headroom"),
});

/** One listing for `GET /v1/apis/:id` (null = not active): short-lived, so a pause shows within seconds. */
const detailCache = new SwrCache<CatalogListing | null>({
  freshMs: DETAIL_FRESH_MS,
  maxAgeMs: DETAIL_MAX_AGE_MS,
  maxEntries: 5_000,
  onError: warn("catalog detail"),
});

const ALL = "*";

/**
 * The names of the services with an active listing, as last loaded (null: never). A load that
 * began before `forgetServiceNames` carries an older generation and is not trusted.
 */
let names: { set: ReadonlySet<string>; generation: number; at: number } | null = null;
let namesLoading: Promise<{ set: ReadonlySet<string>; generation: number }> | null = null;
/** When a load of the names last began: unknown names ask Postgres at most once per EMPTY_RETRY_MS. */
let namesTriedAt = Number.NEGATIVE_INFINITY;
let namesGeneration = 0;

/** A listing was created or resumed here: its service must be routable on the next call. */
export function forgetServiceNames(): void {
  namesGeneration += 1;
  namesTriedAt = Number.NEGATIVE_INFINITY;
}

function loadServiceNames(env: Env, waitUntil: WaitUntil) {
  if (namesLoading !== null) return namesLoading;
  const generation = namesGeneration;
  namesTriedAt = Date.now();
  const loading = withDb(env, waitUntil, (db) => activeServiceNames(db))
    .then((set) => {
      if (generation === namesGeneration) names = { set, generation, at: Date.now() };
      return { set, generation };
    })
    .finally(() => {
      namesLoading = null;
    });
  namesLoading = loading;
  return loading;
}

/**
 * Whether `service` has an active listing, from the names held (≤ 30 s old, refreshed in the
 * background after 10 s). A name not held is looked up only if no lookup began in the last
 * EMPTY_RETRY_MS; while Postgres is down, what is held still answers.
 */
async function isActiveService(env: Env, service: string, waitUntil: WaitUntil): Promise<boolean> {
  const now = Date.now();
  const held = names;
  const current = held !== null && held.generation === namesGeneration && now - held.at < LISTINGS_MAX_AGE_MS;
  const mayLoad = now - namesTriedAt >= EMPTY_RETRY_MS;
  if (current && held.set.has(service)) {
    if (now - held.at >= LISTINGS_FRESH_MS && mayLoad) {
      waitUntil(loadServiceNames(env, waitUntil).catch((err: unknown) => warn("service names")("names", err)));
    }
    return true;
  }
  if (current && !mayLoad) return false;
  try {
    let loaded = await loadServiceNames(env, waitUntil);
    // Joined a load that began before a listing was created here: load once more.
    if (loaded.generation !== namesGeneration) loaded = await loadServiceNames(env, waitUntil);
    return loaded.set.has(service);
  } catch (err) {
    if (held === null) throw err;
    warn("service names")("names", err);
    return held.set.has(service);
  }
}

async function cachedListings(
  env: Env,
  key: string,
  waitUntil: WaitUntil,
  service?: string,
): Promise<CatalogListing[]> {
  const load = () => withDb(env, waitUntil, (db) => activeListings(db, service));
  const now = Date.now();
  const held = await listingCache.get(key, now, load, waitUntil);
  if (held.length > 0 || listingCache.age(key, now) < EMPTY_RETRY_MS) return held;
  listingCache.delete(key);
  return listingCache.get(key, Date.now(), load, waitUntil);
}

/** Active listings of `service` (routing candidates); none, without a query, for a name no active listing has. */
export async function serviceListings(env: Env, service: string, waitUntil: WaitUntil): Promise<CatalogListing[]> {
  if (!(await isActiveService(env, service, waitUntil))) return [];
  return cachedListings(env, `s:${service}`, waitUntil, service);
}

/** Every active listing (the catalog API). */
export function allListings(env: Env, waitUntil: WaitUntil): Promise<CatalogListing[]> {
  return cachedListings(env, ALL, waitUntil);
}

/** One active listing, or null (unknown, paused, deleted). */
export function oneListing(env: Env, id: string, waitUntil: WaitUntil): Promise<CatalogListing | null> {
  return detailCache.get(id, Date.now(), () => withDb(env, waitUntil, (db) => activeListing(db, id)), waitUntil);
}

function loadHealth(env: Env, listingId: string): () => Promise<HealthStats> {
  return () => readHealth(createRedis(env), listingId, Date.now());
}

/** Health for routing: what is held (≤ 30 s old) or null; never waits (a refresh runs in the background). */
export function peekHealth(env: Env, listingId: string, waitUntil: WaitUntil): HealthStats | null {
  return healthCache.peek(listingId, Date.now(), loadHealth(env, listingId), waitUntil) ?? null;
}

/** Health for the catalog: waits for Redis on a cold isolate; null if Redis cannot be read. */
export async function getHealth(env: Env, listingId: string, waitUntil: WaitUntil): Promise<HealthStats | null> {
  try {
    return await healthCache.get(listingId, Date.now(), loadHealth(env, listingId), waitUntil);
  } catch (err) {
    warn("health")(listingId, err);
    return null;
  }
}

export interface Headroom {
  /** Free share of the resale capacity in the current window, 0..1 (0 while the upstream backs off). */
  headroom: number;
  backoffUntil: number | null;
}

/** The fence's live headroom (catalog only); 1 if the fence cannot be asked (documented approximation). */
export async function getHeadroom(env: Env, listingId: string, waitUntil: WaitUntil): Promise<Headroom> {
  const load = async (): Promise<Headroom> => {
    const snap = await fenceStub(env, listingId).snapshot();
    if (snap.backoffUntil !== null) return { headroom: 0, backoffUntil: snap.backoffUntil };
    const free = snap.resaleCapacity > 0 ? 1 - snap.usedInWindow / snap.resaleCapacity : 0;
    return { headroom: Math.max(0, Math.min(1, free)), backoffUntil: null };
  };
  try {
    return await headroomCache.get(listingId, Date.now(), load, waitUntil);
  } catch (err) {
    warn("headroom")(listingId, err);
    return { headroom: 1, backoffUntil: null };
  }
}
