/**
 * Wire shapes of the public catalog (`/v1/apis`, `/v1/apis/:id`, `/v1/categories`), as agreed in
 * the shared contracts: amounts are micro-USDC decimal strings, `price` is the buyer's total per
 * unit (price + buyer fee), `sellerPrice` the listing's own.
 */
import { z } from "zod";
import { listingType } from "../../db/schema/enums.ts";
import { CAPACITY_WINDOWS } from "../fence/schemas.ts";

export const CATALOG_SORTS = ["price", "latency", "uptime"] as const;

export const ApisQuery = z.strictObject({
  service: z.string().min(1).max(63).optional(),
  category: z.string().min(1).max(64).optional(),
  type: z.enum(listingType.enumValues).optional(),
  /** Highest buyer's total price per unit, micro-USDC (compares `price`). */
  maxPrice: z
    .string()
    .regex(/^\d{1,19}$/, "a non-negative integer amount of micro-USDC")
    .transform((v) => BigInt(v))
    .optional(),
  sort: z.enum(CATALOG_SORTS).optional(),
});
export type ApisQuery = z.output<typeof ApisQuery>;

export const ApiHealth = z.object({
  uptime: z.number().nullable(),
  errorRate: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  samples: z.int(),
});

export const ApiEntry = z.object({
  id: z.uuid(),
  service: z.string(),
  type: z.enum(listingType.enumValues),
  category: z.string(),
  description: z.string(),
  pricingUnit: z.enum(["per_call", "per_1k_tokens"]),
  price: z.string(),
  sellerPrice: z.string(),
  capacity: z.object({ window: z.enum(CAPACITY_WINDOWS), resale: z.int(), headroom: z.number().min(0).max(1) }),
  health: ApiHealth,
  sellerCount: z.int(),
  proxyUrl: z.string(),
});
export type ApiEntry = z.infer<typeof ApiEntry>;

export const ApiDetail = ApiEntry.extend({ methods: z.array(z.string()), paths: z.array(z.string()) });
export type ApiDetail = z.infer<typeof ApiDetail>;

export const ApisResponse = z.object({
  apis: z.array(ApiEntry),
  services: z.array(z.object({ service: z.string(), sellerCount: z.int() })),
});
export type ApisResponse = z.infer<typeof ApisResponse>;

export const CategoriesResponse = z.object({
  categories: z.array(z.object({ category: z.string(), listingCount: z.int(), serviceCount: z.int() })),
});
export type CategoriesResponse = z.infer<typeof CategoriesResponse>;
