/** Helpers for the CapacityFenceDO tests: real objects, configs with a really sealed key. */
import { env, runInDurableObject } from "cloudflare:test";
import { expect } from "vitest";
import type { CapacityFenceDO } from "../../durable-objects/capacity-fence.ts";
import type { ListingConfig } from "../../workers/fence/interface.ts";
import { sealListingKey } from "../../workers/listings/vault.ts";

export type FenceStub = DurableObjectStub<CapacityFenceDO>;

export function fenceFor(listingId: string): FenceStub {
  return env.CAPACITY_FENCE.get(env.CAPACITY_FENCE.idFromName(listingId));
}

/** A valid config for a fresh listing id; `overrides` win. The key is sealed for (listing, version). */
export async function testConfig(
  overrides: Partial<ListingConfig> = {},
  providerKey = "sk-fence-test-key-0001",
): Promise<ListingConfig> {
  const listingId = overrides.listingId ?? crypto.randomUUID();
  const version = overrides.key?.version ?? 1;
  const sealed = await sealListingKey(env, providerKey, { listingId, keyVersion: version });
  return {
    listingId,
    sellerId: crypto.randomUUID(),
    sellerWallet: "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU",
    service: "demo-data",
    status: "active",
    upstreamBaseUrl: "http://127.0.0.1:9",
    allowedMethods: ["GET", "POST"],
    allowedPaths: ["/data/quotes/*", "/v1/chat/completions"],
    keyInjection: { kind: "header", name: "X-Api-Key" },
    price: 200n,
    pricingUnit: "per_call",
    capacity: { total: 120, reservedForSelf: 20, window: "minute" },
    configVersion: 1,
    ...overrides,
    key: { ...sealed, version },
  };
}

/** A configured fence for a fresh listing. */
export async function configuredFence(
  overrides: Partial<ListingConfig> = {},
): Promise<{ stub: FenceStub; config: ListingConfig }> {
  const config = await testConfig(overrides);
  const stub = fenceFor(config.listingId);
  await stub.configure(config);
  return { stub, config };
}

export async function fenceRows<T>(stub: FenceStub, query: string): Promise<T[]> {
  return runInDurableObject(stub, (_instance, state) => state.storage.sql.exec(query).toArray() as T[]);
}

/**
 * Asserts that a fence method throws, calling it on the instance inside the object: a rejecting
 * DO RPC leaks an unhandled rejection under the vitest pool (cloudflare/workers-sdk#14736).
 */
export function rejects(
  stub: FenceStub,
  call: (fence: CapacityFenceDO) => Promise<unknown>,
  message: RegExp,
): Promise<void> {
  return runInDurableObject(stub, async (instance: CapacityFenceDO) => {
    await expect(call(instance)).rejects.toThrow(message);
  });
}
