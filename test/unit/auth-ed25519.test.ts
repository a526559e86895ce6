import bs58 from "bs58";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyWalletSignature } from "../../workers/auth/ed25519.ts";

let wallet: string;
let privateKey: CryptoKey;
const message = "gw.example wants you to sign in with your Solana account:\n…\nNonce: abc";

async function sign(text: string, key = privateKey): Promise<string> {
  return bs58.encode(new Uint8Array(await crypto.subtle.sign("Ed25519", key, new TextEncoder().encode(text))));
}

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair;
  privateKey = pair.privateKey;
  wallet = bs58.encode(new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)));
});

describe("wallet signature check (Ed25519 over the UTF-8 message)", () => {
  it("accepts the wallet's signature of the exact message", async () => {
    expect(await verifyWalletSignature(wallet, message, await sign(message))).toBe(true);
  });

  it("refuses another message, another signer, or a tampered signature", async () => {
    const signature = await sign(message);
    expect(await verifyWalletSignature(wallet, `${message} `, signature)).toBe(false);
    const other = (await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"])) as CryptoKeyPair;
    expect(await verifyWalletSignature(wallet, message, await sign(message, other.privateKey))).toBe(false);
    const bytes = bs58.decode(signature);
    bytes[10] = (bytes[10] ?? 0) ^ 1;
    expect(await verifyWalletSignature(wallet, message, bs58.encode(bytes))).toBe(false);
  });

  it("treats malformed input as not verifying, never as an error", async () => {
    const signature = await sign(message);
    expect(await verifyWalletSignature("", message, signature)).toBe(false);
    expect(await verifyWalletSignature(wallet, message, "0OIl")).toBe(false);
    expect(await verifyWalletSignature(wallet, message, bs58.encode(new Uint8Array(63)))).toBe(false);
    expect(await verifyWalletSignature(bs58.encode(new Uint8Array(32)), message, signature)).toBe(false);
  });
});
