/** Small helpers for black-box tests against the built Worker: balances and a seller's listing. */
import { generateKeyPairSigner } from "@solana/kit";
import type { z } from "zod";
import { faucet } from "../../dev/lib/buyer.ts";
import { api, signIn } from "../../dev/lib/client.ts";
import type { CreateListingRequest, OwnerListing } from "../../workers/listings/interface.ts";

export interface Balance {
  available: string;
  reserved: string;
  unsettled: string;
}

export function balanceOf(gateway: string, apiKey: string): Promise<Balance> {
  return api<Balance>(gateway, "/v1/balance", { apiKey });
}

/**
 * Polls `GET /v1/balance` until `done` holds (a proxied call is confirmed or refunded after its
 * response, via waitUntil) and returns that balance; on timeout, the last one seen.
 */
export async function settledBalance(
  gateway: string,
  apiKey: string,
  done: (b: Balance) => boolean,
  timeoutMs = 5_000,
): Promise<Balance> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const b = await balanceOf(gateway, apiKey);
    if (done(b) || Date.now() > deadline) return b;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh seller (new wallet, signed in, some SOL) who lists `listing` through the public API. */
export async function sellerWithListing(
  gateway: string,
  rpcUrl: string,
  listing: z.input<typeof CreateListingRequest>,
): Promise<{ wallet: string; apiKey: string; listing: OwnerListing }> {
  const signer = await generateKeyPairSigner();
  await faucet(rpcUrl, signer.address, { sol: 1_000_000_000 });
  const apiKey = await signIn(gateway, signer);
  const created = await api<OwnerListing>(gateway, "/v1/listings", { body: listing, apiKey });
  return { wallet: signer.address, apiKey, listing: created };
}
