/** Helpers for the listings API tests: signed-in sellers, listing bodies, JSON calls through SELF. */
import { expect, inject } from "vitest";
import type { EngineInfo } from "../../dev/engines-main.ts";
import type { OwnerListing, PublicListing } from "../../workers/listings/interface.ts";
import { BASE, type ErrorBody, newWallet, signIn } from "./auth-helpers.ts";
import { SELF } from "./self.ts";

export interface Seller {
  wallet: string;
  apiKey: string;
}

export async function newSeller(): Promise<Seller> {
  const wallet = await newWallet();
  const issued = await signIn(wallet);
  return { wallet: wallet.address, apiKey: issued.apiKey };
}

/** A valid create body against the local demo upstream (loopback http: allowed in local mode). */
export function listingBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const engines: EngineInfo = inject("engines");
  return {
    service: "demo-data",
    category: "data",
    description: "Quotes",
    upstreamBaseUrl: engines.upstreamUrl,
    allowedMethods: ["GET"],
    allowedPaths: ["/data/quotes/*", "/data/weather"],
    keyInjection: { kind: "header", name: "X-Api-Key" },
    price: "200",
    pricingUnit: "per_call",
    capacity: { total: 120, reservedForSelf: 20, window: "minute" },
    providerKey: "sk-listing-test-0001",
    ...overrides,
  };
}

export function call(seller: Seller | null, method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (seller) headers.authorization = `Bearer ${seller.apiKey}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return SELF.fetch(`${BASE}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

export async function createListing(seller: Seller, overrides: Record<string, unknown> = {}): Promise<OwnerListing> {
  const res = await call(seller, "POST", "/v1/listings", listingBody(overrides));
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as OwnerListing;
}

export async function json<T = OwnerListing>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export async function error(res: Response, status: number): Promise<ErrorBody["error"]> {
  return (await json<ErrorBody>(res, status)).error;
}

export type AnyListing = OwnerListing | PublicListing;
