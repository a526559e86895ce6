import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { CapacityFenceDO } from "../../durable-objects/capacity-fence.ts";
import type { WalletDO } from "../../durable-objects/wallet.ts";

describe("Durable Object shells", () => {
  it("WalletDO answers RPC and keeps its state in SQLite storage", async () => {
    const stub = env.WALLET.get(env.WALLET.idFromName("7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU"));
    expect(await stub.describe()).toEqual({ kind: "wallet", schemaVersion: 1 });
    await runInDurableObject(stub, async (_instance: WalletDO, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .toArray();
      expect(tables.map((t) => t.name)).toContain("meta");
    });
  });

  it("CapacityFenceDO answers RPC and keeps its state in SQLite storage", async () => {
    const stub = env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName("listing-1"));
    expect(await stub.describe()).toEqual({ kind: "capacity-fence", schemaVersion: 1 });
    await runInDurableObject(stub, async (_instance: CapacityFenceDO, state) => {
      expect(state.storage.sql.databaseSize).toBeGreaterThan(0);
    });
  });
});
