import { env } from "cloudflare:test";
import bs58 from "bs58";
import { describe, expect, it } from "vitest";
import { createRedis } from "../../workers/lib/redis.ts";
import {
  BASE,
  challenge,
  type ErrorBody,
  eventually,
  type IssuedKeyBody,
  newWallet,
  post,
  query,
  signIn,
  withKey,
} from "./auth-helpers.ts";
import { SELF } from "./self.ts";

const redis = createRedis(env);

async function expectError(res: Response, status: number, code: string, messagePart?: string): Promise<ErrorBody> {
  const body = await res.json<ErrorBody>();
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(body.error.code).toBe(code);
  if (messagePart) expect(body.error.message).toContain(messagePart);
  expect(body.error.requestId).toBe(res.headers.get("x-proxygate-request-id"));
  return body;
}

describe("POST /v1/auth/challenge errors", () => {
  it("refuses a wallet that is not a 32-byte base58 address", async () => {
    for (const wallet of ["", "0OIl", "not a wallet", bs58.encode(new Uint8Array(31).fill(3)), 42]) {
      await expectError(await post("/v1/auth/challenge", { wallet }), 400, "invalid_request", "wallet");
    }
    await expectError(await post("/v1/auth/challenge", {}), 400, "invalid_request");
    await expectError(await post("/v1/auth/challenge", "{not json"), 400, "invalid_request");
  });
});

describe("POST /v1/auth/verify errors", () => {
  it("refuses a wrong signature, and the nonce is gone after that one attempt", async () => {
    const wallet = await newWallet();
    const impostor = await newWallet();
    const c = await challenge(wallet.address);
    const bad = await post("/v1/auth/verify", {
      wallet: wallet.address,
      nonce: c.nonce,
      signature: await impostor.sign(c.message),
    });
    await expectError(bad, 401, "unauthorized", "Signature does not verify");
    const good = await post("/v1/auth/verify", {
      wallet: wallet.address,
      nonce: c.nonce,
      signature: await wallet.sign(c.message),
    });
    await expectError(good, 401, "unauthorized", "unknown, expired or already used");

    // The failure is in the audit trail (written after the response), without the signature.
    const events = await eventually("signin_failed event", async () => {
      const rows = await query<{ detail: Record<string, string>; wallet_address: string | null }>(
        "SELECT detail, wallet_address FROM security_events WHERE kind = 'signin_failed' AND detail->>'wallet' = $1",
        [wallet.address],
      );
      return rows.length >= 2 ? rows : undefined;
    });
    expect(events.map((e) => e.detail.reason).sort()).toEqual(["bad_signature", "unknown_nonce"]);
    // This wallet never signed in: no wallets row, so the foreign key stays empty.
    expect(events.every((e) => e.wallet_address === null)).toBe(true);
  });

  it("refuses a signature over a different message (e.g. another nonce's)", async () => {
    const wallet = await newWallet();
    const a = await challenge(wallet.address);
    const b = await challenge(wallet.address);
    const res = await post("/v1/auth/verify", {
      wallet: wallet.address,
      nonce: a.nonce,
      signature: await wallet.sign(b.message),
    });
    await expectError(res, 401, "unauthorized", "Signature does not verify");
  });

  it("refuses a reused nonce", async () => {
    const wallet = await newWallet();
    const c = await challenge(wallet.address);
    const body = { wallet: wallet.address, nonce: c.nonce, signature: await wallet.sign(c.message) };
    expect((await post("/v1/auth/verify", body)).status).toBe(200);
    await expectError(await post("/v1/auth/verify", body), 401, "unauthorized", "already used");
  });

  it("issues exactly one key when the same signed nonce is verified concurrently", async () => {
    const wallet = await newWallet();
    const c = await challenge(wallet.address);
    const body = { wallet: wallet.address, nonce: c.nonce, signature: await wallet.sign(c.message) };
    const results = await Promise.all(Array.from({ length: 10 }, () => post("/v1/auth/verify", body)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(401)]);
    expect(await query("SELECT id FROM api_keys WHERE wallet_address = $1", [wallet.address])).toHaveLength(1);
    await Promise.all(results.map((r) => r.body?.cancel()));
  });

  it("refuses an expired nonce (Redis TTL ran out)", async () => {
    const wallet = await newWallet();
    const c = await challenge(wallet.address);
    await redis.pexpire(`auth:nonce:${c.nonce}`, 1);
    await new Promise((r) => setTimeout(r, 20));
    const res = await post("/v1/auth/verify", {
      wallet: wallet.address,
      nonce: c.nonce,
      signature: await wallet.sign(c.message),
    });
    await expectError(res, 401, "unauthorized", "expired");
  });

  it("refuses a challenge past its expiry time even if the Redis entry is still there", async () => {
    const wallet = await newWallet();
    const c = await challenge(wallet.address);
    // Rewrite the stored window to one that already ended (the message is rebuilt from it).
    const key = `auth:nonce:${c.nonce}`;
    const issuedAt = Date.now() - 600_000;
    await redis.hset(key, { issued_at: String(issuedAt), expires_at: String(issuedAt + 300_000) });
    const stale = (await challenge(wallet.address)).message
      .replace(/Nonce: .*/, `Nonce: ${c.nonce}`)
      .replace(/Issued At: .*/, `Issued At: ${new Date(issuedAt).toISOString()}`)
      .replace(/Expiration Time: .*/, `Expiration Time: ${new Date(issuedAt + 300_000).toISOString()}`);
    const res = await post("/v1/auth/verify", {
      wallet: wallet.address,
      nonce: c.nonce,
      signature: await wallet.sign(stale),
    });
    await expectError(res, 401, "unauthorized", "Sign-in challenge has expired");
  });

  it("refuses a nonce issued to another wallet, and burns it", async () => {
    const owner = await newWallet();
    const other = await newWallet();
    const c = await challenge(owner.address);
    const otherMessage = c.message.replace(owner.address, other.address);
    const res = await post("/v1/auth/verify", {
      wallet: other.address,
      nonce: c.nonce,
      signature: await other.sign(otherMessage),
    });
    await expectError(res, 401, "unauthorized", "issued to another wallet");
    const late = await post("/v1/auth/verify", {
      wallet: owner.address,
      nonce: c.nonce,
      signature: await owner.sign(c.message),
    });
    await expectError(late, 401, "unauthorized", "already used");
  });

  it("refuses malformed verify bodies without touching the nonce", async () => {
    const wallet = await newWallet();
    const c = await challenge(wallet.address);
    const signature = await wallet.sign(c.message);
    await expectError(
      await post("/v1/auth/verify", { wallet: wallet.address, nonce: c.nonce }),
      400,
      "invalid_request",
    );
    await expectError(
      await post("/v1/auth/verify", {
        wallet: wallet.address,
        nonce: c.nonce,
        signature: bs58.encode(new Uint8Array(63)),
      }),
      400,
      "invalid_request",
      "signature",
    );
    await expectError(
      await post("/v1/auth/verify", { wallet: wallet.address, nonce: "short", signature }),
      400,
      "invalid_request",
      "nonce",
    );
    expect((await post("/v1/auth/verify", { wallet: wallet.address, nonce: c.nonce, signature })).status).toBe(200);
  });
});

describe("API key authentication errors", () => {
  it("refuses missing, malformed and unknown keys with 401", async () => {
    const wallet = await newWallet();
    const secret = bs58.encode(crypto.getRandomValues(new Uint8Array(32)));
    await expectError(await SELF.fetch(`${BASE}/v1/keys`), 401, "unauthorized", "Missing API key");
    for (const header of [
      "Basic dXNlcjpwYXNz",
      "Bearer",
      "Bearer sk-123",
      `Bearer pgk_${wallet.address}`,
      `Bearer pgk_${wallet.address}_short`,
      `Bearer pgk_${bs58.encode(new Uint8Array(31).fill(1))}_${secret}`,
    ]) {
      const res = await SELF.fetch(`${BASE}/v1/keys`, { headers: { authorization: header } });
      await expectError(res, 401, "unauthorized", "Malformed API key");
    }
    // Well-formed, but never issued.
    await expectError(
      await withKey(`pgk_${wallet.address}_${secret}`, "/v1/keys"),
      401,
      "unauthorized",
      "unknown or revoked",
    );
  });

  it("answers 404 for another wallet's key or an id that is not a key", async () => {
    const alice: IssuedKeyBody = await signIn(await newWallet());
    const bob: IssuedKeyBody = await signIn(await newWallet());
    await expectError(await withKey(alice.apiKey, `/v1/keys/${bob.keyId}`, { method: "DELETE" }), 404, "not_found");
    await expectError(await withKey(alice.apiKey, "/v1/keys/not-a-uuid", { method: "DELETE" }), 404, "not_found");
    await expectError(
      await withKey(alice.apiKey, `/v1/keys/${crypto.randomUUID()}`, { method: "DELETE" }),
      404,
      "not_found",
    );
    // Bob's key still works.
    expect((await withKey(bob.apiKey, "/v1/keys")).status).toBe(200);
  });
});
