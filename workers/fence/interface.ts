/**
 * The capacity-fence contract: what the CapacityFenceDO (one per listing, idFromName(listingId))
 * holds and answers over RPC. The listing routes push config into it on every change; the proxy
 * asks it to admit each call. Money is bigint micro-USDC; capacity counts are requests.
 */

export type CapacityWindow = "second" | "minute" | "hour" | "day" | "month";
export type ListingStatus = "active" | "paused" | "deleted";
export type PricingUnit = "per_call" | "per_1k_tokens";

export interface KeyInjection {
  kind: "header" | "bearer" | "query";
  /** Header name (kind header) or query parameter name (kind query). */
  name?: string;
  /** Header value template with `{key}`, e.g. `Token {key}`; absent = the bare key. */
  template?: string;
}

/** Everything the proxy needs to forward one call, as the fence holds it (no plaintext key). */
export interface ListingConfig {
  listingId: string;
  sellerId: string;
  sellerWallet: string;
  service: string;
  status: ListingStatus;
  upstreamBaseUrl: string;
  allowedMethods: string[];
  allowedPaths: string[];
  keyInjection: KeyInjection;
  /** Seller's price per unit (per call, or per 1k tokens), micro-USDC. */
  price: bigint;
  pricingUnit: PricingUnit;
  capacity: { total: number; reservedForSelf: number; window: CapacityWindow };
  /** The sealed provider key (workers/lib/key-vault.ts) and its version. */
  key: { ciphertext: string; iv: string; keyId: string; version: number };
  /** Monotonic; a configure() with a lower version than the held one is ignored (stale writer). */
  configVersion: number;
}

export type AdmitRefusal =
  | "not_configured"
  | "paused"
  | "deleted"
  | "method_not_allowed"
  | "path_not_allowed"
  | "capacity"
  | "backoff";

export type AdmitResult =
  | {
      ok: true;
      /** The live config; null when it is the version the caller said it holds (nothing to send). */
      config: ListingConfig | null;
      usedInWindow: number;
      resaleCapacity: number;
    }
  | { ok: false; reason: AdmitRefusal; retryAfter?: number };

/** CapacityFenceDO RPC surface (durable-objects/capacity-fence.ts implements it). */
export interface FenceRpc {
  /** Installs or updates the listing's live config (status, key, routing); takes effect on the next admit. */
  configure(config: ListingConfig): Promise<{ applied: boolean }>;
  /**
   * Checks status, backoff, method + normalized path against the allowed patterns, then the sliding
   * window (resale capacity = total − reservedForSelf per window; never admits more). Idempotent
   * per requestId: a retried admit of the same id does not count twice. `knownConfigVersion`: the
   * config version the caller has cached; when it is the live one, the config is not sent back.
   */
  admit(requestId: string, method: string, path: string, knownConfigVersion?: number): Promise<AdmitResult>;
  /** An upstream 429: no admits until `retryAfterSeconds` have passed. */
  backoff(retryAfterSeconds: number): Promise<void>;
  /** Live view for dashboards and the catalog. */
  snapshot(): Promise<{
    config: ListingConfig | null;
    usedInWindow: number;
    resaleCapacity: number;
    backoffUntil: number | null;
  }>;
}
