/**
 * Settlement persistence (DESIGN §5 step 3): aggregate the unsettled ledger in SQL, plan (pure),
 * and write the batch, its transfers and the entries it covers in ONE Postgres transaction.
 *
 * Overlapping runs are harmless without the lock: the transaction runs at REPEATABLE READ, marks
 * entries with `WHERE status = 'unsettled'`, and checks that what it marked is exactly what it
 * planned. A concurrent run touching the same entries makes Postgres abort one of the two
 * (serialization failure): that run plans nothing. Entries committed after the snapshot are not
 * touched and wait for the next batch.
 *
 * Speed (decision 011): no index names status / settlement_batch_id, so marking is a HOT update.
 * The planner scans the primary key from a low-water mark (the highest `next_scan_from` of all
 * batches) instead of a partial index; a barrier on the ledger write lock before the snapshot
 * makes that mark safe against inserts still in flight.
 */
import type { PoolClient } from "@neondatabase/serverless";
import type { Address } from "@solana/kit";
import { address } from "@solana/kit";
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { LEDGER_WRITE_LOCK } from "../lib/ledger-lock.ts";
import { type PairAggregate, type Plan, type PlanConfig, packTransfers, planSettlement } from "./plan.ts";
import { PACK_LIMITS } from "./transactions.ts";

export type Sql = Pick<PoolClient, "query">;

export interface PersistInput {
  mint: Address;
  treasuryAccount: Address;
  config: PlanConfig;
  /** Defaults to a random UUID. */
  batchId?: string;
}

export type PersistResult =
  | {
      planned: true;
      batchId: string;
      plan: Plan;
      transfers: number;
      transactions: number;
      planMs: number;
      persistMs: number;
    }
  | { planned: false; reason: "nothing_due" | "concurrent_run"; planMs: number };

export interface UnsettledScan {
  pairs: PairAggregate[];
  /** Lowest unsettled id per pair ("buyer payee"). */
  firstIds: Map<string, number>;
  /** Lowest unsettled id of entries that cannot be planned yet (buyer with no active vault), or null. */
  unplannableFrom: number | null;
}

const pairKey = (buyer: string, payee: string) => `${buyer} ${payee}`;

/**
 * Σ per (buyer, payee) over unsettled entries with id ≥ `scanFrom` whose buyer has an active vault,
 * or is flagged (then the pair is `forfeit`: nothing can be collected, the payee is still paid).
 * A flagged payee's pairs are marked `payeeFlagged`: the planner holds them.
 */
export async function aggregateUnsettled(sql: Sql, scanFrom = 0): Promise<UnsettledScan> {
  const r = await sql.query<{
    buyer: string;
    payee: string;
    charge: string;
    payout: string;
    fee: string;
    entries: number;
    oldest_ms: string;
    first_id: string;
    forfeit: boolean | null;
    payee_flagged: boolean;
  }>(
    `WITH buyers AS (
       SELECT w.address, w.is_flagged AS forfeit FROM wallets w
        WHERE w.is_flagged OR EXISTS (SELECT 1 FROM vault_accounts v WHERE v.wallet_address = w.address AND v.status = 'active')
     )
     SELECT e.buyer_wallet AS buyer, e.payee_wallet AS payee, b.forfeit, p.is_flagged AS payee_flagged,
            sum(e.charge)::text AS charge, sum(e.seller_payout)::text AS payout, sum(e.platform_fee)::text AS fee,
            count(*)::int AS entries, floor(extract(epoch FROM min(e.created_at)) * 1000)::bigint::text AS oldest_ms,
            min(e.id)::text AS first_id
       FROM ledger_entries e LEFT JOIN buyers b ON b.address = e.buyer_wallet JOIN wallets p ON p.address = e.payee_wallet
      WHERE e.id >= $1 AND e.status = 'unsettled'
      GROUP BY e.buyer_wallet, e.payee_wallet, b.forfeit, p.is_flagged`,
    [scanFrom],
  );
  const pairs: PairAggregate[] = [];
  const firstIds = new Map<string, number>();
  let unplannableFrom: number | null = null;
  for (const row of r.rows) {
    const firstId = Number(row.first_id);
    if (row.forfeit === null) {
      unplannableFrom = Math.min(unplannableFrom ?? firstId, firstId);
      continue;
    }
    firstIds.set(pairKey(row.buyer, row.payee), firstId);
    pairs.push({
      buyer: row.buyer,
      payee: row.payee,
      charge: BigInt(row.charge),
      payout: BigInt(row.payout),
      fee: BigInt(row.fee),
      entries: row.entries,
      oldestAt: Number(row.oldest_ms),
      ...(row.forfeit ? { forfeit: true } : {}),
      ...(row.payee_flagged ? { payeeFlagged: true } : {}),
    });
  }
  return { pairs, firstIds, unplannableFrom };
}

/**
 * The barrier: waits for every transaction holding the ledger write lock (ledger-lock.ts), then
 * returns the last id allocated so far. Every id up to it is committed or aborted from now on;
 * every id allocated later is larger. Run before the planner's snapshot.
 */
async function ledgerBarrier(sql: Sql): Promise<number> {
  await sql.query("BEGIN");
  try {
    await sql.query("SELECT pg_advisory_xact_lock($1)", [LEDGER_WRITE_LOCK]);
    const r = await sql.query<{ v: string }>(
      "SELECT coalesce(pg_sequence_last_value(pg_get_serial_sequence('ledger_entries', 'id')), 0)::text AS v",
    );
    await sql.query("COMMIT");
    return Number(r.rows[0]?.v ?? 0);
  } catch (err) {
    await sql.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
}

function isSerializationFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "40001" || code === "40P01";
}

/**
 * Plans a batch and persists it atomically. Nothing due → no batch. Lost a race → no batch.
 *
 * @example
 * const r = await planAndPersist(client, { mint, treasuryAccount, config: settlementConfig(env, Date.now()) });
 * if (r.planned) await executeBatch(deps, r.batchId);
 */
export async function planAndPersist(sql: Sql, input: PersistInput): Promise<PersistResult> {
  const started = performance.now();
  const allocated = await ledgerBarrier(sql);
  await sql.query("BEGIN ISOLATION LEVEL REPEATABLE READ");
  try {
    // The aggregate and the marking hash-join up to millions of rows: keep the hashes in memory.
    await sql.query("SET LOCAL work_mem = '64MB'");
    const mark = await sql.query<{ v: string }>(
      "SELECT coalesce(max(next_scan_from), 0)::text AS v FROM settlement_batches",
    );
    const scanFrom = Number(mark.rows[0]?.v ?? 0);
    const scan = await aggregateUnsettled(sql, scanFrom);
    const plan = planSettlement(scan.pairs, input.config);
    const planMs = performance.now() - started;
    if (plan.transfers.length === 0) {
      await sql.query("ROLLBACK");
      return { planned: false, reason: "nothing_due", planMs };
    }
    const persistStarted = performance.now();
    const batchId = input.batchId ?? crypto.randomUUID();
    const txIndexes = packTransfers(plan.transfers, PACK_LIMITS);
    const accounts = await transferAccounts(sql, plan, input);

    await sql.query(
      `INSERT INTO settlement_batches (id, status, total_collected, total_paid_out, total_fees, entry_count)
       VALUES ($1, 'planned', $2, $3, $4, $5)`,
      [
        batchId,
        plan.totalCollected.toString(),
        plan.totalPaidOut.toString(),
        // Fees earned on collected entries; forfeited entries' payouts are the treasury's loss.
        plan.covered.fee.toString(),
        plan.covered.entries + plan.forfeited.entries,
      ],
    );
    await sql.query(
      `INSERT INTO settlement_transfers (batch_id, idx, kind, wallet_address, from_token_account, to_token_account, amount, tx_index)
       SELECT $1, t.idx, t.kind::transfer_kind, t.wallet, t.src, t.dst, t.amount::bigint, t.tx
         FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[])
              AS t(idx, kind, wallet, src, dst, amount, tx)`,
      [
        batchId,
        plan.transfers.map((_, i) => i),
        plan.transfers.map((t) => t.kind),
        plan.transfers.map((t) => t.wallet),
        accounts.map((a) => a.from),
        accounts.map((a) => a.to),
        plan.transfers.map((t) => t.amount.toString()),
        txIndexes,
      ],
    );
    let firstEntryId = Number.POSITIVE_INFINITY;
    let lastEntryId = 0;
    for (const forfeit of [false, true]) {
      const pairs = plan.pairs.filter((p) => (p.forfeit ?? false) === forfeit);
      if (pairs.length === 0) continue;
      const expected = forfeit ? plan.forfeited : plan.covered;
      const marked = await sql.query<{
        entries: number;
        charge: string;
        payout: string;
        fee: string;
        first_id: string;
        last_id: string;
      }>(
        `WITH covered AS (SELECT * FROM unnest($2::text[], $3::text[]) AS c(buyer, payee)),
         upd AS (
           UPDATE ledger_entries e SET status = $4::ledger_entry_status, settlement_batch_id = $1
             FROM covered c
            WHERE e.id >= $5 AND e.status = 'unsettled' AND e.buyer_wallet = c.buyer AND e.payee_wallet = c.payee
            RETURNING e.id, e.charge, e.seller_payout, e.platform_fee
         )
         SELECT count(*)::int AS entries, coalesce(sum(charge), 0)::text AS charge,
                coalesce(sum(seller_payout), 0)::text AS payout, coalesce(sum(platform_fee), 0)::text AS fee,
                min(id)::text AS first_id, max(id)::text AS last_id
           FROM upd`,
        [batchId, pairs.map((p) => p.buyer), pairs.map((p) => p.payee), forfeit ? "forfeited" : "in_batch", scanFrom],
      );
      const m = marked.rows[0];
      if (
        !m ||
        m.entries !== expected.entries ||
        BigInt(m.charge) !== expected.charge ||
        BigInt(m.payout) !== expected.payout ||
        BigInt(m.fee) !== expected.fee
      ) {
        // Cannot happen inside one snapshot; if it ever does, nothing is written.
        throw new Error("settlement: the entries marked differ from the plan; batch rolled back");
      }
      firstEntryId = Math.min(firstEntryId, Number(m.first_id));
      lastEntryId = Math.max(lastEntryId, Number(m.last_id));
    }
    // Below the next mark nothing is unsettled: carried pairs and unplannable entries start at or
    // above it, and every id ≤ `allocated` is visible in this snapshot (or never will be).
    const covered = new Set(plan.pairs.map((p) => pairKey(p.buyer, p.payee)));
    let nextScanFrom = Math.max(allocated + 1, scanFrom);
    for (const [key, id] of scan.firstIds) if (!covered.has(key)) nextScanFrom = Math.min(nextScanFrom, id);
    if (scan.unplannableFrom !== null) nextScanFrom = Math.min(nextScanFrom, scan.unplannableFrom);
    await sql.query(
      "UPDATE settlement_batches SET first_entry_id = $2, last_entry_id = $3, next_scan_from = $4 WHERE id = $1",
      [batchId, firstEntryId, lastEntryId, nextScanFrom],
    );
    await sql.query("COMMIT");
    return {
      planned: true,
      batchId,
      plan,
      transfers: plan.transfers.length,
      transactions: txIndexes.length === 0 ? 0 : (txIndexes.at(-1) ?? 0) + 1,
      planMs,
      persistMs: performance.now() - persistStarted,
    };
  } catch (err) {
    await sql.query("ROLLBACK").catch(() => undefined);
    if (isSerializationFailure(err)) {
      return { planned: false, reason: "concurrent_run", planMs: performance.now() - started };
    }
    throw err;
  }
}

/** Source and destination token accounts per planned transfer, in plan order. */
async function transferAccounts(
  sql: Sql,
  plan: Plan,
  input: PersistInput,
): Promise<Array<{ from: string; to: string }>> {
  const buyers = plan.transfers.filter((t) => t.kind === "collection").map((t) => t.wallet);
  const payees = plan.transfers.filter((t) => t.kind === "payout").map((t) => t.wallet);
  const vaults = new Map(
    (
      await sql.query<{ wallet_address: string; vault_address: string }>(
        "SELECT wallet_address, vault_address FROM vault_accounts WHERE status = 'active' AND wallet_address = ANY($1::text[])",
        [buyers],
      )
    ).rows.map((r) => [r.wallet_address, r.vault_address]),
  );
  const owners = new Map(
    (
      await sql.query<{ address: string; owner: string }>(
        "SELECT address, coalesce(payout_address, address) AS owner FROM wallets WHERE address = ANY($1::text[])",
        [payees],
      )
    ).rows.map((r) => [r.address, r.owner]),
  );
  return Promise.all(
    plan.transfers.map(async (t) => {
      if (t.kind === "collection") {
        const vault = vaults.get(t.wallet);
        if (!vault) throw new Error(`settlement: no active vault for ${t.wallet}`);
        return { from: vault, to: input.treasuryAccount };
      }
      const owner = owners.get(t.wallet) ?? t.wallet;
      return { from: input.treasuryAccount, to: await payoutAccount(address(owner), input.mint) };
    }),
  );
}

/** The USDC account a payout goes to: the associated token account of the payout owner. */
export async function payoutAccount(owner: Address, mint: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}
