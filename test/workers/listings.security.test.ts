/**
 * Canary: a seller's provider key travels inward only. It never appears in any response (body or
 * header), any log line, any Postgres row or the fence's storage — only sealed, bound to its
 * listing and key version.
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { ListingConfig } from "../../workers/fence/interface.ts";
import { clearPlaintextCache, openListingKey } from "../../workers/listings/vault.ts";
import { eventually, query } from "./auth-helpers.ts";
import { fenceFor } from "./fence-helpers.ts";
import { call, createListing, listingBody, newSeller } from "./listings-helpers.ts";
import { captureLogs, dump } from "./log-capture.ts";

const CANARY = "sk-CANARY-provider-key-7f3a9c2e51";
const CANARY_ROTATED = "sk-CANARY-rotated-key-0b8d4e6a13";

const logged = captureLogs();

/** Every row of every table in the public schema, as JSON text. */
async function allRows(): Promise<string[]> {
  const tables = await query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
  );
  const rows: string[] = [];
  for (const { table_name } of tables) {
    const found = await query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
    rows.push(...found.map((r) => r.row));
  }
  return rows;
}

describe("provider key canary", () => {
  let listingId = "";
  const seen: string[] = [];

  it("never appears in any response", async () => {
    const seller = await newSeller();
    const other = await newSeller();
    const createRes = await call(seller, "POST", "/v1/listings", listingBody({ providerKey: CANARY }));
    const createText = await dump(createRes);
    seen.push(createText);
    expect(createText).toMatch(/^201 /);
    listingId = (JSON.parse(createText.slice(createText.indexOf('{"view"'))) as { id: string }).id;
    const id = listingId;
    const responses = [
      await call(seller, "GET", `/v1/listings/${id}`),
      await call(other, "GET", `/v1/listings/${id}`),
      await call(seller, "GET", "/v1/listings"),
      await call(seller, "PATCH", `/v1/listings/${id}`, { price: 250 }),
      await call(seller, "POST", `/v1/listings/${id}/pause`),
      await call(seller, "POST", `/v1/listings/${id}/unpause`),
      // Refused inputs that carry the canary: the error must not echo it.
      await call(seller, "POST", "/v1/listings", listingBody({ providerKey: CANARY, price: "-1" })),
      await call(seller, "POST", "/v1/listings", listingBody({ providerKey: `${CANARY} x` })),
      await call(
        seller,
        "POST",
        "/v1/listings",
        listingBody({ providerKey: CANARY, upstreamBaseUrl: "https://10.0.0.1" }),
      ),
      await call(seller, "POST", "/v1/listings", listingBody({ providerKey: { nested: CANARY } })),
      await call(seller, "POST", "/v1/listings", `{"providerKey":"${CANARY}",`),
      await call(seller, "PATCH", `/v1/listings/${id}`, { providerKey: CANARY }),
      await call(other, "POST", `/v1/listings/${id}/rotate-key`, { providerKey: CANARY }),
      await call(seller, "POST", `/v1/listings/${id}/rotate-key`, { providerKey: `${CANARY}\n` }),
      await call(seller, "POST", `/v1/listings/${id}/rotate-key`, { providerKey: CANARY_ROTATED }),
      await call(seller, "GET", `/v1/listings/${id}`),
      await call(seller, "DELETE", `/v1/listings/${id}`),
      await call(seller, "GET", "/v1/listings"),
    ];
    for (const res of responses) seen.push(await dump(res));
    expect(seen.filter((s) => s.startsWith("200 ")).length).toBeGreaterThanOrEqual(9);
    expect(seen.filter((s) => s.startsWith("400 ")).length).toBeGreaterThanOrEqual(6);
    for (const text of seen) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(CANARY_ROTATED);
    }
    expect(seen.join("\n")).toContain('"keyLast4":"2e51"');
    expect(seen.join("\n")).toContain('"keyLast4":"6a13"');
  });

  it("is stored only sealed: not in Postgres, not in the fence's storage", async () => {
    await eventually("rotation audit", async () => {
      const rows = await query("SELECT 1 FROM security_events WHERE detail->>'listingId' = $1", [listingId]);
      return rows.length > 0 ? rows : undefined;
    });
    const rows = await allRows();
    expect(rows.some((r) => r.includes(listingId))).toBe(true);
    for (const row of rows) {
      expect(row).not.toContain(CANARY);
      expect(row).not.toContain(CANARY_ROTATED);
    }
    const stored = await runInDurableObject(fenceFor(listingId), (_instance, state) => {
      const tables = state.storage.sql
        .exec<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'",
        )
        .toArray();
      return tables.map((t) => JSON.stringify(state.storage.sql.exec(`SELECT * FROM "${t.name}"`).toArray()));
    });
    expect(stored.join("")).toContain(listingId);
    expect(stored.join("")).not.toContain(CANARY);
    expect(stored.join("")).not.toContain(CANARY_ROTATED);
  });

  it("never appears in a log line", () => {
    expect(logged.join("\n")).not.toContain(CANARY);
    expect(logged.join("\n")).not.toContain(CANARY_ROTATED);
  });
});

describe("sealed keys are bound to their listing and key version", () => {
  it("a ciphertext moved to another listing, or replayed under another version, does not open", async () => {
    clearPlaintextCache();
    const seller = await newSeller();
    const a = await createListing(seller, { providerKey: "sk-bound-to-listing-a" });
    const b = await createListing(seller, { providerKey: "sk-bound-to-listing-b" });
    const configA = (await fenceFor(a.id).snapshot()).config as ListingConfig;
    const configB = (await fenceFor(b.id).snapshot()).config as ListingConfig;
    expect(await openListingKey(env, configA)).toBe("sk-bound-to-listing-a");
    expect(await openListingKey(env, configB)).toBe("sk-bound-to-listing-b");

    await expect(openListingKey(env, { listingId: b.id, key: { ...configA.key, version: 7 } })).rejects.toThrow(
      "failed to open",
    );
    await expect(openListingKey(env, { listingId: a.id, key: { ...configA.key, version: 2 } })).rejects.toThrow(
      "failed to open",
    );
    const tampered = { ...configA.key, ciphertext: `A${configA.key.ciphertext.slice(1)}`, version: 3 };
    await expect(openListingKey(env, { listingId: a.id, key: tampered })).rejects.toThrow();
  });
});
