/**
 * The planner's low-water mark (decision 011): it scans ledger ids from the highest
 * `next_scan_from` of all batches, so no entry may ever be left unsettled below that mark — also
 * an entry whose id was allocated before the planner looked but whose insert committed after.
 * The WalletDO outbox holds the ledger write lock shared while it inserts; the planner's barrier
 * waits for it. Real Postgres, real concurrency (two connections), no chain involved.
 */
import { env } from "cloudflare:test";
import { type Address, address, getAddressDecoder } from "@solana/kit";
import { describe, expect, it } from "vitest";
import { createPool } from "../../db/client.ts";
import { LEDGER_WRITE_LOCK } from "../../workers/lib/ledger-lock.ts";
import { payoutAccount, planAndPersist } from "../../workers/settlement/store.ts";
import { query } from "./auth-helpers.ts";

const randomAddress = (): Address => getAddressDecoder().decode(crypto.getRandomValues(new Uint8Array(32)));
// Only entries older than a day are due, whatever their amount: other files' fresh entries are not.
const OLD_ONLY = { minPayout: 10n ** 15n, minCollection: 10n ** 15n, maxAgeMs: 86_400_000 };

async function parties(): Promise<{ buyer: string; seller: string; sellerId: string; listingId: string }> {
  const buyer = randomAddress();
  const seller = randomAddress();
  await query("INSERT INTO wallets (address) VALUES ($1), ($2)", [buyer, seller]);
  await query(
    `INSERT INTO vault_accounts (wallet_address, vault_address, multisig_address, mint, co_signer, delegate, status)
     VALUES ($1, $2, $3, $4, $4, $4, 'active')`,
    [buyer, randomAddress(), randomAddress(), env.USDC_MINT],
  );
  const [s] = await query<{ id: string }>("INSERT INTO sellers (wallet_address) VALUES ($1) RETURNING id", [seller]);
  const [l] = await query<{ id: string }>(
    `INSERT INTO listings (seller_id, service, category, upstream_base_url, allowed_methods, allowed_paths, price, capacity_total)
     VALUES ($1, 'lw', 'data', 'https://example.com', '{GET}', '{/**}', 1000, 1000) RETURNING id`,
    [s?.id],
  );
  return { buyer, seller, sellerId: s?.id as string, listingId: l?.id as string };
}

const INSERT = `INSERT INTO ledger_entries (request_id, kind, buyer_wallet, payee_wallet, seller_id, listing_id, charge, seller_payout, platform_fee, created_at)
  VALUES ($1, 'call', $2, $3, $4, $5, 1050, 950, 100, now() - interval '2 days') RETURNING id::text AS id`;

describe("settlement low-water mark", () => {
  it("an entry whose insert is in flight while the planner starts is planned, never skipped below the mark", async () => {
    const p = await parties();
    const params = (tag: string) => [`lw-${tag}-${crypto.randomUUID()}`, p.buyer, p.seller, p.sellerId, p.listingId];
    const pool = createPool(env, { max: 2 });
    const writer = await pool.connect();
    const planner = await pool.connect();
    try {
      // The outbox's transaction: lock shared, insert (id allocated), not committed yet.
      await writer.query("BEGIN");
      await writer.query("SELECT pg_advisory_xact_lock_shared($1)", [LEDGER_WRITE_LOCK]);
      const inFlight = (await writer.query<{ id: string }>(INSERT, params("early"))).rows[0]?.id;
      // A later entry (larger id) that commits first.
      const [later] = await query<{ id: string }>(INSERT, params("late"));
      expect(Number(later?.id)).toBeGreaterThan(Number(inFlight));

      const mint = address(env.USDC_MINT);
      const planning = planAndPersist(planner, {
        mint,
        treasuryAccount: await payoutAccount(randomAddress(), mint),
        config: { now: Date.now(), ...OLD_ONLY },
      });
      await new Promise((r) => setTimeout(r, 300));
      await writer.query("COMMIT");
      const r = await planning;
      expect(r.planned).toBe(true);
      if (!r.planned) return;

      const rows = await query<{ id: string; status: string; batch: string | null }>(
        "SELECT id::text, status, settlement_batch_id AS batch FROM ledger_entries WHERE id = ANY($1::bigint[]) ORDER BY id",
        [[inFlight, later?.id]],
      );
      expect(rows).toEqual([
        { id: inFlight, status: "in_batch", batch: r.batchId },
        { id: later?.id, status: "in_batch", batch: r.batchId },
      ]);
      // The invariant itself, over the whole ledger.
      const [below] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_entries
          WHERE status = 'unsettled' AND id < (SELECT max(next_scan_from) FROM settlement_batches)`,
      );
      expect(below?.n).toBe(0);
      const [batch] = await query<{ first: string; last: string }>(
        "SELECT first_entry_id::text AS first, last_entry_id::text AS last FROM settlement_batches WHERE id = $1",
        [r.batchId],
      );
      expect(Number(batch?.first)).toBeLessThanOrEqual(Number(inFlight));
      expect(Number(batch?.last)).toBeGreaterThanOrEqual(Number(later?.id));

      // Not executed here (the vault is not on chain): failed, so no later run resumes it.
      await query(
        "UPDATE settlement_transfers SET status = 'failed', error = 'test: not executed' WHERE batch_id = $1",
        [r.batchId],
      );
      await query("UPDATE settlement_batches SET status = 'failed', last_error = 'test: not executed' WHERE id = $1", [
        r.batchId,
      ]);
    } finally {
      await writer.query("ROLLBACK").catch(() => undefined);
      writer.release();
      planner.release();
      await pool.end();
    }
  });
});
