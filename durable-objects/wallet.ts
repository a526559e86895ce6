import { DurableObject } from "cloudflare:workers";
import type { Env } from "../workers/env.ts";
import { initMeta, readSchemaVersion } from "./meta.ts";

const SCHEMA_VERSION = 1;

/**
 * One per buyer wallet (id = idFromName(wallet address)). Owns the wallet's credit state so that
 * reserve/confirm/refund are atomic without locks. This shell sets up its SQLite storage; the
 * credit model arrives with the wallets-and-credit issue.
 */
export class WalletDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => initMeta(ctx.storage.sql, SCHEMA_VERSION));
  }

  /** Storage schema version and a SQLite round trip; lets callers check the object is alive. */
  async describe(): Promise<{ kind: "wallet"; schemaVersion: number }> {
    return { kind: "wallet", schemaVersion: readSchemaVersion(this.ctx.storage.sql) };
  }
}
