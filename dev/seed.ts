/**
 * The demo data of `npm start`, created through the public API as a real seller would: the demo
 * seller signs in with its wallet and lists the demo upstream three times — an OpenAI-compatible
 * chat API twice at two prices (per 1k tokens, bearer key; one service, so calls by service name are
 * routed between them) and a JSON data API (per call, `X-Api-Key` header). The provider
 * key is sealed by the gateway like any seller's; creating through the API also configures each
 * listing's capacity fence. Re-running finds the listings and re-syncs them.
 */
import { createHash } from "node:crypto";
import { createKeyPairSignerFromPrivateKeyBytes, type KeyPairSigner } from "@solana/kit";
import type { CreateListingRequest, OwnerListing } from "../workers/listings/interface.ts";
import { ApiCallError, api, signIn } from "./lib/client.ts";

/** The demo seller's wallet: a real Ed25519 key derived from a fixed seed (local use only). */
export async function demoSeller(): Promise<KeyPairSigner> {
  const seed = createHash("sha256").update("proxygate/dev/demo-seller").digest();
  return createKeyPairSignerFromPrivateKeyBytes(new Uint8Array(seed));
}

type DemoListing = Omit<CreateListingRequest, "upstreamBaseUrl" | "providerKey" | "price"> & { price: string };

const DEMO_LISTINGS: DemoListing[] = [
  {
    service: "demo-llm",
    type: "proxy",
    category: "llm",
    description: "Demo OpenAI-compatible chat completions (streaming supported).",
    allowedMethods: ["GET", "POST"],
    allowedPaths: ["/v1/chat/completions", "/v1/models"],
    keyInjection: { kind: "bearer" },
    price: "1000",
    pricingUnit: "per_1k_tokens",
    capacity: { total: 600, reservedForSelf: 100, window: "minute" },
  },
  {
    // A second seller of the same service, pricier: calls to /v1/proxy/demo-llm/… are routed between the two.
    service: "demo-llm",
    type: "proxy",
    category: "llm",
    description: "Demo OpenAI-compatible chat completions, a second offer at a higher price (route by service).",
    allowedMethods: ["GET", "POST"],
    allowedPaths: ["/v1/chat/completions", "/v1/models"],
    keyInjection: { kind: "bearer" },
    price: "1500",
    pricingUnit: "per_1k_tokens",
    capacity: { total: 300, reservedForSelf: 0, window: "minute" },
  },
  {
    service: "demo-data",
    type: "proxy",
    category: "data",
    description: "Demo JSON data API: weather and stock quotes.",
    allowedMethods: ["GET"],
    allowedPaths: ["/data/weather", "/data/quotes/*"],
    keyInjection: { kind: "header", name: "X-Api-Key" },
    price: "200",
    pricingUnit: "per_call",
    capacity: { total: 1200, reservedForSelf: 0, window: "minute" },
  },
];

export interface SeedResult {
  sellerWallet: string;
  /** The demo seller's API key (kept by the caller so restarts reuse it). */
  sellerApiKey: string;
  listings: OwnerListing[];
}

/**
 * Ensures the demo seller and its listings exist, through the gateway's API. `sellerApiKey`
 * from an earlier run is reused while it still works; otherwise the seller signs in again.
 */
export async function seedDemo(
  gateway: string,
  options: { upstreamUrl: string; upstreamApiKey: string; sellerApiKey?: string },
): Promise<SeedResult> {
  const seller = await demoSeller();
  let apiKey = options.sellerApiKey;
  let mine: OwnerListing[] | undefined;
  if (apiKey) {
    try {
      mine = (await api<{ listings: OwnerListing[] }>(gateway, "/v1/listings", { apiKey })).listings;
    } catch (err) {
      if (!(err instanceof ApiCallError && err.status === 401)) throw err;
    }
  }
  if (!mine) {
    apiKey = await signIn(gateway, seller);
    mine = (await api<{ listings: OwnerListing[] }>(gateway, "/v1/listings", { apiKey })).listings;
  }
  const listings: OwnerListing[] = [];
  for (const demo of DEMO_LISTINGS) {
    // A demo listing is recognised by service and description (demo-llm is listed twice).
    const existing = mine.find(
      (l) => l.service === demo.service && l.description === demo.description && l.status !== "deleted",
    );
    if (existing && existing.upstreamBaseUrl === options.upstreamUrl) {
      // `PATCH {}` re-pushes the stored config into the listing's fence.
      listings.push(
        await api<OwnerListing>(gateway, `/v1/listings/${existing.id}`, { method: "PATCH", body: {}, apiKey }),
      );
      continue;
    }
    if (existing) await api(gateway, `/v1/listings/${existing.id}`, { method: "DELETE", apiKey });
    listings.push(
      await api<OwnerListing>(gateway, "/v1/listings", {
        body: { ...demo, upstreamBaseUrl: options.upstreamUrl, providerKey: options.upstreamApiKey },
        apiKey,
      }),
    );
  }
  return { sellerWallet: seller.address, sellerApiKey: apiKey!, listings };
}
