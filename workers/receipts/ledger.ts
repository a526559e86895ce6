/**
 * Receipts re-issued from the ledger: a confirmed call's entry holds every signed field (its
 * `created_at` is the receipt timestamp, set from the proxy's metering time), and Ed25519 is
 * deterministic, so signing the entry again yields the very receipt the call returned.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { ledgerEntries } from "../../db/schema.ts";
import type { ReceiptFields } from "./receipt.ts";

export interface LedgerReceipt {
  fields: ReceiptFields;
  /** Who was paid: the seller's wallet. Buyer and payee may both read the receipt. */
  payeeWallet: string;
}

/** The receipt fields of a confirmed call, or null when the ledger has no such call (yet). */
export async function ledgerReceipt(db: Db, requestId: string): Promise<LedgerReceipt | null> {
  const [row] = await db
    .select({
      requestId: ledgerEntries.requestId,
      buyerWallet: ledgerEntries.buyerWallet,
      payeeWallet: ledgerEntries.payeeWallet,
      listingId: ledgerEntries.listingId,
      charge: ledgerEntries.charge,
      createdAt: ledgerEntries.createdAt,
    })
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.requestId, requestId), eq(ledgerEntries.kind, "call")))
    .limit(1);
  if (!row || row.listingId === null) return null;
  return {
    fields: {
      requestId: row.requestId,
      wallet: row.buyerWallet,
      listing: row.listingId,
      charge: row.charge,
      timestamp: row.createdAt.getTime(),
    },
    payeeWallet: row.payeeWallet,
  };
}
