/**
 * One settlement run (the cron's `settle` action): take the run lock, finish any batch an earlier
 * run left pending, then plan, persist and execute a new one. The lock only saves work: every step
 * below is safe when two runs overlap (see store.ts and execute.ts).
 */
import { address } from "@solana/kit";
import { createPool } from "../../db/client.ts";
import type { Env } from "../env.ts";
import { tryLock } from "../lib/lock.ts";
import { createRedis } from "../lib/redis.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { loadPlatformKeys } from "../solana/keys.ts";
import { createRpc } from "../solana/rpc.ts";
import { type ExecuteOutcome, executeBatch, type FaultPoints, type SettlementEffects } from "./execute.ts";
import type { PlanConfig } from "./plan.ts";
import { payoutAccount, planAndPersist } from "./store.ts";

export const LOCK_KEY = "lock:settlement";
/** Shorter than the 10-minute cron period, so a crashed holder never blocks the next tick. */
const LOCK_TTL_MS = 9 * 60_000;

export const DEFAULT_MIN_PAYOUT = 1_000_000n; // 1 USDC
export const DEFAULT_MIN_COLLECTION = 1_000_000n;
export const DEFAULT_MAX_AGE_MS = 24 * 60 * 60_000;

export type SettlementEnv = Pick<
  Env,
  | "DATABASE_URL"
  | "PG_WS_PROXY"
  | "SOLANA_RPC_URL"
  | "USDC_MINT"
  | "UPSTASH_REDIS_REST_URL"
  | "UPSTASH_REDIS_REST_TOKEN"
  | "WALLET"
  | "PLATFORM_COSIGNER_KEY"
  | "SETTLEMENT_KEY"
  | "TREASURY_KEY"
  | "RECEIPT_KEY"
  | "SETTLEMENT_MIN_PAYOUT"
  | "SETTLEMENT_MIN_COLLECTION"
  | "SETTLEMENT_MAX_AGE_SECONDS"
>;

/** Thresholds from the environment (micro-USDC, seconds), with defaults. */
export function settlementConfig(
  env: Pick<Env, "SETTLEMENT_MIN_PAYOUT" | "SETTLEMENT_MIN_COLLECTION" | "SETTLEMENT_MAX_AGE_SECONDS">,
  now: number,
): PlanConfig {
  return {
    now,
    minPayout: env.SETTLEMENT_MIN_PAYOUT === undefined ? DEFAULT_MIN_PAYOUT : BigInt(env.SETTLEMENT_MIN_PAYOUT),
    minCollection:
      env.SETTLEMENT_MIN_COLLECTION === undefined ? DEFAULT_MIN_COLLECTION : BigInt(env.SETTLEMENT_MIN_COLLECTION),
    maxAgeMs:
      env.SETTLEMENT_MAX_AGE_SECONDS === undefined ? DEFAULT_MAX_AGE_MS : Number(env.SETTLEMENT_MAX_AGE_SECONDS) * 1000,
  };
}

export interface RunOptions {
  /** Plan thresholds; default from the env. */
  config?: Partial<Omit<PlanConfig, "now">>;
  /** false: run without the lock (tests prove overlapping runs are harmless anyway). */
  useLock?: boolean;
  faults?: FaultPoints;
  confirmTimeoutMs?: number;
}

export type RunSummary =
  | { ran: false; reason: "locked" }
  | { ran: true; resumed: ExecuteOutcome[]; planned: string | null; executed: ExecuteOutcome | null; note?: string };

export function settlementEffects(env: SettlementEnv): SettlementEffects {
  const redis = createRedis(env);
  return {
    async applySettlement(wallet, batchId, amount, slot) {
      await walletStub(env, wallet).applySettlement(batchId, amount, slot);
    },
    async flagSkim(wallet, reason) {
      await Promise.all([walletStub(env, wallet).flag(reason), redis.set(`skim:${wallet}`, reason)]);
    },
  };
}

/**
 * @example
 * const summary = await runSettlement(env);            // what the cron does
 * await runSettlement(env, { useLock: false });        // a second, overlapping run
 */
export async function runSettlement(env: SettlementEnv, options: RunOptions = {}): Promise<RunSummary> {
  const lock = options.useLock === false ? null : await tryLock(createRedis(env), LOCK_KEY, LOCK_TTL_MS);
  if (options.useLock !== false && lock === null) return { ran: false, reason: "locked" };
  const pool = createPool(env, { max: 1 });
  const client = await pool.connect();
  try {
    const keys = await loadPlatformKeys(env);
    const mint = address(env.USDC_MINT);
    const deps = {
      sql: client,
      rpc: createRpc(env),
      signers: { settlement: keys.settlement, treasury: keys.treasury },
      mint,
      effects: settlementEffects(env),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.confirmTimeoutMs === undefined ? {} : { confirmTimeoutMs: options.confirmTimeoutMs }),
    };
    const unfinished = await client.query<{ id: string }>(
      "SELECT id FROM settlement_batches WHERE status IN ('planned', 'executing') ORDER BY created_at, id",
    );
    const resumed: ExecuteOutcome[] = [];
    for (const { id } of unfinished.rows) resumed.push(await executeBatch(deps, id));
    if (resumed.some((r) => r.status === "pending")) {
      return { ran: true, resumed, planned: null, executed: null, note: "earlier batch still pending" };
    }
    const persisted = await planAndPersist(client, {
      mint,
      treasuryAccount: await payoutAccount(keys.treasury.address, mint),
      config: { ...settlementConfig(env, Date.now()), ...options.config },
    });
    if (!persisted.planned) return { ran: true, resumed, planned: null, executed: null, note: persisted.reason };
    return { ran: true, resumed, planned: persisted.batchId, executed: await executeBatch(deps, persisted.batchId) };
  } finally {
    client.release();
    await pool.end().catch(() => undefined);
    await lock?.release().catch(() => undefined);
  }
}
