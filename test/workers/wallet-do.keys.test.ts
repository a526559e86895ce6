/** WalletDO API keys: only hashes are stored, revocation is immediate, and a key works only for its own wallet. */
import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { WalletDO } from "../../durable-objects/wallet.ts";
import { hashApiKey, newApiKey } from "../../workers/auth/api-key.ts";
import { fundVault, newAddress, rejects, walletStub, walletWithKey } from "./wallet-do-helpers.ts";

describe("WalletDO keys", () => {
  it("authenticates a registered key and names its key id and wallet", async () => {
    const t = await walletWithKey();
    expect(await t.stub.authenticate(t.apiKey)).toEqual({ ok: true, keyId: t.keyId, wallet: t.wallet });
    // Registering the same key again is a no-op.
    await t.stub.registerKey(t.wallet, t.keyId, await hashApiKey(t.apiKey));
    expect(await t.stub.authenticate(t.apiKey)).toEqual({ ok: true, keyId: t.keyId, wallet: t.wallet });
  });

  it("refuses unknown, malformed and other wallets' keys", async () => {
    const t = await walletWithKey();
    const other = newApiKey(t.wallet).apiKey;
    expect(await t.stub.authenticate(other)).toEqual({ ok: false });
    expect(await t.stub.authenticate("pgk_nope")).toEqual({ ok: false });
    expect(await t.stub.authenticate("")).toEqual({ ok: false });
    // A valid key of wallet B presented to wallet A's object.
    const b = await walletWithKey();
    expect(await t.stub.authenticate(b.apiKey)).toEqual({ ok: false });
    expect(await t.stub.reserve("r", b.apiKey, 1n)).toEqual({ ok: false, reason: "unauthorized" });
  });

  it("revokes at once: authenticate and reserve refuse the key, and it stays revoked", async () => {
    const t = await walletWithKey();
    await fundVault(t, 100);
    await t.stub.balance();
    expect((await t.stub.reserve("before", t.apiKey, 1n)).ok).toBe(true);
    expect(await t.stub.revokeKey(t.keyId)).toBe(true);
    expect(await t.stub.revokeKey(t.keyId)).toBe(false);
    expect(await t.stub.authenticate(t.apiKey)).toEqual({ ok: false });
    expect(await t.stub.reserve("after", t.apiKey, 1n)).toEqual({ ok: false, reason: "unauthorized" });
    await t.stub.registerKey(t.wallet, t.keyId, await hashApiKey(t.apiKey));
    expect(await t.stub.authenticate(t.apiKey)).toEqual({ ok: false });
    expect(await t.stub.revokeKey(crypto.randomUUID())).toBe(false);
  });

  it("stores only the SHA-256 of the key: neither the key nor its secret is anywhere in storage", async () => {
    const t = await walletWithKey();
    await fundVault(t, 100);
    await t.stub.reserve("canary", t.apiKey, 1n);
    await t.stub.authenticate(t.apiKey);
    const secret = t.apiKey.split("_")[2]!;
    const dump = await runInDurableObject(t.stub, (_i: WalletDO, state) => {
      const sql = state.storage.sql;
      const tables = sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").toArray();
      return tables
        .filter((x) => !x.name.startsWith("_cf") && !x.name.startsWith("sqlite"))
        .map((x) => JSON.stringify(sql.exec(`SELECT * FROM "${x.name}"`).toArray()))
        .join("\n");
    });
    expect(dump).toContain(await hashApiKey(t.apiKey));
    expect(dump).not.toContain(t.apiKey);
    expect(dump).not.toContain(secret);
  });

  it("belongs to one wallet: registering a key or vault for another wallet throws", async () => {
    const wallet = await newAddress();
    const stub = walletStub(wallet);
    const other = await newAddress();
    const hash = await hashApiKey(newApiKey(other).apiKey);
    await stub.registerKey(wallet, crypto.randomUUID(), await hashApiKey(newApiKey(wallet).apiKey));
    await rejects(stub, (w) => w.registerKey(other, crypto.randomUUID(), hash), /another wallet/);
    await rejects(stub, (w) => w.setVault(other, other), /another wallet/);
    await rejects(stub, (w) => w.registerKey(wallet, crypto.randomUUID(), "not-a-hash"), /keyHash/);
  });
});
