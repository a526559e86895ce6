import { randomBytes } from "node:crypto";
import { getBase58Decoder, getBase58Encoder } from "@solana/kit";
import { describe, expect, it } from "vitest";
import { generatePlatformSecrets, generateSecretKey } from "../../dev/platform-keys.ts";
import { ApiError } from "../../workers/errors.ts";
import { loadPlatformKeys, PlatformKeyError, parsePlatformKey } from "../../workers/solana/keys.ts";

const base58 = getBase58Decoder();

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection");
}

describe("parsePlatformKey", () => {
  it("turns base58(secret || public) into a signer whose address is the public half", async () => {
    const secret = await generateSecretKey();
    const signer = await parsePlatformKey("SETTLEMENT_KEY", secret);
    expect(signer.address).toBe(base58.decode(getBase58Encoder().encode(secret).slice(32)));
  });

  it.each([
    ["empty", ""],
    ["not base58", "0OIl-secret-canary"],
    ["32 bytes (an address or a bare seed)", base58.decode(randomBytes(32))],
    ["63 bytes", base58.decode(randomBytes(63))],
    ["65 bytes", base58.decode(randomBytes(65))],
    ["a JSON byte array (solana-keygen's file format)", JSON.stringify([...randomBytes(64)])],
  ])("rejects %s without echoing it", async (_, value) => {
    const err = await rejection(parsePlatformKey("PLATFORM_COSIGNER_KEY", value));
    expect(err).toBeInstanceOf(PlatformKeyError);
    expect(err.message).toBe(
      "PLATFORM_COSIGNER_KEY: expected base58 of a 64-byte Solana secret key (secret || public)",
    );
    if (value) expect(err.message).not.toContain(value);
  });

  it("rejects a secret whose public half belongs to another key, without echoing it", async () => {
    const [a, b] = await Promise.all([generateSecretKey(), generateSecretKey()]);
    const bytes = new Uint8Array(64);
    bytes.set(getBase58Encoder().encode(a).slice(0, 32), 0);
    bytes.set(getBase58Encoder().encode(b).slice(32), 32);
    const mixed = base58.decode(bytes);
    const err = await rejection(parsePlatformKey("TREASURY_KEY", mixed));
    expect(err.message).toBe("TREASURY_KEY: the public half does not match the secret half");
    expect(err.message).not.toContain(mixed);
  });
});

describe("loadPlatformKeys", () => {
  it("gives the four signers, the same objects on every call (parsed once per isolate)", async () => {
    const secrets = await generatePlatformSecrets();
    const first = await loadPlatformKeys(secrets);
    const second = await loadPlatformKeys(secrets);
    expect(second.cosigner).toBe(first.cosigner);
    expect(new Set(Object.values(first).map((s) => s.address)).size).toBe(4);
    expect(first.receipt.address).toBe(base58.decode(getBase58Encoder().encode(secrets.RECEIPT_KEY).slice(32)));
  });

  it("is a bad_environment naming every broken key, and no value", async () => {
    const secrets = await generatePlatformSecrets();
    const err = await rejection(
      loadPlatformKeys({ ...secrets, SETTLEMENT_KEY: "settlement-canary", RECEIPT_KEY: "receipt-canary" }),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("bad_environment");
    expect(err.message).toContain("SETTLEMENT_KEY: expected base58");
    expect(err.message).toContain("RECEIPT_KEY: expected base58");
    expect(err.message).not.toContain("PLATFORM_COSIGNER_KEY");
    expect(err.message).not.toContain("canary");
    for (const value of Object.values(secrets)) expect(err.message).not.toContain(value);
  });
});
