import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { hashApiKey } from "../../workers/auth/api-key.ts";
import { createRedis } from "../../workers/lib/redis.ts";
import {
  challenge,
  type ErrorBody,
  eventually,
  type IssuedKeyBody,
  newWallet,
  query,
  signIn,
  withKey,
} from "./auth-helpers.ts";

const redis = createRedis(env);

interface KeyListBody {
  keys: {
    id: string;
    prefix: string;
    createdAt: string;
    lastUsedAt: string | null;
    revokedAt: string | null;
    current: boolean;
  }[];
}

describe("POST /v1/auth/challenge", () => {
  it("returns a Sign-In With Solana message with a nonce stored in Redis for 5 minutes, bound to the wallet", async () => {
    const wallet = await newWallet();
    const c = await challenge(wallet.address);
    expect(c.wallet).toBe(wallet.address);
    expect(c.nonce).toMatch(/^[1-9A-HJ-NP-Za-km-z]{20,24}$/);
    expect(c.message).toContain("gateway.test wants you to sign in with your Solana account:");
    expect(c.message).toContain(`\n${wallet.address}\n`);
    expect(c.message).toContain(`Nonce: ${c.nonce}`);
    expect(c.message).toContain(`Issued At: ${c.issuedAt}`);
    expect(c.message).toContain(`Expiration Time: ${c.expiresAt}`);
    expect(Date.parse(c.expiresAt) - Date.parse(c.issuedAt)).toBe(300_000);

    const ttl = await redis.pttl(`auth:nonce:${c.nonce}`);
    expect(ttl).toBeGreaterThan(290_000);
    expect(ttl).toBeLessThanOrEqual(300_000);
    expect(await redis.hget(`auth:nonce:${c.nonce}`, "wallet")).toBe(wallet.address);
  });

  it("gives every challenge its own nonce", async () => {
    const wallet = await newWallet();
    const [a, b] = await Promise.all([challenge(wallet.address), challenge(wallet.address)]);
    expect(a.nonce).not.toBe(b.nonce);
  });
});

describe("sign-in → API key → use → revoke", () => {
  it("issues pgk_<wallet>_<secret>, stores only its hash, and the key authenticates", async () => {
    const wallet = await newWallet();
    const issued = await signIn(wallet);
    expect(issued.wallet).toBe(wallet.address);
    expect(issued.apiKey).toMatch(new RegExp(`^pgk_${wallet.address}_[1-9A-HJ-NP-Za-km-z]{43,44}$`));
    const secret = issued.apiKey.split("_")[2] ?? "";
    expect(issued.prefix).toBe(`pgk_${wallet.address.slice(0, 4)}…${wallet.address.slice(-4)}_${secret.slice(0, 4)}`);

    const rows = await query<{ id: string; wallet_address: string; prefix: string; key_hash: string }>(
      "SELECT id, wallet_address, prefix, key_hash FROM api_keys WHERE wallet_address = $1",
      [wallet.address],
    );
    expect(rows).toEqual([
      {
        id: issued.keyId,
        wallet_address: wallet.address,
        prefix: issued.prefix,
        key_hash: await hashApiKey(issued.apiKey),
      },
    ]);
    expect(await query("SELECT address FROM wallets WHERE address = $1", [wallet.address])).toHaveLength(1);

    const res = await withKey(issued.apiKey, "/v1/keys");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const list = await res.json<KeyListBody>();
    expect(list.keys).toHaveLength(1);
    expect(list.keys[0]).toMatchObject({ id: issued.keyId, prefix: issued.prefix, revokedAt: null, current: true });
    expect(Object.keys(list.keys[0] ?? {}).sort()).toEqual(
      ["createdAt", "current", "id", "lastUsedAt", "prefix", "revokedAt"].sort(),
    );

    // After the response: last_used_at and the audit trail.
    await eventually("last_used_at", async () => {
      const [row] = await query<{ last_used_at: Date | null }>("SELECT last_used_at FROM api_keys WHERE id = $1", [
        issued.keyId,
      ]);
      return row?.last_used_at ?? undefined;
    });
    const events = await eventually("key_created event", async () => {
      const found = await query<{ detail: Record<string, string>; wallet_address: string }>(
        "SELECT detail, wallet_address FROM security_events WHERE kind = 'key_created' AND wallet_address = $1",
        [wallet.address],
      );
      return found.length > 0 ? found : undefined;
    });
    expect(events[0]?.detail).toMatchObject({ keyId: issued.keyId, via: "sign_in", wallet: wallet.address });
  });

  it("revokes a key at once: the very next request with it is refused", async () => {
    const wallet = await newWallet();
    const first = await signIn(wallet);
    const second = await signIn(wallet);

    const del = await withKey(second.apiKey, `/v1/keys/${first.keyId}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    const revoked = await del.json<{ id: string; prefix: string; revokedAt: string }>();
    expect(revoked).toMatchObject({ id: first.keyId, prefix: first.prefix });
    expect(Date.parse(revoked.revokedAt)).not.toBeNaN();

    const refused = await withKey(first.apiKey, "/v1/keys");
    expect(refused.status).toBe(401);
    expect((await refused.json<ErrorBody>()).error.code).toBe("unauthorized");

    const list = await (await withKey(second.apiKey, "/v1/keys")).json<KeyListBody>();
    expect(list.keys.map((k) => [k.id, k.revokedAt !== null, k.current])).toEqual([
      [second.keyId, false, true],
      [first.keyId, true, false],
    ]);
    const [event] = await query<{ detail: Record<string, string> }>(
      "SELECT detail FROM security_events WHERE kind = 'key_revoked' AND wallet_address = $1",
      [wallet.address],
    );
    expect(event?.detail).toMatchObject({ keyId: first.keyId, prefix: first.prefix });

    // Revoking again is harmless and keeps the first revocation time.
    const again = await withKey(second.apiKey, `/v1/keys/${first.keyId}`, { method: "DELETE" });
    expect(again.status).toBe(200);
    expect((await again.json<{ revokedAt: string }>()).revokedAt).toBe(revoked.revokedAt);
  });

  it("lets a key revoke itself", async () => {
    const wallet = await newWallet();
    const issued = await signIn(wallet);
    const del = await withKey(issued.apiKey, `/v1/keys/${issued.keyId}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect((await withKey(issued.apiKey, "/v1/keys")).status).toBe(401);
  });

  it("mints an additional key for a signed-in wallet (POST /v1/keys), shown once", async () => {
    const wallet = await newWallet();
    const first = await signIn(wallet);
    const res = await withKey(first.apiKey, "/v1/keys", { method: "POST" });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const extra = await res.json<IssuedKeyBody>();
    expect(extra.wallet).toBe(wallet.address);
    expect(extra.apiKey).not.toBe(first.apiKey);
    expect((await withKey(extra.apiKey, "/v1/keys")).status).toBe(200);
    const list = await (await withKey(extra.apiKey, "/v1/keys")).json<KeyListBody>();
    expect(list.keys.map((k) => k.id).sort()).toEqual([first.keyId, extra.keyId].sort());
  });
});
