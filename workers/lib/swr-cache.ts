/**
 * An isolate-memory cache that is refreshed stale-while-revalidate: a value younger than
 * `freshMs` is served as is; between `freshMs` and `maxAgeMs` it is still served while one
 * background reload (handed to `waitUntil`) replaces it; older or absent values are loaded
 * before answering (`get`) or not at all (`peek`, which never waits). Concurrent loads of one key
 * are coalesced; a failed background reload keeps the old value until `maxAgeMs`, and the next
 * background reload of that key waits `retryMs` (a down database is not hammered by every call).
 */
type WaitUntil = (promise: Promise<unknown>) => void;

interface Entry<V> {
  value: V;
  at: number;
}

export interface SwrOptions {
  freshMs: number;
  maxAgeMs: number;
  maxEntries?: number;
  /** After a failed background reload, none of that key starts for this long (default 2 s). */
  retryMs?: number;
  /** Called with a background reload's error (the value in hand is kept). */
  onError?: (key: string, err: unknown) => void;
}

export class SwrCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #loading = new Map<string, Promise<V>>();
  readonly #failedAt = new Map<string, number>();
  readonly #opts: Required<Omit<SwrOptions, "onError">> & Pick<SwrOptions, "onError">;

  constructor(opts: SwrOptions) {
    this.#opts = { maxEntries: 1_000, retryMs: 2_000, ...opts };
  }

  #load(key: string, load: () => Promise<V>, now: () => number): Promise<V> {
    const inflight = this.#loading.get(key);
    if (inflight) return inflight;
    const p = load()
      .then((value) => {
        this.set(key, value, now());
        return value;
      })
      .finally(() => this.#loading.delete(key));
    this.#loading.set(key, p);
    return p;
  }

  #revalidate(key: string, load: () => Promise<V>, waitUntil: WaitUntil, clock: () => number): void {
    if (this.#loading.has(key)) return;
    const failedAt = this.#failedAt.get(key);
    if (failedAt !== undefined && clock() - failedAt < this.#opts.retryMs) return;
    waitUntil(
      this.#load(key, load, clock).then(
        () => this.#failedAt.delete(key),
        (err: unknown) => {
          if (this.#failedAt.size >= this.#opts.maxEntries) this.#failedAt.clear();
          this.#failedAt.set(key, clock());
          this.#opts.onError?.(key, err);
        },
      ),
    );
  }

  /** The value (loading it first when absent or older than `maxAgeMs`); a stale one is revalidated in the background. */
  async get(key: string, now: number, load: () => Promise<V>, waitUntil: WaitUntil, clock = Date.now): Promise<V> {
    const e = this.#entries.get(key);
    if (e !== undefined && now - e.at < this.#opts.maxAgeMs) {
      if (now - e.at >= this.#opts.freshMs) this.#revalidate(key, load, waitUntil, clock);
      return e.value;
    }
    return this.#load(key, load, clock);
  }

  /** The value if one younger than `maxAgeMs` is held, never waiting; absent or stale ones are (re)loaded in the background. */
  peek(key: string, now: number, load: () => Promise<V>, waitUntil: WaitUntil, clock = Date.now): V | undefined {
    const e = this.#entries.get(key);
    const usable = e !== undefined && now - e.at < this.#opts.maxAgeMs;
    if (!usable || now - e.at >= this.#opts.freshMs) this.#revalidate(key, load, waitUntil, clock);
    return usable ? e.value : undefined;
  }

  /** Age of the held value, ms (Infinity when none). */
  age(key: string, now: number): number {
    const e = this.#entries.get(key);
    return e === undefined ? Number.POSITIVE_INFINITY : now - e.at;
  }

  set(key: string, value: V, now: number): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#opts.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, at: now });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
