/**
 * Responses shaped exactly as the gateway's catalog, seller-earnings and settlement routes answer,
 * with months of traffic behind them, for screenshots of those views with data
 * (test/browser/dashboard-contract.happy.test.ts).
 */

const DAY_MS = 86_400_000;

export const LISTING_A = "6f1c2a9e-3b7d-4c1e-9a55-0d2f8e4b7c10";
export const LISTING_B = "9a2d4e61-8c3f-4b7a-a1d2-5e6f7a8b9c0d";
export const BATCH = "stl_01jd8k2m9q";
export const PAYOUT_SIGNATURE =
  "5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW";

function day(offset: number): string {
  return new Date(Date.now() - offset * DAY_MS).toISOString().slice(0, 10);
}

export const apis = {
  apis: [
    {
      id: LISTING_A,
      service: "openai",
      type: "proxy",
      category: "llm",
      description: "GPT-class chat completions, streaming included. OpenAI SDK compatible.",
      pricingUnit: "per_1k_tokens",
      price: "1050",
      sellerPrice: "1000",
      capacity: { window: "minute", resale: 600, headroom: 0.83 },
      health: { uptime: 0.998, errorRate: 0.002, p50Ms: 412, p95Ms: 980, samples: 1840 },
      sellerCount: 3,
      proxyUrl: `/v1/proxy/${LISTING_A}`,
    },
    {
      id: LISTING_B,
      service: "weather",
      type: "proxy",
      category: "data",
      description: "Current conditions and forecasts for any city, JSON.",
      pricingUnit: "per_call",
      price: "210",
      sellerPrice: "200",
      capacity: { window: "second", resale: 20, headroom: 0.35 },
      health: { uptime: 0.97, errorRate: 0.03, p50Ms: 88, p95Ms: 240, samples: 512 },
      sellerCount: 1,
      proxyUrl: `/v1/proxy/${LISTING_B}`,
    },
  ],
  services: [
    { service: "openai", sellerCount: 3 },
    { service: "weather", sellerCount: 1 },
  ],
};

export const categories = {
  categories: [
    { category: "llm", listingCount: 3, serviceCount: 1 },
    { category: "data", listingCount: 1, serviceCount: 1 },
  ],
};

/** 30 days of earnings, quiet at first, growing, one busy day, of the seller's [openai, weather] listings. */
export function earnings(wallet: string, [openai, weather]: readonly [string, string]) {
  const byDay = Array.from({ length: 30 }, (_, i) => {
    const offset = 29 - i;
    const calls = offset === 4 ? 960 : Math.round(40 + i * 14 + (i % 3) * 25);
    return { day: day(offset), calls, earned: String(calls * 950) };
  });
  return {
    wallet,
    pending: "1234560",
    settled: "48210000",
    byListing: [
      { listingId: openai, service: "openai", calls: 8123, pending: "1034560", settled: "40110000" },
      { listingId: weather, service: "weather", calls: 2210, pending: "200000", settled: "8100000" },
    ],
    byDay,
  };
}

export const settlements = {
  settlements: [
    {
      batchId: BATCH,
      amount: "12500000",
      status: "confirmed",
      signature: PAYOUT_SIGNATURE,
      confirmedSlot: "291044120",
      createdAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    },
    {
      batchId: "stl_01jd7z1c4w",
      amount: "9820000",
      status: "sent",
      signature: "3nHpeV3jE4kH5vQm7dYgKx2tR9sWb8cLfN6aJ1uZoP4iT7yXqC2rD5eG8hK1mB3vS6wU9zA4fJ7nL2pQ5tY8x",
      confirmedSlot: null,
      createdAt: new Date(Date.now() - 26 * 3600_000).toISOString(),
    },
    {
      batchId: "stl_01jd5a8b2x",
      amount: "25890000",
      status: "planned",
      signature: null,
      confirmedSlot: null,
      createdAt: new Date(Date.now() - 10 * 60_000).toISOString(),
    },
  ],
  nextCursor: null,
};

export function settlement(wallet: string) {
  return {
    id: BATCH,
    status: "confirmed",
    createdAt: new Date(Date.now() - 2 * 3600_000).toISOString(),
    completedAt: new Date(Date.now() - 2 * 3600_000 + 95_000).toISOString(),
    entryCount: 13158,
    totals: { collected: "13815789", paidOut: "12500000", fees: "1315789" },
    transfers: [
      {
        idx: 7,
        kind: "payout",
        wallet,
        amount: "12500000",
        txIndex: 2,
        signature: PAYOUT_SIGNATURE,
        status: "confirmed",
        confirmedSlot: "291044120",
      },
    ],
  };
}
