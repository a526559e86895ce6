/** Test helpers for sign-in and API keys: a real Ed25519 wallet and the HTTP calls, through SELF. */
import { env } from "cloudflare:test";
import bs58 from "bs58";
import { expect } from "vitest";
import { createPool } from "../../db/client.ts";
import { SELF } from "./self.ts";

export const BASE = "http://gateway.test";

export interface TestWallet {
  address: string;
  sign(message: string): Promise<string>;
}

/** A fresh Solana-style wallet: an Ed25519 key pair whose address is the base58 raw public key. */
export async function newWallet(): Promise<TestWallet> {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return {
    address: bs58.encode(raw),
    async sign(message) {
      const sig = await crypto.subtle.sign("Ed25519", pair.privateKey, new TextEncoder().encode(message));
      return bs58.encode(new Uint8Array(sig));
    },
  };
}

export function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

export function withKey(apiKey: string, path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { ...init, headers: { authorization: `Bearer ${apiKey}` } });
}

export interface ChallengeBody {
  wallet: string;
  nonce: string;
  message: string;
  issuedAt: string;
  expiresAt: string;
}

export interface IssuedKeyBody {
  apiKey: string;
  keyId: string;
  prefix: string;
  wallet: string;
}

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

export async function challenge(wallet: string): Promise<ChallengeBody> {
  const res = await post("/v1/auth/challenge", { wallet });
  expect(res.status).toBe(200);
  return res.json<ChallengeBody>();
}

/** The whole sign-in: challenge, sign the message, verify. Returns the issued key. */
export async function signIn(wallet: TestWallet): Promise<IssuedKeyBody> {
  const c = await challenge(wallet.address);
  const res = await post("/v1/auth/verify", {
    wallet: wallet.address,
    nonce: c.nonce,
    signature: await wallet.sign(c.message),
  });
  expect(res.status).toBe(200);
  return res.json<IssuedKeyBody>();
}

/** Runs a query against the test Postgres (the same one the Worker uses). */
export async function query<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const pool = createPool(env);
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

/** Polls until `check` returns a value (work the Worker does after the response lands later). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
