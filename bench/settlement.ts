/**
 * `npm run bench:settlement` — planning a settlement batch from 10k, 100k and 1,000,000 unsettled
 * ledger entries on real PostgreSQL (the hermetic dev stack, through the same WebSocket relay and
 * Neon driver the Worker uses). Rows are generated in SQL with generate_series. Every entry is due
 * (thresholds 0): the worst case. Prints entries, (buyer, payee) pairs, plan ms (aggregate in SQL +
 * pure planner), persist ms (batch + transfers + marking entries, one transaction), transfers,
 * transactions and transfers per transaction. Options: --sizes 10000,100000,1000000 --buyers --sellers.
 */
import { parseArgs } from "node:util";
import { type Address, getAddressDecoder } from "@solana/kit";
import { createNodePool } from "../db/node.ts";
import { startHermeticEngines } from "../dev/engines-main.ts";
import { stopAll } from "../dev/lib/process.ts";
import { payoutAccount, planAndPersist } from "../workers/settlement/store.ts";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000,1000000" },
    buyers: { type: "string", default: "5000" },
    sellers: { type: "string", default: "500" },
    /** How many distinct sellers each buyer calls. */
    spread: { type: "string", default: "10" },
  },
});
const sizes = (args.sizes ?? "").split(",").map(Number);
const BUYERS = Number(args.buyers);
const SELLERS = Number(args.sellers);
const SPREAD = Number(args.spread);

function randomAddress(): Address {
  return getAddressDecoder().decode(crypto.getRandomValues(new Uint8Array(32)));
}

async function main(): Promise<void> {
  const { engines, cleanup } = await startHermeticEngines();
  const pool = createNodePool(engines.vars, { max: 2 });
  const client = await pool.connect();
  try {
    const q = (text: string, params: unknown[] = []) => client.query(text, params);
    const mint = engines.vars.USDC_MINT as Address;
    const buyers = Array.from({ length: BUYERS }, randomAddress);
    const sellers = Array.from({ length: SELLERS }, randomAddress);
    await q("INSERT INTO wallets (address) SELECT unnest($1::text[])", [[...buyers, ...sellers]]);
    await q(
      `INSERT INTO vault_accounts (wallet_address, vault_address, multisig_address, mint, co_signer, delegate, status)
       SELECT b, v, m, $4, $4, $4, 'active' FROM unnest($1::text[], $2::text[], $3::text[]) AS t(b, v, m)`,
      [buyers, buyers.map(randomAddress), buyers.map(randomAddress), mint],
    );
    await q(
      `CREATE TEMP TABLE bench_buyers AS SELECT (ord - 1)::int AS idx, address FROM unnest($1::text[]) WITH ORDINALITY AS t(address, ord)`,
      [buyers],
    );
    await q(
      `CREATE TEMP TABLE bench_sellers AS
       WITH s AS (INSERT INTO sellers (wallet_address) SELECT unnest($1::text[]) RETURNING id, wallet_address),
            l AS (INSERT INTO listings (seller_id, service, category, upstream_base_url, allowed_methods, allowed_paths, price, capacity_total)
                  SELECT id, 'bench', 'bench', 'https://example.com', '{GET}', '{/**}', 1000, 1000 FROM s RETURNING id, seller_id)
       SELECT (row_number() OVER (ORDER BY s.wallet_address) - 1)::int AS idx, s.id AS seller_id, l.id AS listing_id, s.wallet_address AS wallet
         FROM s JOIN l ON l.seller_id = s.id`,
      [sellers],
    );
    await q("CREATE INDEX ON bench_buyers (idx)");
    await q("CREATE INDEX ON bench_sellers (idx)");
    const treasuryAccount = await payoutAccount(randomAddress(), mint);

    const rows: string[] = [];
    for (const n of sizes) {
      await q("TRUNCATE settlement_transfers, settlement_batches, ledger_entries");
      const genStarted = performance.now();
      await q(
        `INSERT INTO ledger_entries (request_id, kind, buyer_wallet, payee_wallet, seller_id, listing_id, charge, seller_payout, platform_fee, created_at)
         SELECT 'bench-' || g, 'call', b.address, s.wallet, s.seller_id, s.listing_id, 1050, 950, 100, now() - make_interval(secs => g % 86400)
           FROM generate_series(0, $1::int - 1) AS g
           JOIN bench_buyers b ON b.idx = g % $2::int
           JOIN bench_sellers s ON s.idx = (b.idx * 31 + (g / $2::int) % $4::int) % $3::int`,
        [n, BUYERS, SELLERS, SPREAD],
      );
      await q("VACUUM ANALYZE ledger_entries");
      const genMs = performance.now() - genStarted;
      const r = await planAndPersist(client, {
        mint,
        treasuryAccount,
        config: { now: Date.now(), minPayout: 0n, minCollection: 0n, maxAgeMs: 0 },
      });
      if (!r.planned) throw new Error(`nothing planned at ${n}: ${r.reason}`);
      const [check] = (
        await q(
          "SELECT count(*)::int AS n FROM ledger_entries WHERE status = 'in_batch' AND settlement_batch_id = $1",
          [r.batchId],
        )
      ).rows as Array<{ n: number }>;
      if (check?.n !== n) throw new Error(`marked ${check?.n} of ${n} entries`);
      const line = `| ${n.toLocaleString("en-US")} | ${r.plan.pairs.length.toLocaleString("en-US")} | ${r.planMs.toFixed(0)} | ${r.persistMs.toFixed(0)} | ${(r.planMs + r.persistMs).toFixed(0)} | ${r.transfers} | ${r.transactions} | ${(r.transfers / r.transactions).toFixed(1)} |`;
      console.error(`generated ${n} entries in ${genMs.toFixed(0)} ms; ${line}`);
      rows.push(line);
    }
    console.log(
      `\nsettlement planning on PostgreSQL 15 (${BUYERS} buyers, ${SELLERS} sellers, each buyer → ${SPREAD} sellers; all due)\n`,
    );
    console.log("| entries | pairs | plan ms | persist ms | total ms | transfers | transactions | transfers/tx |");
    console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const line of rows) console.log(line);
  } finally {
    client.release();
    await pool.end();
    await cleanup();
    await stopAll();
  }
}

main().catch(async (err: unknown) => {
  console.error(err);
  await stopAll();
  process.exit(1);
});
