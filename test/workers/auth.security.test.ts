import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createRedis } from "../../workers/lib/redis.ts";
import {
  BASE,
  challenge,
  eventually,
  type IssuedKeyBody,
  newWallet,
  post,
  query,
  signIn,
  type TestWallet,
  withKey,
} from "./auth-helpers.ts";
import { captureLogs, dump } from "./log-capture.ts";
import { SELF } from "./self.ts";

/**
 * Canary: an API key secret is shown once, in the verify response, and nowhere else — not in any
 * other response (body or headers), not in Postgres, not in the WalletDO's storage, not in Redis,
 * not in a log line.
 */
const logged = captureLogs();

describe("API key secret canary", () => {
  let wallet: TestWallet;
  let canary: IssuedKeyBody;
  let secret: string;
  const seen: string[] = [];

  beforeAll(async () => {
    wallet = await newWallet();
    canary = await signIn(wallet);
    secret = canary.apiKey.split("_")[2] ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(43);
  });

  it("never appears in any other response", async () => {
    const other = await signIn(wallet); // a second key, to act after the canary is revoked
    const k = canary.apiKey;
    const responses = [
      await withKey(k, "/v1/keys"),
      await withKey(k, "/v1/keys", { method: "POST" }),
      await withKey(k, "/v1/nothing-here"),
      await withKey(`${k}x`, "/v1/keys"),
      await SELF.fetch(`${BASE}/v1/keys`, { headers: { authorization: `Basic ${k}` } }),
      await SELF.fetch(`${BASE}/v1/keys`, { headers: { authorization: `Bearer ${k} ${k}` } }),
      await post("/v1/auth/challenge", { wallet: k }),
      await post("/v1/auth/verify", { wallet: wallet.address, nonce: secret.slice(0, 22), signature: secret }),
      await post("/v1/auth/verify", {
        wallet: wallet.address,
        nonce: (await challenge(wallet.address)).nonce,
        signature: `${secret}${secret}`,
      }),
      await withKey(other.apiKey, `/v1/keys/${canary.keyId}`, { method: "DELETE" }),
      await withKey(k, "/v1/keys"), // revoked now
      await withKey(other.apiKey, "/v1/keys"),
    ];
    for (const res of responses) seen.push(await dump(res));
    expect(seen[0]).toMatch(/^200 /);
    expect(seen.at(-2)).toMatch(/^401 /);
    for (const text of seen) expect(text).not.toContain(secret);
  });

  it("is not stored in Postgres, Redis or the WalletDO — only its hash", async () => {
    // Work done after the responses (audit events, last_used_at) has to land before the scan.
    await eventually("key_revoked event", async () => {
      const rows = await query("SELECT 1 FROM security_events WHERE kind = 'key_revoked' AND wallet_address = $1", [
        wallet.address,
      ]);
      return rows.length > 0 ? rows : undefined;
    });
    const pg = await query<{ row: string }>(
      `SELECT row_to_json(k)::text AS row FROM api_keys k WHERE wallet_address = $1
       UNION ALL SELECT row_to_json(e)::text FROM security_events e`,
      [wallet.address],
    );
    expect(pg.length).toBeGreaterThan(2);
    for (const { row } of pg) expect(row).not.toContain(secret);

    const redis = createRedis(env);
    const keys = await redis.keys("*");
    for (const key of keys) {
      expect(key).not.toContain(secret);
      const type = await redis.type(key);
      const value = type === "string" ? await redis.get(key) : type === "hash" ? await redis.hgetall(key) : null;
      expect(JSON.stringify(value ?? "")).not.toContain(secret);
    }

    const stub = env.WALLET.get(env.WALLET.idFromName(wallet.address));
    const stored = await runInDurableObject(stub, (_instance, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
        )
        .toArray();
      return tables.map((t) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray()));
    });
    expect(stored.join("")).not.toContain(secret);
  });

  it("never appears in a log line", () => {
    expect(logged.join("\n")).not.toContain(secret);
  });
});
