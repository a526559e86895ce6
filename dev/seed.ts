import { createHash } from "node:crypto";
import { createKeyPairFromPrivateKeyBytes, getAddressFromPublicKey } from "@solana/kit";
import type { NeonDatabase } from "drizzle-orm/neon-serverless";
import * as schema from "../db/schema.ts";
import { importMasterKeys, last4, sealProviderKey } from "../workers/lib/key-vault.ts";

/** Fixed ids so seeding is idempotent across restarts of the dev stack. */
export const DEMO_SELLER_ID = "00000000-0000-4000-8000-00000000de01";
export const DEMO_CHAT_LISTING_ID = "00000000-0000-4000-8000-0000000c4a71";
export const DEMO_DATA_LISTING_ID = "00000000-0000-4000-8000-00000000da7a";

/** The demo seller's wallet: a real Ed25519 address derived from a fixed seed (local use only). */
export async function demoSellerAddress(): Promise<string> {
  const seed = createHash("sha256").update("proxygate/dev/demo-seller").digest();
  const pair = await createKeyPairFromPrivateKeyBytes(new Uint8Array(seed));
  return getAddressFromPublicKey(pair.publicKey);
}

export interface SeedResult {
  sellerWallet: string;
  listings: Array<{ id: string; service: string; price: bigint; pricingUnit: string }>;
}

/**
 * Seeds a demo seller with two listings of the demo upstream: an OpenAI-compatible chat API
 * (priced per 1k tokens, bearer key) and a JSON data API (per call, `X-Api-Key` header). The
 * upstream key is sealed with the vault master key like any seller's key. Re-running it is safe.
 */
export async function seedDemo(
  db: NeonDatabase<typeof schema>,
  options: { upstreamUrl: string; upstreamApiKey: string; vaultMasterKeys: string },
): Promise<SeedResult> {
  const ring = await importMasterKeys(options.vaultMasterKeys);
  const sellerWallet = await demoSellerAddress();
  const rows = [
    {
      id: DEMO_CHAT_LISTING_ID,
      service: "demo-llm",
      category: "llm",
      description: "Demo OpenAI-compatible chat completions (streaming supported).",
      allowedMethods: ["GET", "POST"],
      allowedPaths: ["/v1/chat/completions", "/v1/models"],
      keyInjectionKind: "bearer" as const,
      keyInjectionName: null,
      price: 1_000n,
      pricingUnit: "per_1k_tokens" as const,
      capacityTotal: 600,
      capacityReservedForSelf: 100,
    },
    {
      id: DEMO_DATA_LISTING_ID,
      service: "demo-data",
      category: "data",
      description: "Demo JSON data API: weather and stock quotes.",
      allowedMethods: ["GET"],
      allowedPaths: ["/data/weather", "/data/quotes/*"],
      keyInjectionKind: "header" as const,
      keyInjectionName: "X-Api-Key",
      price: 200n,
      pricingUnit: "per_call" as const,
      capacityTotal: 1200,
      capacityReservedForSelf: 0,
    },
  ];
  await db.transaction(async (tx) => {
    await tx.insert(schema.wallets).values({ address: sellerWallet }).onConflictDoNothing();
    await tx
      .insert(schema.sellers)
      .values({ id: DEMO_SELLER_ID, walletAddress: sellerWallet, displayName: "Demo Seller" })
      .onConflictDoNothing();
    for (const row of rows) {
      const sealed = await sealProviderKey(ring, options.upstreamApiKey, { listingId: row.id, keyVersion: 1 });
      // The demo upstream's address and key belong to this run of the stack: refresh them.
      const live = {
        upstreamBaseUrl: options.upstreamUrl,
        keyCiphertext: sealed.ciphertext,
        keyIv: sealed.iv,
        keyId: sealed.keyId,
        keyVersion: 1,
        keyLast4: last4(options.upstreamApiKey),
      };
      await tx
        .insert(schema.listings)
        .values({ ...row, ...live, sellerId: DEMO_SELLER_ID, type: "proxy", capacityWindow: "minute" })
        .onConflictDoUpdate({ target: schema.listings.id, set: live });
    }
  });
  return {
    sellerWallet,
    listings: rows.map((r) => ({ id: r.id, service: r.service, price: r.price, pricingUnit: r.pricingUnit })),
  };
}
