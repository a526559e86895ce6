import { DurableObject } from "cloudflare:workers";
import { parseArg } from "../workers/credit/schemas.ts";
import type { Env } from "../workers/env.ts";
import type { AdmitResult, FenceRpc, ListingConfig } from "../workers/fence/interface.ts";
import { type CompiledPattern, checkRoute, compilePatterns } from "../workers/fence/paths.ts";
import {
  BackoffSeconds,
  configFromJson,
  configToJson,
  KnownConfigVersion,
  ListingConfigSchema,
  MAX_BACKOFF_SECONDS,
  Method,
  RequestId,
  RequestPath,
} from "../workers/fence/schemas.ts";
import {
  admit as admitWindow,
  emptyWindow,
  firstCountedBucket,
  rebucket,
  used,
  type WindowSpec,
  type WindowState,
  windowSpec,
} from "../workers/fence/window.ts";
import {
  forgetAdmitted,
  getMeta,
  initFenceSchema,
  loadWindow,
  recordAdmit,
  rememberAdmitted,
  replaceWindow,
  setMeta,
  wasAdmitted,
} from "./fence-store.ts";
import { initMeta, readSchemaVersion } from "./meta.ts";

const SCHEMA_VERSION = 1;
/** How long an admitted request id is remembered: retries come within seconds; forgetting only over-counts. */
const DEDUPE_MS = 3_600_000;
const PURGE_EVERY_MS = 60_000;
const PURGE_LIMIT = 500;

/** A configured fence, as held in memory (loaded once, then kept in step with every write). */
interface Live {
  config: ListingConfig;
  patterns: CompiledPattern[];
  spec: WindowSpec;
}

function resaleOf(config: ListingConfig): number {
  return config.capacity.total - config.capacity.reservedForSelf;
}

function liveOf(config: ListingConfig): Live {
  return {
    config,
    patterns: compilePatterns(config.allowedPaths),
    spec: windowSpec(config.capacity.window, resaleOf(config)),
  };
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/**
 * One per listing (id = idFromName(listing id)). Fences the seller's resale capacity with a
 * conservative sliding window (workers/fence/window.ts) and holds the listing's live config —
 * status, routing, key ciphertext + version — so pause/rotate/delete apply to the very next call.
 *
 * Hot path: `admit` is synchronous after argument parsing (no await between read and write), so
 * concurrent admits serialize on the object; its only storage work is one bucket upsert and one
 * request-id insert, committed before the reply leaves (output gate). Nothing is kept only in
 * memory, so an evicted or restarted object cannot over-admit. See docs/decisions/009.
 */
export class CapacityFenceDO extends DurableObject<Env> implements FenceRpc {
  #live: Live | null = null;
  #window: WindowState = emptyWindow();
  #backoffUntil = 0;
  #lastPurge = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // SQLite storage is synchronous: everything is loaded before the first request is delivered.
    const sql = ctx.storage.sql;
    initMeta(sql, SCHEMA_VERSION);
    initFenceSchema(sql);
    const stored = getMeta(sql, "config");
    if (stored !== null) {
      this.#live = liveOf(configFromJson(stored));
      this.#window = loadWindow(sql, this.#live.spec);
    }
    this.#backoffUntil = Number(getMeta(sql, "backoff_until") ?? 0);
  }

  async describe(): Promise<{ kind: "capacity-fence"; schemaVersion: number }> {
    return { kind: "capacity-fence", schemaVersion: readSchemaVersion(this.ctx.storage.sql) };
  }

  async configure(config: ListingConfig): Promise<{ applied: boolean }> {
    const next = liveOf(parseArg(ListingConfigSchema, config, "config"));
    const held = this.#live;
    if (held && held.config.listingId !== next.config.listingId) {
      throw new TypeError("invalid config: this fence belongs to another listing");
    }
    // Equal versions re-apply (a repeated push of the same change); lower ones are stale writers.
    if (held && next.config.configVersion < held.config.configVersion) return { applied: false };
    const sql = this.ctx.storage.sql;
    const relength = held !== null && held.spec.lengthMs !== next.spec.lengthMs;
    const window = relength ? rebucket(this.#window, held.spec, next.spec, Date.now()) : this.#window;
    this.ctx.storage.transactionSync(() => {
      setMeta(sql, "config", configToJson(next.config));
      if (relength) replaceWindow(sql, window);
    });
    this.#live = next;
    this.#window = window;
    return { applied: true };
  }

  async admit(requestId: string, method: string, path: string, knownConfigVersion?: number): Promise<AdmitResult> {
    const id = parseArg(RequestId, requestId, "requestId");
    const verb = parseArg(Method, method, "method");
    const target = parseArg(RequestPath, path, "path");
    const known = parseArg(KnownConfigVersion, knownConfigVersion, "knownConfigVersion");
    const live = this.#live;
    if (!live) return { ok: false, reason: "not_configured" };
    const { spec } = live;
    // The caller's cached copy is this very version: skip sending (and cloning) it again.
    const config = known === live.config.configVersion ? null : live.config;
    if (live.config.status === "deleted") return { ok: false, reason: "deleted" };
    if (live.config.status === "paused") return { ok: false, reason: "paused" };
    const route = checkRoute(live.config.allowedMethods, live.patterns, verb, target);
    if (!route.ok) return { ok: false, reason: route.reason };

    const now = Date.now();
    if (this.#backoffUntil > now)
      return { ok: false, reason: "backoff", retryAfter: seconds(this.#backoffUntil - now) };
    const resaleCapacity = spec.limit;
    const sql = this.ctx.storage.sql;
    // A retried admit of the same request counts once.
    if (wasAdmitted(sql, id)) {
      return { ok: true, config, usedInWindow: used(this.#window, spec, now), resaleCapacity };
    }
    const decision = admitWindow(this.#window, spec, now);
    if (!decision.ok) {
      this.#window = decision.state;
      return { ok: false, reason: "capacity", retryAfter: seconds(decision.retryAfterMs) };
    }
    const purge = now - this.#lastPurge >= PURGE_EVERY_MS;
    this.ctx.storage.transactionSync(() => {
      const first = decision.expired.length > 0 ? firstCountedBucket(spec, decision.state.clock) : null;
      recordAdmit(sql, decision.bucket, first);
      rememberAdmitted(sql, id, now);
      if (purge) forgetAdmitted(sql, now - DEDUPE_MS, PURGE_LIMIT);
    });
    if (purge) this.#lastPurge = now;
    this.#window = decision.state;
    return { ok: true, config, usedInWindow: decision.used, resaleCapacity };
  }

  async backoff(retryAfterSeconds: number): Promise<void> {
    const secs = Math.min(parseArg(BackoffSeconds, retryAfterSeconds, "retryAfterSeconds"), MAX_BACKOFF_SECONDS);
    const until = Date.now() + Math.ceil(secs * 1000);
    // Never shortens a backoff already in force.
    if (until <= this.#backoffUntil) return;
    setMeta(this.ctx.storage.sql, "backoff_until", String(until));
    this.#backoffUntil = until;
  }

  async snapshot(): Promise<{
    config: ListingConfig | null;
    usedInWindow: number;
    resaleCapacity: number;
    backoffUntil: number | null;
  }> {
    const now = Date.now();
    const live = this.#live;
    return {
      config: live?.config ?? null,
      usedInWindow: live ? used(this.#window, live.spec, now) : 0,
      resaleCapacity: live?.spec.limit ?? 0,
      backoffUntil: this.#backoffUntil > now ? this.#backoffUntil : null,
    };
  }
}
