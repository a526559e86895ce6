/**
 * This isolate's own recent view of each listing, updated the moment an attempt ends (before
 * Redis telemetry is flushed or read back), so a seller that starts failing loses this isolate's
 * traffic within seconds. Counts decay exponentially (half-life `HALF_LIFE_MS`): recent outcomes
 * dominate, old ones fade. Also holds 429 backoffs seen here and the last headroom the fence
 * reported on admit. Memory only, bounded; nothing here is money or security relevant.
 */
import type { LocalHealth } from "./score.ts";

export const HALF_LIFE_MS = 10_000;
/** A headroom reading older than this is not used. */
export const HEADROOM_TTL_MS = 30_000;
const MAX_ENTRIES = 2_000;

export type Outcome = "ok" | "failed" | "client_error";

interface Entry {
  at: number;
  ok: number;
  failed: number;
  latencySum: number;
  latencyWeight: number;
  backoffUntil: number;
  headroom: number | null;
  headroomAt: number;
}

function decay(e: Entry, now: number): void {
  const dt = now - e.at;
  if (dt <= 0) return;
  const f = 0.5 ** (dt / HALF_LIFE_MS);
  e.ok *= f;
  e.failed *= f;
  e.latencySum *= f;
  e.latencyWeight *= f;
  e.at = now;
}

export class LocalFeedback {
  readonly #entries = new Map<string, Entry>();

  #entry(listingId: string, now: number): Entry {
    let e = this.#entries.get(listingId);
    if (e === undefined) {
      if (this.#entries.size >= MAX_ENTRIES) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      e = {
        at: now,
        ok: 0,
        failed: 0,
        latencySum: 0,
        latencyWeight: 0,
        backoffUntil: 0,
        headroom: null,
        headroomAt: 0,
      };
      this.#entries.set(listingId, e);
    }
    decay(e, now);
    return e;
  }

  /** One attempt's end: client errors say nothing about the seller (latency still counts). */
  record(listingId: string, outcome: Outcome, latencyMs: number | null, now: number): void {
    const e = this.#entry(listingId, now);
    if (outcome === "ok") e.ok += 1;
    else if (outcome === "failed") e.failed += 1;
    if (latencyMs !== null && Number.isFinite(latencyMs)) {
      e.latencySum += Math.max(0, latencyMs);
      e.latencyWeight += 1;
    }
  }

  /** The listing refuses calls until `until` (an upstream 429, or the fence's backoff). */
  backoff(listingId: string, until: number, now: number): void {
    const e = this.#entry(listingId, now);
    e.backoffUntil = Math.max(e.backoffUntil, until);
  }

  /** The fence's count on admit: `used` of `resale` in the current window. */
  headroom(listingId: string, used: number, resale: number, now: number): void {
    const e = this.#entry(listingId, now);
    e.headroom = resale > 0 ? Math.max(0, Math.min(1, 1 - used / resale)) : 0;
    e.headroomAt = now;
  }

  /** The decayed view at `now`. */
  view(listingId: string, now: number): { health: LocalHealth | null; backoffUntil: number; headroom: number | null } {
    const e = this.#entries.get(listingId);
    if (e === undefined) return { health: null, backoffUntil: 0, headroom: null };
    decay(e, now);
    return {
      health: {
        ok: e.ok,
        failed: e.failed,
        latencyMs: e.latencyWeight > 1e-3 ? e.latencySum / e.latencyWeight : null,
        latencyWeight: e.latencyWeight,
      },
      backoffUntil: e.backoffUntil > now ? e.backoffUntil : 0,
      headroom: e.headroom !== null && now - e.headroomAt <= HEADROOM_TTL_MS ? e.headroom : null,
    };
  }
}

/** The isolate's instance. */
export const localFeedback = new LocalFeedback();
