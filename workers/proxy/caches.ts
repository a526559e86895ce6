/**
 * Isolate-memory cache of listing configs for the proxy hot path (the plaintext key cache is
 * workers/listings/vault.ts). Nothing here is shared between isolates or persisted; an entry
 * lives at most 30 s. A cached config is never used stale: every admit names the cached version
 * and the fence sends the live config whenever it is another one.
 */
import type { ListingConfig } from "../fence/interface.ts";

/** The longest any entry is trusted (DESIGN §2: catalog and plaintext keys ≤ 30 s). */
export const CACHE_TTL_MS = 30_000;

/** A small map whose entries expire; the oldest entries go first when it is full. */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  constructor(ttlMs: number, maxEntries = 1_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAt: now + this.#ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * The live config per listing, learnt from previous admits (sealed key only): its price lets
 * reserve run in parallel with admit, and its version spares the fence sending it again.
 */
export const listingConfigs = new TtlCache<ListingConfig>(CACHE_TTL_MS);
