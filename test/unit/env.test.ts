import { getBase58Decoder } from "@solana/kit";
import { describe, expect, it } from "vitest";
import { rateLimits, secretValues, validateEnv } from "../../workers/env.ts";

/** base58 of 64 bytes: the shape of a Solana secret key (the schema cannot check the key pair itself). */
const secretKey = (fill: number) => getBase58Decoder().decode(new Uint8Array(64).fill(fill));

const namespace = { idFromName: () => ({}), get: () => ({}) };
const valid = {
  GATEWAY_MODE: "local",
  DATABASE_URL: "postgres://postgres:pw-canary-1@127.0.0.1:5432/proxygate",
  PG_WS_PROXY: "127.0.0.1:15499",
  UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079",
  UPSTASH_REDIS_REST_TOKEN: "token-canary-2",
  SOLANA_RPC_URL: "http://127.0.0.1:8899",
  USDC_MINT: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
  VAULT_MASTER_KEYS: `k1:${Buffer.alloc(32, 7).toString("base64")}`,
  PLATFORM_COSIGNER_KEY: secretKey(1),
  SETTLEMENT_KEY: secretKey(2),
  TREASURY_KEY: secretKey(3),
  RECEIPT_KEY: secretKey(4),
  WALLET: namespace,
  CAPACITY_FENCE: namespace,
  ASSETS: { fetch: () => undefined },
};

describe("validateEnv", () => {
  it("accepts a complete local environment", () => {
    expect(validateEnv({ ...valid }).ok).toBe(true);
  });

  it("names every missing or malformed binding and never echoes a value", () => {
    const { DATABASE_URL: _, WALLET: __, ...rest } = valid;
    const result = validateEnv({
      ...rest,
      UPSTASH_REDIS_REST_TOKEN: "",
      USDC_MINT: "0OIl-token-canary-2",
      VAULT_MASTER_KEYS: "k1:master-canary-3",
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join("; ");
    expect(text).toContain("DATABASE_URL: missing");
    expect(text).toContain("WALLET: ");
    expect(text).toContain("UPSTASH_REDIS_REST_TOKEN");
    expect(text).toContain("USDC_MINT: not a base58 address");
    expect(text).toContain("VAULT_MASTER_KEYS: expected id:base64(32 bytes),…");
    expect(text).not.toContain("canary");
  });

  it("checks the platform keys' format and that each role has its own key, never echoing one", () => {
    const { RECEIPT_KEY: _, ...rest } = valid;
    const result = validateEnv({
      ...rest,
      PLATFORM_COSIGNER_KEY: "cosigner-canary-4",
      SETTLEMENT_KEY: `${secretKey(2)}0`, // 0 is not in the base58 alphabet
      TREASURY_KEY: getBase58Decoder().decode(new Uint8Array(32).fill(9)), // an address, not a secret key
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        "PLATFORM_COSIGNER_KEY: expected base58 of a 64-byte Solana secret key (secret || public)",
        "SETTLEMENT_KEY: expected base58 of a 64-byte Solana secret key (secret || public)",
        "TREASURY_KEY: expected base58 of a 64-byte Solana secret key (secret || public)",
        "RECEIPT_KEY: missing",
      ]),
    );
    const text = result.problems.join("; ");
    expect(text).not.toContain("canary");
    expect(text).not.toContain(secretKey(2));

    const shared = validateEnv({ ...valid, TREASURY_KEY: valid.SETTLEMENT_KEY });
    expect(shared).toEqual({ ok: false, problems: ["TREASURY_KEY: must differ from the other platform keys"] });
  });

  it("lists the platform keys among the secrets to redact", () => {
    const secrets = secretValues(valid);
    for (const key of [valid.PLATFORM_COSIGNER_KEY, valid.SETTLEMENT_KEY, valid.TREASURY_KEY, valid.RECEIPT_KEY]) {
      expect(secrets).toContain(key);
    }
  });

  it("forbids the local relay and plain http in production", () => {
    const result = validateEnv({ ...valid, GATEWAY_MODE: "production" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual(
      expect.arrayContaining([
        "PG_WS_PROXY: must be unset in production",
        "UPSTASH_REDIS_REST_URL: must be https in production",
        "SOLANA_RPC_URL: must be https in production",
      ]),
    );
  });

  it("accepts a production environment on https without the relay", () => {
    const { PG_WS_PROXY: _, ...rest } = valid;
    const result = validateEnv({
      ...rest,
      GATEWAY_MODE: "production",
      UPSTASH_REDIS_REST_URL: "https://eu1-example.upstash.io",
      SOLANA_RPC_URL: "https://api.mainnet-beta.solana.com",
    });
    expect(result).toMatchObject({ ok: true });
  });

  it("rate limits take their defaults when unset, numbers from strings, and refuse nonsense", () => {
    expect(rateLimits({ ...valid })).toMatchObject({
      RATE_LIMIT_SIGNIN_PER_MINUTE: 20,
      RATE_LIMIT_PUBLIC_PER_MINUTE: 120,
    });
    expect(rateLimits({ ...valid, RATE_LIMIT_SIGNIN_PER_MINUTE: "5" }).RATE_LIMIT_SIGNIN_PER_MINUTE).toBe(5);
    for (const bad of ["0", "-1", "1.5", "lots"]) {
      const result = validateEnv({ ...valid, RATE_LIMIT_PUBLIC_PER_MINUTE: bad });
      expect(result.ok, bad).toBe(false);
      if (!result.ok) expect(result.problems.join(" ")).toContain("RATE_LIMIT_PUBLIC_PER_MINUTE");
    }
  });
});
