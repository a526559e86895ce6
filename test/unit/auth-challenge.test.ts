import bs58 from "bs58";
import { describe, expect, it } from "vitest";
import { CHALLENGE_TTL_MS, challengeMessage, NONCE_BYTES, newChallenge } from "../../workers/auth/challenge.ts";
import { ChallengeRequest, VerifyRequest } from "../../workers/auth/interface.ts";

const wallet = bs58.encode(new Uint8Array(32).fill(1));

describe("sign-in challenge", () => {
  it("has a fresh 128-bit nonce and a five-minute window", () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    const a = newChallenge("https://gw.example", wallet, now);
    const b = newChallenge("https://gw.example", wallet, now);
    expect(NONCE_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(bs58.decode(a.nonce)).toHaveLength(NONCE_BYTES);
    expect(a.nonce).not.toBe(b.nonce);
    expect(a.expiresAt - a.issuedAt).toBe(CHALLENGE_TTL_MS);
    expect(CHALLENGE_TTL_MS).toBe(300_000);
  });

  it("renders the Sign-In With Solana layout, deterministically", () => {
    const challenge = {
      origin: "https://gw.example:8443",
      wallet,
      nonce: "3yZe7d",
      issuedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
      expiresAt: Date.UTC(2026, 0, 2, 3, 9, 5),
    };
    const message = challengeMessage(challenge);
    expect(message).toBe(
      [
        "gw.example:8443 wants you to sign in with your Solana account:",
        wallet,
        "",
        "Sign in to proxygate to get an API key. Signing sends no transaction and moves no funds.",
        "",
        "URI: https://gw.example:8443",
        "Version: 1",
        "Nonce: 3yZe7d",
        "Issued At: 2026-01-02T03:04:05.000Z",
        "Expiration Time: 2026-01-02T03:09:05.000Z",
      ].join("\n"),
    );
    expect(challengeMessage({ ...challenge })).toBe(message);
    expect(challengeMessage({ ...challenge, wallet: bs58.encode(new Uint8Array(32).fill(2)) })).not.toBe(message);
  });
});

describe("sign-in wire shapes", () => {
  it("accepts only addresses that decode to 32 bytes", () => {
    expect(ChallengeRequest.safeParse({ wallet }).success).toBe(true);
    for (const bad of ["", "not-base58!", bs58.encode(new Uint8Array(31).fill(1)), bs58.encode(new Uint8Array(33))]) {
      expect(ChallengeRequest.safeParse({ wallet: bad }).success, bad).toBe(false);
    }
    expect(ChallengeRequest.safeParse({ wallet, extra: 1 }).success).toBe(false);
  });

  it("accepts only 64-byte signatures and 16-byte nonces", () => {
    const nonce = bs58.encode(new Uint8Array(16).fill(5));
    const signature = bs58.encode(new Uint8Array(64).fill(9));
    expect(VerifyRequest.safeParse({ wallet, nonce, signature }).success).toBe(true);
    expect(VerifyRequest.safeParse({ wallet, nonce, signature: bs58.encode(new Uint8Array(63).fill(9)) }).success).toBe(
      false,
    );
    expect(VerifyRequest.safeParse({ wallet, nonce: "abc", signature }).success).toBe(false);
  });
});
