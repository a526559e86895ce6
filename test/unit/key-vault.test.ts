import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importMasterKeys, last4, openProviderKey, sealProviderKey } from "../../workers/lib/key-vault.ts";

const b64 = (fill: number) => Buffer.alloc(32, fill).toString("base64");
const CANARY = "sk-live-canary-7f3a9c1e";

describe("key vault", () => {
  it("round-trips any key for its listing and version", async () => {
    const ring = await importMasterKeys(`k1:${b64(1)}`);
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.uuid(),
        fc.integer({ min: 1, max: 1000 }),
        async (key, listingId, keyVersion) => {
          const sealed = await sealProviderKey(ring, key, { listingId, keyVersion });
          expect(await openProviderKey(ring, sealed, { listingId, keyVersion })).toBe(key);
        },
      ),
      { numRuns: 50 },
    );
  });

  it("never stores plaintext and uses a fresh IV per seal", async () => {
    const ring = await importMasterKeys(`k1:${b64(1)}`);
    const a = await sealProviderKey(ring, CANARY, { listingId: "l1", keyVersion: 1 });
    const b = await sealProviderKey(ring, CANARY, { listingId: "l1", keyVersion: 1 });
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(JSON.stringify(a)).not.toContain(CANARY);
    expect(Buffer.from(a.ciphertext, "base64").toString("latin1")).not.toContain(CANARY);
  });

  it("refuses a ciphertext moved to another listing or key version, or tampered with", async () => {
    const ring = await importMasterKeys(`k1:${b64(1)}`);
    const sealed = await sealProviderKey(ring, CANARY, { listingId: "l1", keyVersion: 1 });
    await expect(openProviderKey(ring, sealed, { listingId: "l2", keyVersion: 1 })).rejects.toThrow(/failed to open/);
    await expect(openProviderKey(ring, sealed, { listingId: "l1", keyVersion: 2 })).rejects.toThrow(/failed to open/);
    const bytes = Buffer.from(sealed.ciphertext, "base64");
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    await expect(
      openProviderKey(ring, { ...sealed, ciphertext: bytes.toString("base64") }, { listingId: "l1", keyVersion: 1 }),
    ).rejects.toThrow(/failed to open/);
  });

  it("rotates master keys: seals with the first, still opens with older ones", async () => {
    const old = await importMasterKeys(`k1:${b64(1)}`);
    const sealedOld = await sealProviderKey(old, CANARY, { listingId: "l1", keyVersion: 1 });
    const rotated = await importMasterKeys(`k2:${b64(2)},k1:${b64(1)}`);
    expect(await openProviderKey(rotated, sealedOld, { listingId: "l1", keyVersion: 1 })).toBe(CANARY);
    const sealedNew = await sealProviderKey(rotated, CANARY, { listingId: "l1", keyVersion: 1 });
    expect(sealedNew.keyId).toBe("k2");
    await expect(openProviderKey(old, sealedNew, { listingId: "l1", keyVersion: 1 })).rejects.toThrow(
      /unknown master key id k2/,
    );
  });

  it("rejects malformed master key specs without echoing key material", async () => {
    await expect(importMasterKeys("k1:c2hvcnQ=")).rejects.toThrow("VAULT_MASTER_KEYS entry k1: must be 32 bytes");
    await expect(importMasterKeys("nokeyhere")).rejects.toThrow("entry 1: expected id:base64");
    await expect(importMasterKeys(`k1:${b64(1)},k1:${b64(2)}`)).rejects.toThrow("duplicate id k1");
  });

  it("shows only the last four characters", () => {
    expect(last4(CANARY)).toBe("9c1e");
  });
});
