import { DurableObject } from "cloudflare:workers";
import type { Env } from "../workers/env.ts";
import { initMeta, readSchemaVersion } from "./meta.ts";

const SCHEMA_VERSION = 1;

/**
 * One per listing (id = idFromName(listing id)). Fences the seller's resale capacity with a
 * sliding window and holds the listing's live status and key ciphertext, so pause/rotate/delete
 * apply to the very next call. This shell sets up its SQLite storage; admission arrives with the
 * proxy issue.
 */
export class CapacityFenceDO extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => initMeta(ctx.storage.sql, SCHEMA_VERSION));
  }

  async describe(): Promise<{ kind: "capacity-fence"; schemaVersion: number }> {
    return { kind: "capacity-fence", schemaVersion: readSchemaVersion(this.ctx.storage.sql) };
  }
}
