import { describe, expect, it } from "vitest";
import { validateEnv } from "../../workers/env.ts";

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
});
