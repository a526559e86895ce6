/**
 * The secrets canary scan: one scan, after every other project of the run (vitest.config.ts puts
 * it last), over everything the suite captured — every response the gateway gave (through SELF in
 * the workers projects, through a recording proxy for the openai SDK, the CLI and Chromium in e2e
 * and browser), every console line (test files, Worker, Durable Objects), and every row of every
 * table of every stack's Postgres — for every secret the suite used: each stack's platform Solana
 * keys (co-signer, settlement, treasury, receipt), vault master key material, Redis token, the
 * demo upstream's provider key and control token; the tests' own provider-key canaries
 * (`sk-canary-…`); and any API key (`pgk_<wallet>_<secret>`) outside the two responses that issue one.
 */
import { describe, expect, it } from "vitest";
import { createNodePool } from "../../db/node.ts";
import { type CapturedResponse, type CaptureRecord, captureDir, readCaptures } from "../../dev/lib/capture.ts";

const API_KEY = /pgk_[1-9A-HJ-NP-Za-km-z]{32,44}_[1-9A-HJ-NP-Za-km-z]{32,44}/;
/** Every provider-key canary the tests make starts so (test/workers/*.security.test.ts). */
const CANARY = /sk-canary-[\w-]+/i;

/** The two answers that hand out an API key, once, to the wallet that asked: sign-in and `POST /v1/keys`. */
function issuesApiKey(r: CapturedResponse): boolean {
  const path = new URL(r.url, "http://gateway").pathname;
  return r.method === "POST" && r.status < 300 && (path === "/v1/auth/verify" || path === "/v1/keys");
}

function secretsOf({ stack }: CaptureRecord): Record<string, string> {
  const { vars } = stack;
  const named: Record<string, string> = {
    PLATFORM_COSIGNER_KEY: vars.PLATFORM_COSIGNER_KEY,
    SETTLEMENT_KEY: vars.SETTLEMENT_KEY,
    TREASURY_KEY: vars.TREASURY_KEY,
    RECEIPT_KEY: vars.RECEIPT_KEY,
    UPSTASH_REDIS_REST_TOKEN: vars.UPSTASH_REDIS_REST_TOKEN,
    "provider key (demo upstream)": stack.upstreamApiKey,
    "demo upstream control token": stack.upstreamControlToken,
  };
  // Each master key's material (the base64 after `id:`), not just the whole binding.
  for (const [i, entry] of vars.VAULT_MASTER_KEYS.split(",").entries())
    named[`VAULT_MASTER_KEYS[${i}]`] = entry.slice(entry.indexOf(":") + 1);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(named)) {
    expect(value.length, `${stack.name}: ${name}`).toBeGreaterThanOrEqual(16);
    out[`${stack.name} ${name}`] = value;
  }
  return out;
}

async function databaseText(record: CaptureRecord): Promise<Map<string, string>> {
  const pool = createNodePool(record.stack.vars, { max: 1 });
  try {
    const { rows: tables } = await pool.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    const out = new Map<string, string>();
    for (const { name } of tables) {
      const { rows } = await pool.query<{ text: string | null }>(
        `SELECT string_agg(to_jsonb(x)::text, E'\\n') AS text FROM "${name}" x`,
      );
      out.set(name, rows[0]?.text ?? "");
    }
    return out;
  } finally {
    await pool.end();
  }
}

/** A leaked part of a secret counts: any of its aligned pieces of this length, found anywhere. */
const PIECE = 16;

function pieces(value: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + PIECE <= value.length; i += PIECE) out.push(value.slice(i, i + PIECE));
  return out;
}

/**
 * Which secrets show in `text`, whole or in part (any run of 2 × PIECE − 1 characters of one holds a
 * piece); the canaries and API keys by shape. Names only: a report must not print what it found.
 */
function findSecrets(text: string, secrets: Record<string, string>, options: { apiKeysAllowed?: boolean } = {}) {
  const found = Object.entries(secrets)
    .filter(([, value]) => pieces(value).some((piece) => text.includes(piece)))
    .map(([name]) => name);
  if (CANARY.test(text)) found.push("a provider-key canary");
  if (!options.apiKeysAllowed && API_KEY.test(text)) found.push("an API key");
  return found;
}

const dir = captureDir();
const records = dir ? readCaptures(dir) : [];

describe("secrets canary scan over everything the suite captured", () => {
  it("found what the run captured", () => {
    // Run on its own the scan has nothing to read: it belongs at the end of `npm test`.
    expect(records.length, "no stack captured anything: run the scan as part of `npm test`").toBeGreaterThan(0);
    for (const r of records) expect(r.responses.length, `${r.stack.name}: responses captured`).toBeGreaterThan(0);
    process.stdout.write(
      `secrets scan: ${records
        .map((r) => `${r.stack.name} ${r.responses.length} responses, ${r.logs.length} console lines`)
        .join("; ")}\n`,
    );
  });

  const all = () => Object.assign({}, ...records.map(secretsOf)) as Record<string, string>;

  it("no secret in any response", () => {
    const secrets = all();
    const leaks = records.flatMap((r) =>
      r.responses.flatMap((res) => {
        const text = `${res.status} ${res.headers.map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${res.body}`;
        return findSecrets(text, secrets, { apiKeysAllowed: issuesApiKey(res) }).map(
          (what) => `${r.stack.name}: ${what} in ${res.method} ${res.url} → ${res.status}`,
        );
      }),
    );
    expect(leaks).toEqual([]);
  });

  it("no secret in any console line", () => {
    const secrets = all();
    const leaks = records.flatMap((r) =>
      r.logs.flatMap((line) => findSecrets(line, secrets).map((what) => `${r.stack.name}: ${what} in a console line`)),
    );
    expect(leaks).toEqual([]);
  });

  it("no secret in any database row", async () => {
    const secrets = all();
    const leaks: string[] = [];
    for (const r of records) {
      const db = await databaseText(r);
      expect(db.size, `${r.stack.name}: tables`).toBeGreaterThan(5);
      for (const [table, text] of db)
        for (const what of findSecrets(text, secrets)) leaks.push(`${r.stack.name}: ${what} in ${table}`);
    }
    expect(leaks).toEqual([]);
  });

  it("the scan can fail: each kind of secret is found where it shows", () => {
    const value = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH";
    const secrets = { "a key": value };
    expect(findSecrets(`{"msg":"oops ${value}"}`, secrets)).toEqual(["a key"]);
    // Part of it: any 2 × 16 − 1 characters in a row.
    expect(findSecrets(`x-leak: ${value.slice(5, 36)}`, secrets)).toEqual(["a key"]);
    expect(findSecrets(`x-leak: ${value.slice(5, 20)}`, secrets)).toEqual([]);
    expect(findSecrets(`x-upstream: Bearer sk-CANARY-provider-key-1`, {})).toHaveLength(1);
    const apiKey = `pgk_${"1".repeat(44)}_${"A".repeat(43)}`;
    expect(findSecrets(`Authorization: Bearer ${apiKey}`, {})).toEqual(["an API key"]);
    expect(findSecrets(`{"api_key":"${apiKey}"}`, {}, { apiKeysAllowed: true })).toEqual([]);
    expect(findSecrets("nothing here but pgk_1234…abcd_Wxyz", secrets)).toEqual([]);
    expect(issuesApiKey({ method: "POST", url: "/v1/keys", status: 201, headers: [], body: "" })).toBe(true);
    expect(issuesApiKey({ method: "GET", url: "http://x/v1/keys", status: 200, headers: [], body: "" })).toBe(false);
  });
});
