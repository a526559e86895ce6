/** Wire shapes of the seller earnings and settlement views (docs: /work contracts, README "Settlement"). */
import { z } from "zod";
import { MicroUsdc } from "../lib/money.ts";

export const EarningsQuery = z.object({ days: z.coerce.number().int().min(1).max(366).default(30) });

export const SettlementsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^[0-9]{1,16}_[A-Za-z0-9-]{1,64}$/)
    .optional(),
});

export const SettlementIdParam = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) });

export const Earnings = z.object({
  wallet: z.string(),
  pending: MicroUsdc,
  settled: MicroUsdc,
  byListing: z.array(
    z.object({ listingId: z.string(), service: z.string(), calls: z.number(), pending: MicroUsdc, settled: MicroUsdc }),
  ),
  byDay: z.array(z.object({ day: z.string(), calls: z.number(), earned: MicroUsdc })),
});
export type Earnings = z.infer<typeof Earnings>;

const BatchStatus = z.enum(["planned", "sent", "confirmed", "failed"]);

export const SellerSettlements = z.object({
  settlements: z.array(
    z.object({
      batchId: z.string(),
      amount: MicroUsdc,
      status: BatchStatus,
      signature: z.string().nullable(),
      confirmedSlot: z.string().nullable(),
      createdAt: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
export type SellerSettlements = z.infer<typeof SellerSettlements>;

export const SettlementDetail = z.object({
  id: z.string(),
  status: z.enum(["planned", "executing", "completed", "failed"]),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  entryCount: z.number(),
  totals: z.object({ collected: MicroUsdc, paidOut: MicroUsdc, fees: MicroUsdc }),
  transfers: z.array(
    z.object({
      idx: z.number(),
      kind: z.enum(["collection", "payout"]),
      wallet: z.string(),
      amount: MicroUsdc,
      txIndex: z.number(),
      signature: z.string().nullable(),
      status: BatchStatus,
      confirmedSlot: z.string().nullable(),
    }),
  ),
});
export type SettlementDetail = z.infer<typeof SettlementDetail>;
