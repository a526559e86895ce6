/**
 * Read models for sellers: earnings (pending vs settled), their payouts, and one batch as the
 * caller may see it. An entry's payout counts as settled once its batch completed (payouts sent
 * and confirmed); before that it is pending.
 */

import type { Earnings, SellerSettlements, SettlementDetail } from "./interface.ts";
import type { Sql } from "./store.ts";

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function sellerEarnings(sql: Sql, wallet: string, days: number): Promise<Earnings> {
  const paid = `(e.status IN ('settled', 'forfeited') AND b.status = 'completed')`;
  const counted = `(e.status <> 'forfeited' OR e.settlement_batch_id IS NOT NULL)`;
  const byListing = await sql.query<{
    listing_id: string;
    service: string;
    calls: number;
    pending: string;
    settled: string;
  }>(
    `SELECT e.listing_id, l.service, count(*)::int AS calls,
            coalesce(sum(e.seller_payout) FILTER (WHERE NOT ${paid}), 0)::text AS pending,
            coalesce(sum(e.seller_payout) FILTER (WHERE ${paid}), 0)::text AS settled
       FROM ledger_entries e
       JOIN listings l ON l.id = e.listing_id
       LEFT JOIN settlement_batches b ON b.id = e.settlement_batch_id
      WHERE e.payee_wallet = $1 AND e.kind = 'call' AND ${counted}
      GROUP BY e.listing_id, l.service
      ORDER BY e.listing_id`,
    [wallet],
  );
  const totals = await sql.query<{ pending: string; settled: string }>(
    `SELECT coalesce(sum(e.seller_payout) FILTER (WHERE NOT ${paid}), 0)::text AS pending,
            coalesce(sum(e.seller_payout) FILTER (WHERE ${paid}), 0)::text AS settled
       FROM ledger_entries e LEFT JOIN settlement_batches b ON b.id = e.settlement_batch_id
      WHERE e.payee_wallet = $1 AND ${counted}`,
    [wallet],
  );
  const byDay = await sql.query<{ day: string; calls: number; earned: string }>(
    `SELECT to_char(date_trunc('day', e.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
            count(*)::int AS calls, sum(e.seller_payout)::text AS earned
       FROM ledger_entries e
      WHERE e.payee_wallet = $1 AND ${counted} AND e.created_at >= now() - make_interval(days => $2::int)
      GROUP BY 1 ORDER BY 1`,
    [wallet, days],
  );
  return {
    wallet,
    pending: totals.rows[0]?.pending ?? "0",
    settled: totals.rows[0]?.settled ?? "0",
    byListing: byListing.rows.map((r) => ({
      listingId: r.listing_id,
      service: r.service,
      calls: r.calls,
      pending: r.pending,
      settled: r.settled,
    })),
    byDay: byDay.rows,
  };
}

export async function sellerSettlements(
  sql: Sql,
  wallet: string,
  limit: number,
  cursor: string | undefined,
): Promise<SellerSettlements> {
  const [ms, batch] =
    cursor === undefined ? [null, null] : [Number(cursor.split("_")[0]), cursor.slice(cursor.indexOf("_") + 1)];
  const { rows } = await sql.query<{
    batch_id: string;
    amount: string;
    status: SellerSettlements["settlements"][number]["status"];
    signature: string | null;
    confirmed_slot: string | null;
    created_at: Date;
    created_ms: string;
  }>(
    `SELECT t.batch_id, t.amount::text AS amount, t.status, t.signature, t.confirmed_slot::text AS confirmed_slot,
            b.created_at, floor(extract(epoch FROM b.created_at) * 1000)::bigint::text AS created_ms
       FROM settlement_transfers t JOIN settlement_batches b ON b.id = t.batch_id
      WHERE t.wallet_address = $1 AND t.kind = 'payout'
        AND ($2::bigint IS NULL OR (floor(extract(epoch FROM b.created_at) * 1000)::bigint, t.batch_id) < ($2::bigint, $3::text))
      ORDER BY floor(extract(epoch FROM b.created_at) * 1000)::bigint DESC, t.batch_id DESC
      LIMIT $4`,
    [wallet, ms, batch, limit + 1],
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    settlements: page.map((r) => ({
      batchId: r.batch_id,
      amount: r.amount,
      status: r.status,
      signature: r.signature,
      confirmedSlot: r.confirmed_slot,
      createdAt: iso(r.created_at) as string,
    })),
    nextCursor: rows.length > limit && last ? `${last.created_ms}_${last.batch_id}` : null,
  };
}

/** One batch, with only the caller's transfers; null when the caller has no part in it. */
export async function settlementDetail(sql: Sql, wallet: string, id: string): Promise<SettlementDetail | null> {
  const batch = await sql.query<{
    id: string;
    status: SettlementDetail["status"];
    created_at: Date;
    completed_at: Date | null;
    entry_count: number;
    total_collected: string;
    total_paid_out: string;
    total_fees: string;
    member: boolean;
  }>(
    `SELECT b.id, b.status, b.created_at, b.completed_at, b.entry_count, b.total_collected::text AS total_collected,
            b.total_paid_out::text AS total_paid_out, b.total_fees::text AS total_fees,
            (EXISTS (SELECT 1 FROM settlement_transfers t WHERE t.batch_id = b.id AND t.wallet_address = $2)
             OR EXISTS (SELECT 1 FROM ledger_entries e WHERE e.id BETWEEN b.first_entry_id AND b.last_entry_id
                         AND e.settlement_batch_id = b.id AND (e.buyer_wallet = $2 OR e.payee_wallet = $2))) AS member
       FROM settlement_batches b WHERE b.id = $1`,
    [id, wallet],
  );
  const b = batch.rows[0];
  if (!b?.member) return null;
  const transfers = await sql.query<{
    idx: number;
    kind: "collection" | "payout";
    wallet_address: string;
    amount: string;
    tx_index: number;
    signature: string | null;
    status: SettlementDetail["transfers"][number]["status"];
    confirmed_slot: string | null;
  }>(
    `SELECT idx, kind, wallet_address, amount::text AS amount, tx_index, signature, status, confirmed_slot::text AS confirmed_slot
       FROM settlement_transfers WHERE batch_id = $1 AND wallet_address = $2 ORDER BY idx`,
    [id, wallet],
  );
  return {
    id: b.id,
    status: b.status,
    createdAt: iso(b.created_at) as string,
    completedAt: iso(b.completed_at),
    entryCount: b.entry_count,
    totals: { collected: b.total_collected, paidOut: b.total_paid_out, fees: b.total_fees },
    transfers: transfers.rows.map((t) => ({
      idx: t.idx,
      kind: t.kind,
      wallet: t.wallet_address,
      amount: t.amount,
      txIndex: t.tx_index,
      signature: t.signature,
      status: t.status,
      confirmedSlot: t.confirmed_slot,
    })),
  };
}
