import bs58 from "bs58";
import { describe, expect, it } from "vitest";
import {
  bearerToken,
  displayPrefix,
  formatApiKey,
  hashApiKey,
  newApiKey,
  parseApiKey,
} from "../../workers/auth/api-key.ts";

const wallet = bs58.encode(new Uint8Array(32).fill(7));

describe("API key format", () => {
  it("mints pgk_<wallet>_<secret> with a 32-byte base58 secret, different every time", () => {
    const a = newApiKey(wallet);
    const b = newApiKey(wallet);
    expect(a.apiKey).toBe(`pgk_${wallet}_${a.secret}`);
    expect(bs58.decode(a.secret)).toHaveLength(32);
    expect(a.secret).not.toBe(b.secret);
  });

  it("parses what it formats", () => {
    const { apiKey, secret } = newApiKey(wallet);
    expect(parseApiKey(apiKey)).toEqual({ wallet, secret });
  });

  it("refuses malformed keys", () => {
    const secret = bs58.encode(new Uint8Array(32).fill(9));
    const shortWallet = bs58.encode(new Uint8Array(31).fill(7));
    const longSecret = bs58.encode(new Uint8Array(33).fill(9));
    for (const text of [
      "",
      "pgk_",
      `pgk_${wallet}`,
      `pgk_${wallet}_`,
      `sk_${wallet}_${secret}`,
      `pgk_${wallet}_${secret}_x`,
      `pgk_${wallet}_${secret.replace(/.$/, "0")}`, // 0 is not base58
      `pgk_${shortWallet}_${secret}`,
      `pgk_${wallet}_${longSecret}`,
      ` pgk_${wallet}_${secret}`,
    ]) {
      expect(parseApiKey(text), text).toBeNull();
    }
  });

  it("hashes the whole key to SHA-256 hex", async () => {
    // Known vector: sha256("abc").
    expect(await hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const { apiKey } = newApiKey(wallet);
    expect(await hashApiKey(apiKey)).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashApiKey(apiKey)).not.toBe(await hashApiKey(formatApiKey(wallet, "x")));
  });

  it("shows a prefix that identifies the key without revealing the secret", () => {
    const { secret } = newApiKey(wallet);
    const prefix = displayPrefix(wallet, secret);
    expect(prefix).toBe(`pgk_${wallet.slice(0, 4)}…${wallet.slice(-4)}_${secret.slice(0, 4)}`);
    expect(prefix).not.toContain(secret.slice(0, 8));
  });

  it("reads the key from a Bearer header only", () => {
    expect(bearerToken("Bearer pgk_a_b")).toBe("pgk_a_b");
    expect(bearerToken("bearer   pgk_a_b ")).toBe("pgk_a_b");
    expect(bearerToken("Basic pgk_a_b")).toBeNull();
    expect(bearerToken("Bearer")).toBeNull();
    expect(bearerToken("Bearer a b")).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});
