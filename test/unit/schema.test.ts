import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DrizzleSnapshotJSON, generateDrizzleJson, generateMigration } from "drizzle-kit/api";
import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../db/schema.ts";

const migrationsDir = join(import.meta.dirname, "../../db/migrations");

interface Journal {
  entries: { idx: number; tag: string }[];
}

const journal = JSON.parse(readFileSync(join(migrationsDir, "meta/_journal.json"), "utf8")) as Journal;
const migrationSql = journal.entries.map((e) => readFileSync(join(migrationsDir, `${e.tag}.sql`), "utf8")).join("\n");
const exported: unknown[] = Object.values(schema);
const tables = exported.filter((value): value is PgTable => is(value, PgTable)).map((table) => getTableConfig(table));

function tableSql(name: string): string {
  const match = migrationSql.match(new RegExp(`CREATE TABLE "${name}" \\(([\\s\\S]*?)\\n\\);`));
  if (!match?.[1]) throw new Error(`no CREATE TABLE for ${name}`);
  return match[1];
}

describe("migrations", () => {
  it("has one SQL file and one snapshot per journal entry", () => {
    const sqlFiles = readdirSync(migrationsDir).filter((f) => f.endsWith(".sql"));
    const snapshots = readdirSync(join(migrationsDir, "meta")).filter((f) => f.endsWith("_snapshot.json"));
    expect(sqlFiles.sort()).toEqual(journal.entries.map((e) => `${e.tag}.sql`).sort());
    expect(snapshots).toHaveLength(journal.entries.length);
  });

  it("is in sync with db/schema.ts (run `npm run db:generate` after a schema change)", async () => {
    const last = journal.entries.at(-1);
    if (!last) throw new Error("no migrations");
    const snapshotFile = join(migrationsDir, `meta/${String(last.idx).padStart(4, "0")}_snapshot.json`);
    const previous = JSON.parse(readFileSync(snapshotFile, "utf8")) as DrizzleSnapshotJSON;
    const current = generateDrizzleJson(schema, previous.id);
    expect(await generateMigration(previous, current)).toEqual([]);
  }, 30_000);

  it("creates every core table of DESIGN §1", () => {
    const names = tables.map((t) => t.name).sort();
    expect(names).toEqual(
      [
        "api_keys",
        "deposits",
        "ledger_entries",
        "listings",
        "referrals",
        "security_events",
        "sellers",
        "settlement_batches",
        "settlement_transfers",
        "tasks",
        "vault_accounts",
        "wallet_blocks",
        "wallets",
        "withdrawals",
      ].sort(),
    );
    for (const name of names) expect(migrationSql).toContain(`CREATE TABLE "${name}"`);
  });

  it("runs on PostgreSQL 15 (no 16+ syntax)", () => {
    expect(migrationSql).not.toMatch(/NULLS NOT DISTINCT/i);
    expect(migrationSql).not.toMatch(/\bMERGE\b|JSON_TABLE|\bANY_VALUE\s*\(/i);
  });
});

describe("money columns", () => {
  const moneyColumns = tables.flatMap((t) =>
    t.columns.filter((c) => c.columnType === "PgBigInt64").map((c) => ({ table: t.name, column: c.name })),
  );

  it("exist in every table that moves money", () => {
    expect(moneyColumns).toEqual(
      expect.arrayContaining([
        { table: "ledger_entries", column: "charge" },
        { table: "ledger_entries", column: "seller_payout" },
        { table: "ledger_entries", column: "platform_fee" },
        { table: "deposits", column: "amount" },
        { table: "withdrawals", column: "amount" },
        { table: "listings", column: "price" },
        { table: "settlement_transfers", column: "amount" },
        { table: "tasks", column: "reward" },
      ]),
    );
  });

  it("are bigint with a CHECK that forbids negative amounts", () => {
    for (const { table, column } of moneyColumns) {
      expect(tableSql(table), `${table}.${column}`).toContain(`"${column}" bigint`);
      expect(tableSql(table), `${table}.${column}`).toMatch(
        new RegExp(`CHECK \\([^\\n]*"${table}"\\."${column}" >=? (0|"${table}"\\."\\w+")`),
      );
    }
  });

  it("never use floating point or numeric types", () => {
    expect(migrationSql).not.toMatch(/\b(real|double precision|numeric|float\d?|money)\b/i);
  });

  it("checks charge = seller_payout + platform_fee on every ledger entry", () => {
    expect(tableSql("ledger_entries")).toContain(
      'CONSTRAINT "ledger_entries_charge_split" CHECK ("ledger_entries"."charge" = "ledger_entries"."seller_payout" + "ledger_entries"."platform_fee")',
    );
  });

  it("requires positive amounts where zero is meaningless", () => {
    for (const [table, column] of [
      ["deposits", "amount"],
      ["withdrawals", "amount"],
      ["settlement_transfers", "amount"],
      ["ledger_entries", "charge"],
      ["listings", "price"],
      ["tasks", "reward"],
    ] as const) {
      expect(tableSql(table), `${table}.${column}`).toContain(`"${table}"."${column}" > 0`);
    }
  });
});

describe("invariants", () => {
  it("dedupes ledger entries by request id and deposits by signature", () => {
    expect(tableSql("ledger_entries")).toContain('CONSTRAINT "ledger_entries_request_id_unique" UNIQUE("request_id")');
    expect(tableSql("deposits")).toContain('CONSTRAINT "deposits_signature_unique" UNIQUE("signature")');
    expect(tableSql("api_keys")).toContain('CONSTRAINT "api_keys_key_hash_unique" UNIQUE("key_hash")');
    expect(tableSql("settlement_transfers")).toContain('PRIMARY KEY("batch_id","idx")');
    expect(tableSql("referrals")).toContain('CONSTRAINT "referrals_referee_unique" UNIQUE("referee_wallet")');
  });

  it("links records with foreign keys", () => {
    const fk = (table: string, columns: string, target: string) =>
      new RegExp(
        `ALTER TABLE "${table}" ADD CONSTRAINT "\\w+" FOREIGN KEY \\(${columns}\\) REFERENCES "public"\\.${target}`,
      );
    const expected: [string, string, string][] = [
      ["api_keys", '"wallet_address"', '"wallets"\\("address"\\)'],
      ["sellers", '"wallet_address"', '"wallets"\\("address"\\)'],
      ["listings", '"seller_id"', '"sellers"\\("id"\\)'],
      ["ledger_entries", '"buyer_wallet"', '"wallets"\\("address"\\)'],
      ["ledger_entries", '"listing_id"', '"listings"\\("id"\\)'],
      ["ledger_entries", '"seller_id"', '"sellers"\\("id"\\)'],
      ["ledger_entries", '"listing_id","seller_id"', '"listings"\\("id","seller_id"\\)'],
      ["settlement_transfers", '"batch_id"', '"settlement_batches"\\("id"\\)'],
      ["tasks", '"poster_wallet"', '"wallets"\\("address"\\)'],
      ["tasks", '"solver_wallet"', '"wallets"\\("address"\\)'],
      ["referrals", '"referrer_wallet"', '"wallets"\\("address"\\)'],
      ["referrals", '"referee_wallet"', '"wallets"\\("address"\\)'],
      ["security_events", '"wallet_address"', '"wallets"\\("address"\\)'],
      ["deposits", '"wallet_address","vault_address"', '"vault_accounts"\\("wallet_address","vault_address"\\)'],
    ];
    for (const [table, columns, target] of expected) expect(migrationSql).toMatch(fk(table, columns, target));
  });

  it("forbids self-referral and keeps basis points in range", () => {
    expect(tableSql("referrals")).toContain('CHECK ("referrals"."referrer_wallet" <> "referrals"."referee_wallet")');
    expect(tableSql("referrals")).toContain('CHECK ("referrals"."share_bps" BETWEEN 0 AND 10000)');
  });

  it("keeps reserved-for-self capacity within the total", () => {
    expect(tableSql("listings")).toContain('"listings"."capacity_reserved_for_self" <= "listings"."capacity_total"');
  });

  it("keeps settlement's ledger updates HOT: no index names status, settlement_batch_id or settled_at", () => {
    const live = new Map<string, string>();
    for (const m of migrationSql.matchAll(/CREATE (?:UNIQUE )?INDEX "([^"]+)" ON "ledger_entries"([^;]*);/g)) {
      live.set(m[1] ?? "", m[2] ?? "");
    }
    for (const m of migrationSql.matchAll(/DROP INDEX "([^"]+)"/g)) live.delete(m[1] ?? "");
    expect(live.size).toBeGreaterThan(0);
    for (const [name, definition] of live) {
      expect(definition, name).not.toMatch(/"status"|"settlement_batch_id"|"settled_at"/);
    }
    expect(migrationSql).toContain('ALTER TABLE "ledger_entries" SET (fillfactor = 50)');
    // Its per-row check cost as much as the update itself at 1M rows (decision 011).
    expect(migrationSql).toContain(
      'ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_settlement_batch_id_settlement_batches_id_fk"',
    );
  });

  it("stores every timestamp with its time zone", () => {
    expect(migrationSql).toMatch(/timestamp with time zone/);
    expect(migrationSql).not.toMatch(/\btimestamp(?! with time zone)\b/);
  });

  it("has no column that could hold a secret in plaintext", () => {
    const columns = tables.flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`));
    expect(columns.filter((c) => /secret|plaintext|private|password|(^|_)api_key$/.test(c))).toEqual([]);
    const keyColumns = columns.filter((c) => c.startsWith("listings.key_") && !c.startsWith("listings.key_injection"));
    expect(keyColumns.sort()).toEqual(
      [
        "listings.key_ciphertext",
        "listings.key_id",
        "listings.key_iv",
        "listings.key_last4",
        "listings.key_version",
      ].sort(),
    );
  });

  it("uses Postgres enums for every status and kind", () => {
    const loose = tables.flatMap((t) =>
      t.columns
        .filter((c) => /(^|_)(status|kind|type)$/.test(c.name) && c.columnType !== "PgEnumColumn")
        .map((c) => `${t.name}.${c.name}`),
    );
    expect(loose).toEqual([]);
  });
});
