import { getBase58Encoder } from "@solana/kit";
import { z } from "zod";
import type { CapacityFenceDO } from "../durable-objects/capacity-fence.ts";
import type { WalletDO } from "../durable-objects/wallet.ts";

const durableObjectNamespace = z.custom<DurableObjectNamespace<Rpc.DurableObjectBranded>>(
  (v) => typeof v === "object" && v !== null && "idFromName" in v && "get" in v,
  "not a Durable Object namespace binding",
);

const fetcher = z.custom<Fetcher>((v) => typeof v === "object" && v !== null && "fetch" in v, "not a Fetcher binding");

/** base58 Solana address: 32–44 chars from the bitcoin alphabet. */
const base58Address = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "not a base58 address");

/** The platform's Solana keys (workers/solana/keys.ts), one secret each. */
export const PLATFORM_KEY_NAMES = ["PLATFORM_COSIGNER_KEY", "SETTLEMENT_KEY", "TREASURY_KEY", "RECEIPT_KEY"] as const;

const SECRET_KEY_FORMAT = "expected base58 of a 64-byte Solana secret key (secret || public)";

/** True for base58 text that decodes to exactly 64 bytes. Never throws, so nothing of the value leaks. */
export function isBase58SecretKey(value: string): boolean {
  if (!/^[1-9A-HJ-NP-Za-km-z]{64,90}$/.test(value)) return false;
  try {
    return getBase58Encoder().encode(value).length === 64;
  } catch {
    return false;
  }
}

const solanaSecretKey = z.string().refine(isBase58SecretKey, SECRET_KEY_FORMAT);

/** A positive integer from a string binding (vars arrive as text), with a default when unset. */
const limit = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000_000).default(fallback);

/**
 * Request rate limits (docs/decisions/013-rate-limits-and-openapi.md). Optional: production runs on
 * the defaults; tests and benchmarks raise them. Read them through `rateLimits(env)`, never from the
 * raw bindings (which hold strings, or nothing when a default applies).
 */
export const RateLimitSchema = z.object({
  /** Per client IP, sliding 60-second window, on the public routes (health, catalog, OpenAPI, public key). */
  RATE_LIMIT_PUBLIC_PER_MINUTE: limit(120),
  /** Per client IP, sliding 60-second window, shared by `POST /v1/auth/challenge` and `/verify`. */
  RATE_LIMIT_SIGNIN_PER_MINUTE: limit(20),
  /** Per wallet, token bucket in its WalletDO: proxied calls per second, sustained… */
  RATE_LIMIT_WALLET_CALLS_PER_SECOND: limit(100),
  /** …and in a burst. */
  RATE_LIMIT_WALLET_CALLS_BURST: limit(200),
  /** Per wallet, token bucket: requests per second to the other authenticated routes, sustained… */
  RATE_LIMIT_WALLET_API_PER_SECOND: limit(5),
  /** …and in a burst. */
  RATE_LIMIT_WALLET_API_BURST: limit(60),
});
export type RateLimits = z.output<typeof RateLimitSchema>;

/**
 * Every binding the Worker needs, checked once per isolate at the entry. Values are never echoed:
 * a failure names the binding and what is wrong with it, nothing more.
 */
export const EnvSchema = z
  .object({
    /** `local` allows loopback upstreams and the local Postgres relay; `production` forbids both. */
    GATEWAY_MODE: z.enum(["local", "production"]),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/\S+$/, "not a postgres:// URL"),
    /** host:port of the local WebSocket→TCP relay for the Neon driver; unset in production. */
    PG_WS_PROXY: z
      .string()
      .regex(/^[\w.-]+:\d{1,5}$/, "not host:port")
      .optional(),
    UPSTASH_REDIS_REST_URL: z.url({ protocol: /^https?$/ }),
    UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
    SOLANA_RPC_URL: z.url({ protocol: /^https?$/ }),
    USDC_MINT: base58Address,
    /** Seller key vault master keys, `id:base64(32 bytes)` comma-separated, active first (workers/lib/key-vault.ts). */
    VAULT_MASTER_KEYS: z
      .string()
      .regex(
        /^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=)*$/,
        "expected id:base64(32 bytes),…",
      ),
    /** Second signer of every vault multisig: co-signs withdrawals and vault creation. */
    PLATFORM_COSIGNER_KEY: solanaSecretKey,
    /** Approved delegate of every vault: collects settlements, pays the fees of settlement transactions. */
    SETTLEMENT_KEY: solanaSecretKey,
    /** Owner of the treasury USDC account: signs seller payouts. */
    TREASURY_KEY: solanaSecretKey,
    /** Signs the per-call receipts (Ed25519). */
    RECEIPT_KEY: solanaSecretKey,
    /** Settlement thresholds (workers/settlement/run.ts): micro-USDC and seconds; defaults 1 USDC, 1 USDC, 1 day. */
    SETTLEMENT_MIN_PAYOUT: z
      .string()
      .regex(/^[0-9]{1,19}$/, "micro-USDC integer")
      .optional(),
    SETTLEMENT_MIN_COLLECTION: z
      .string()
      .regex(/^[0-9]{1,19}$/, "micro-USDC integer")
      .optional(),
    SETTLEMENT_MAX_AGE_SECONDS: z
      .string()
      .regex(/^[0-9]{1,9}$/, "seconds")
      .optional(),
    /** How long a proxied call waits for the upstream's response headers, in ms (default 100 000). Tests lower it. */
    UPSTREAM_TIMEOUT_MS: z
      .string()
      .regex(/^[1-9][0-9]{0,5}$/, "milliseconds, 1 to 999999")
      .optional(),
    WALLET: durableObjectNamespace,
    CAPACITY_FENCE: durableObjectNamespace,
    ASSETS: fetcher,
  })
  .extend(RateLimitSchema.shape)
  .superRefine((env, ctx) => {
    // One key per role: a leaked receipt or treasury key must not also co-sign vault withdrawals.
    PLATFORM_KEY_NAMES.forEach((name, i) => {
      if (PLATFORM_KEY_NAMES.slice(0, i).some((other) => env[other] === env[name])) {
        ctx.addIssue({ code: "custom", path: [name], message: "must differ from the other platform keys" });
      }
    });
    if (env.GATEWAY_MODE !== "production") return;
    if (env.PG_WS_PROXY !== undefined) {
      ctx.addIssue({ code: "custom", path: ["PG_WS_PROXY"], message: "must be unset in production" });
    }
    for (const key of ["UPSTASH_REDIS_REST_URL", "SOLANA_RPC_URL"] as const) {
      if (!env[key].startsWith("https://")) {
        ctx.addIssue({ code: "custom", path: [key], message: "must be https in production" });
      }
    }
  });

/**
 * The validated environment. The Durable Object bindings are typed here rather than inferred from
 * the schema because the DO classes themselves take `Env` as a type parameter (a cycle zod cannot express).
 */
export interface Env
  extends Omit<z.output<typeof EnvSchema>, "WALLET" | "CAPACITY_FENCE" | keyof typeof RateLimitSchema.shape> {
  WALLET: DurableObjectNamespace<WalletDO>;
  CAPACITY_FENCE: DurableObjectNamespace<CapacityFenceDO>;
}

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] };

const cache = new WeakMap<object, EnvResult>();

/**
 * Validates the raw bindings. The result is cached per env object (one per isolate), so the hot
 * path pays for this once. `problems` name bindings only, e.g. `DATABASE_URL: missing`.
 */
export function validateEnv(raw: object): EnvResult {
  const cached = cache.get(raw);
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(raw);
  const result: EnvResult = parsed.success
    ? { ok: true, env: parsed.data as unknown as Env }
    : {
        ok: false,
        problems: parsed.error.issues.map((issue) => {
          const name = issue.path.join(".") || "env";
          const missing = issue.code === "invalid_type" && (raw as Record<string, unknown>)[name] === undefined;
          return `${name}: ${missing ? "missing" : issue.message}`;
        }),
      };
  cache.set(raw, result);
  return result;
}

const limitsCache = new WeakMap<object, RateLimits>();
const DEFAULT_LIMITS = RateLimitSchema.parse({});

/**
 * The rate limits of this deployment, parsed from the raw bindings (cached per env object). A
 * malformed value falls back to the defaults here; `validateEnv` reports it as `bad_environment`.
 */
export function rateLimits(raw: object): RateLimits {
  const cached = limitsCache.get(raw);
  if (cached) return cached;
  const parsed = RateLimitSchema.safeParse(raw);
  const limits = parsed.success ? parsed.data : DEFAULT_LIMITS;
  limitsCache.set(raw, limits);
  return limits;
}

/** The string values of the env that are secrets or carry credentials, for redaction of error text. */
export function secretValues(env: Partial<Record<keyof Env, unknown>>): string[] {
  const names = [
    "DATABASE_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "UPSTASH_REDIS_REST_URL",
    "SOLANA_RPC_URL",
    "VAULT_MASTER_KEYS",
    ...PLATFORM_KEY_NAMES,
  ] as const;
  return names.map((n) => env[n]).filter((v): v is string => typeof v === "string" && v.length >= 6);
}
