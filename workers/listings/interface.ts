/**
 * Wire shapes of the listings API (`/v1/listings`). Types are inferred from the schemas. A
 * provider key only ever travels inward (create, rotate-key); responses show `keyLast4`.
 */
import { z } from "zod";
import { listingType } from "../../db/schema/enums.ts";
import { parsePathPattern } from "../fence/paths.ts";
import { CAPACITY_WINDOWS, HTTP_METHODS, MAX_CAPACITY } from "../fence/schemas.ts";
import { PositiveMicroUsdc } from "../lib/money.ts";
import { noControl } from "../lib/text.ts";

export type GatewayMode = "local" | "production";

/** Highest price per unit: 1,000,000 USDC (keeps every charge far inside the wallets' 2^53 bound). */
export const MAX_PRICE = 1_000_000_000_000n;
export const MAX_PATTERNS = 50;

export const ServiceSlug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, "lowercase slug of a-z 0-9 _ - (up to 63 characters), e.g. openai");

const Category = z.string().trim().min(1).max(64).refine(noControl(), "no control characters");
const Description = z.string().max(2000).refine(noControl("\t\n"), "no control characters except tab and newline");

/** Only `proxy` listings exist so far; the other types are named so their refusal can say so. */
const ListingType = z
  .enum(listingType.enumValues)
  .refine((t) => t === "proxy", "only 'proxy' listings can be created for now")
  .transform(() => "proxy" as const);

const Methods = z
  .array(
    z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(HTTP_METHODS)),
  )
  .min(1)
  .max(HTTP_METHODS.length * 2)
  .transform((methods) => [...new Set(methods)]);

const PathPattern = z.string().transform((value, ctx) => {
  const parsed = parsePathPattern(value);
  if (parsed.ok) return parsed.path;
  ctx.addIssue({ code: "custom", message: parsed.reason });
  return z.NEVER;
});

const Paths = z
  .array(PathPattern)
  .min(1)
  .max(MAX_PATTERNS)
  .transform((paths) => [...new Set(paths)]);

/** Header names the gateway manages itself, which a key may not be injected into. */
const RESERVED_HEADER =
  /^(host|content-length|content-type|transfer-encoding|connection|upgrade|te|trailer|keep-alive|cookie|forwarded|x-real-ip|proxy-.*|x-forwarded-.*|cf-.*|x-proxygate-.*)$/i;

const HeaderName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$/, "an HTTP header name (token characters, up to 64)")
  .refine((name) => !RESERVED_HEADER.test(name), "this header is managed by the gateway");

const Template = z
  .string()
  .max(256)
  .regex(/^[\x20-\x7e]+$/, "printable ASCII")
  .refine((t) => t.split("{key}").length === 2, "must contain {key} exactly once");

export const KeyInjectionInput = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("bearer") }),
  z.strictObject({ kind: z.literal("header"), name: HeaderName, template: Template.optional() }),
  z.strictObject({
    kind: z.literal("query"),
    name: z.string().regex(/^[A-Za-z0-9_.~-]{1,64}$/, "a query parameter name of A-Z a-z 0-9 _ . ~ - (up to 64)"),
  }),
]);

export const Price = PositiveMicroUsdc.refine((p) => p <= MAX_PRICE, "at most 1000000000000 micro-USDC");

const CapacityCount = z.int().min(1).max(MAX_CAPACITY);
const Reserved = z.int().min(0).max(MAX_CAPACITY);

export const CapacityInput = z
  .strictObject({
    total: CapacityCount,
    reservedForSelf: Reserved.default(0),
    window: z.enum(CAPACITY_WINDOWS).default("minute"),
  })
  .refine((c) => c.reservedForSelf < c.total, {
    error: "reservedForSelf must be below total (resale capacity = total − reservedForSelf ≥ 1)",
  });

/** A seller's upstream key: header-safe printable ASCII; long enough that its last four hide it. */
export const ProviderKey = z
  .string()
  .min(8, "at least 8 characters")
  .max(4096, "at most 4096 characters")
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

export const CreateListingRequest = z.strictObject({
  service: ServiceSlug,
  type: ListingType.default("proxy"),
  category: Category,
  description: Description.default(""),
  upstreamBaseUrl: z.string().min(1).max(2048),
  allowedMethods: Methods,
  allowedPaths: Paths,
  keyInjection: KeyInjectionInput.default({ kind: "bearer" }),
  price: Price,
  pricingUnit: z.enum(["per_call", "per_1k_tokens"]).default("per_call"),
  capacity: CapacityInput,
  providerKey: ProviderKey,
});
export type CreateListingRequest = z.infer<typeof CreateListingRequest>;

/** Every field optional; `{}` re-pushes the current config to the fence (a resync). */
export const UpdateListingRequest = z.strictObject({
  category: Category.optional(),
  description: Description.optional(),
  allowedMethods: Methods.optional(),
  allowedPaths: Paths.optional(),
  price: Price.optional(),
  capacity: z
    .strictObject({
      total: CapacityCount.optional(),
      reservedForSelf: Reserved.optional(),
      window: z.enum(CAPACITY_WINDOWS).optional(),
    })
    .optional(),
});
export type UpdateListingRequest = z.infer<typeof UpdateListingRequest>;

export const RotateKeyRequest = z.strictObject({ providerKey: ProviderKey });
export type RotateKeyRequest = z.infer<typeof RotateKeyRequest>;

export const ListingId = z.uuid();

/** What anyone signed in sees of a listing. */
export const PublicListing = z.object({
  view: z.literal("public"),
  id: z.uuid(),
  sellerWallet: z.string(),
  service: z.string(),
  type: z.enum(listingType.enumValues),
  category: z.string(),
  description: z.string(),
  status: z.enum(["active", "paused", "deleted"]),
  allowedMethods: z.array(z.string()),
  allowedPaths: z.array(z.string()),
  /** micro-USDC per unit, decimal string */
  price: z.string(),
  pricingUnit: z.enum(["per_call", "per_1k_tokens"]),
  capacity: z.object({ resale: z.int(), window: z.enum(CAPACITY_WINDOWS) }),
  createdAt: z.iso.datetime(),
});
export type PublicListing = z.infer<typeof PublicListing>;

/** What the owner sees: the whole config, the provider key only as its last four characters. */
export const OwnerListing = PublicListing.extend({
  view: z.literal("owner"),
  upstreamBaseUrl: z.string(),
  keyInjection: z.object({
    kind: z.enum(["header", "bearer", "query"]),
    name: z.string().optional(),
    template: z.string().optional(),
  }),
  capacity: z.object({ total: z.int(), reservedForSelf: z.int(), resale: z.int(), window: z.enum(CAPACITY_WINDOWS) }),
  keyLast4: z.string(),
  keyVersion: z.int(),
  configVersion: z.int(),
  updatedAt: z.iso.datetime(),
});
export type OwnerListing = z.infer<typeof OwnerListing>;

export const ListingList = z.object({ listings: z.array(OwnerListing) });
export type ListingList = z.infer<typeof ListingList>;
