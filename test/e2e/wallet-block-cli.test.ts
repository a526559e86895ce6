/**
 * The operator's blocklist command (`npm run wallet:block` / `wallet:unblock`, db/wallet-block-cli.ts)
 * against the hermetic Postgres: it blocks, records a security event, unblocks, and refuses bad input.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { createNodePool } from "../../db/node.ts";
import type { EngineInfo } from "../setup/engines.ts";

const run = promisify(execFile);
const CLI = join(import.meta.dirname, "../../db/wallet-block-cli.ts");
const engines: EngineInfo = inject("engines");
const WALLET = "BLoCK1111111111111111111111111111111111111";

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH ?? "",
    DATABASE_URL: engines.vars.DATABASE_URL,
    PG_WS_PROXY: engines.vars.PG_WS_PROXY ?? "",
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function rows<T>(text: string, params: unknown[]): Promise<T[]> {
  const pool = createNodePool(engines.vars);
  try {
    return (await pool.query(text, params)).rows as T[];
  } finally {
    await pool.end();
  }
}

describe("npm run wallet:block / wallet:unblock", () => {
  it("blocks and unblocks a wallet, each recorded as a security event", async () => {
    const blocked = await cli(["block", WALLET, "chargeback", "fraud"]);
    expect(blocked, blocked.stderr).toMatchObject({ code: 0 });
    expect(blocked.stdout).toContain("is blocked");
    expect(await rows("SELECT reason FROM wallet_blocks WHERE wallet_address = $1", [WALLET])).toEqual([
      { reason: "chargeback fraud" },
    ]);

    const unblocked = await cli(["unblock", WALLET, "resolved"]);
    expect(unblocked).toMatchObject({ code: 0 });
    expect(unblocked.stdout).toContain("is unblocked");
    expect(await rows("SELECT 1 FROM wallet_blocks WHERE wallet_address = $1", [WALLET])).toEqual([]);
    expect((await cli(["unblock", WALLET, "again"])).stdout).toContain("was not blocked");

    const events = await rows<{ kind: string; detail: { reason: string } }>(
      "SELECT kind, detail FROM security_events WHERE wallet_address = $1 ORDER BY id",
      [WALLET],
    );
    expect(events).toEqual([
      { kind: "wallet_blocked", detail: { reason: "chargeback fraud" } },
      { kind: "wallet_unblocked", detail: { reason: "resolved" } },
    ]);
  });

  it("refuses a missing reason, an unknown command and a malformed address (exit 2, nothing written)", async () => {
    for (const args of [
      ["block", WALLET],
      ["ban", WALLET, "x"],
      ["block", "not-an-address!", "x"],
    ]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(result.stderr).not.toBe("");
    }
    expect(await rows("SELECT 1 FROM wallet_blocks WHERE wallet_address = 'not-an-address!'", [])).toEqual([]);
  });
});
