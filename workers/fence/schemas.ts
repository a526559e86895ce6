/**
 * zod shapes of what arrives over CapacityFenceDO RPC (types in interface.ts). The DO parses every
 * argument, so a malformed configure() or admit() throws a TypeError and changes nothing.
 */
import { z } from "zod";
import type { ListingConfig } from "./interface.ts";
import { parsePathPattern } from "./paths.ts";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const CAPACITY_WINDOWS = ["second", "minute", "hour", "day", "month"] as const;

/** Fits the listings table's `integer` columns. */
export const MAX_CAPACITY = 1_000_000_000;
/** Longest upstream backoff honoured: a day (a Retry-After beyond that is clamped). */
export const MAX_BACKOFF_SECONDS = 86_400;

export const RequestId = z.string().min(1).max(128);
export const Method = z.string().min(1).max(16);
export const RequestPath = z.string().max(4096);
export const BackoffSeconds = z.number().finite().nonnegative();
export const KnownConfigVersion = z.int().positive().optional();

const PathPattern = z.string().superRefine((value, ctx) => {
  const parsed = parsePathPattern(value);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.reason });
  else if (parsed.path !== value) ctx.addIssue({ code: "custom", message: "not normalized" });
});

export const ListingConfigSchema = z.strictObject({
  listingId: z.uuid(),
  sellerId: z.uuid(),
  sellerWallet: z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/),
  service: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  status: z.enum(["active", "paused", "deleted"]),
  upstreamBaseUrl: z.url({ protocol: /^https?$/ }),
  allowedMethods: z.array(z.enum(HTTP_METHODS)).min(1),
  allowedPaths: z.array(PathPattern).min(1),
  keyInjection: z.strictObject({
    kind: z.enum(["header", "bearer", "query"]),
    name: z.string().min(1).max(64).optional(),
    template: z.string().min(1).max(256).optional(),
  }),
  price: z.bigint().positive(),
  pricingUnit: z.enum(["per_call", "per_1k_tokens"]),
  capacity: z
    .strictObject({
      total: z.int().positive().max(MAX_CAPACITY),
      reservedForSelf: z.int().nonnegative().max(MAX_CAPACITY),
      window: z.enum(CAPACITY_WINDOWS),
    })
    .refine((c) => c.reservedForSelf <= c.total, "reservedForSelf exceeds total"),
  key: z.strictObject({
    ciphertext: z.string().min(1),
    iv: z.string().min(1),
    keyId: z.string().min(1).max(32),
    version: z.int().positive(),
  }),
  configVersion: z.int().positive(),
}) satisfies z.ZodType<ListingConfig>;

/** The config as stored in the fence's SQLite (bigint price as a decimal string). */
export function configToJson(config: ListingConfig): string {
  return JSON.stringify({ ...config, price: config.price.toString() });
}

export function configFromJson(text: string): ListingConfig {
  const raw = JSON.parse(text) as Omit<ListingConfig, "price"> & { price: string };
  return ListingConfigSchema.parse({ ...raw, price: BigInt(raw.price) });
}
