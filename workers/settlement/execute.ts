/**
 * Executes a persisted batch (DESIGN §5 steps 4–5). Resumable and safe to run twice at once:
 *
 * - A transaction's signature and last valid block height are written (compare-and-set from
 *   `planned` with no signature) BEFORE it is sent. Only the executor whose write won sends.
 * - On every later look, the recorded signature is looked up first (`getSignatureStatuses` with
 *   history). Landed → confirmed. Landed with an error → nothing moved; handled (skim) and the
 *   rest re-planned. Not found → re-signed only when the chain's block height is past its last
 *   valid block height (it provably can never land); otherwise the batch stays pending.
 * - Order: every collection settled → ledger entries settled → each WalletDO told (with the slot)
 *   → payouts. A collection that fails for insufficient funds (SPL Token custom error 1) flags
 *   the buyer everywhere and forfeits its entries; its sellers are still paid.
 */
import type {
  Address,
  Blockhash,
  GetBlockHeightApi,
  GetLatestBlockhashApi,
  GetSignatureStatusesApi,
  GetSlotApi,
  Rpc,
  SendTransactionApi,
  Signature,
} from "@solana/kit";
import { address } from "@solana/kit";
import type { Sql } from "./store.ts";
import { payoutAccount } from "./store.ts";
import {
  buildSettlementTransaction,
  legOfInstruction,
  type SettlementSigners,
  type TransferLeg,
} from "./transactions.ts";

export type SettlementRpc = Rpc<
  GetLatestBlockhashApi & SendTransactionApi & GetSignatureStatusesApi & GetBlockHeightApi & GetSlotApi
>;

/** What the executor does outside Postgres and the chain (the WalletDOs and Redis), injected. */
export interface SettlementEffects {
  /** WalletDO.applySettlement: the buyer's unsettled shrinks by `amount`, seen on chain from `slot`. */
  applySettlement(wallet: string, batchId: string, amount: bigint, slot: number): Promise<void>;
  /** WalletDO.flag and Redis `skim:{wallet}`. */
  flagSkim(wallet: string, reason: string): Promise<void>;
}

/** Test hooks: throw from one to simulate a crash at that point. */
export interface FaultPoints {
  /** After the signature was recorded, before the transaction is sent. */
  beforeSend?(batchId: string, txIndex: number): void | Promise<void>;
  /** After the transaction was sent, before its outcome is recorded. */
  afterSend?(batchId: string, txIndex: number): void | Promise<void>;
}

export interface ExecuteDeps {
  sql: Sql;
  rpc: SettlementRpc;
  signers: SettlementSigners;
  mint: Address;
  effects: SettlementEffects;
  faults?: FaultPoints;
  /** How long to poll for a sent transaction's confirmation before leaving it for the next run. */
  confirmTimeoutMs?: number;
  pollIntervalMs?: number;
}

export type ExecuteOutcome =
  | { status: "completed"; batchId: string; skimmed: string[] }
  | { status: "pending"; batchId: string; reason: string };

type Kind = "collection" | "payout";

interface TransferRow {
  idx: number;
  tx_index: number;
  wallet_address: string;
  from_token_account: string;
  to_token_account: string;
  amount: string;
  signature: string | null;
  last_valid_block_height: string | null;
  status: "planned" | "sent" | "confirmed" | "failed";
}

type ChainStatus =
  | { kind: "landed"; slot: bigint; err: unknown }
  | { kind: "seen" } // known to the cluster but not final yet
  | { kind: "unknown" };

/** Thrown to stop this run and leave the batch pending; the next run resumes it. */
class Pending extends Error {
  override name = "Pending";
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function chainStatus(rpc: SettlementRpc, signature: string): Promise<ChainStatus> {
  const { value } = await rpc.getSignatureStatuses([signature as Signature], { searchTransactionHistory: true }).send();
  const s = value[0];
  if (!s) return { kind: "unknown" };
  if (s.confirmationStatus !== "finalized") return { kind: "seen" };
  return { kind: "landed", slot: s.slot, err: s.err };
}

/** `{"InstructionError":[i,{"Custom":1}]}` → i, for SPL Token's InsufficientFunds. */
export function insufficientFundsInstruction(err: unknown): number | null {
  const ie = (err as { InstructionError?: unknown } | null)?.InstructionError;
  // kit's RPC client hands u64-ish numbers back as bigint; accept both.
  if (!Array.isArray(ie) || (typeof ie[0] !== "number" && typeof ie[0] !== "bigint")) return null;
  const detail = ie[1] as { Custom?: unknown } | null;
  const custom = detail !== null && typeof detail === "object" ? detail.Custom : undefined;
  return custom === 1 || custom === 1n ? Number(ie[0]) : null;
}

/**
 * Drives one batch as far as it can go now. Returns `pending` (with why) when it must wait for the
 * chain or could not reach it; never throws for chain trouble.
 */
export async function executeBatch(deps: ExecuteDeps, batchId: string): Promise<ExecuteOutcome> {
  const { sql } = deps;
  const claimed = await sql.query(
    `UPDATE settlement_batches SET status = 'executing', attempts = attempts + 1,
            started_at = coalesce(started_at, now()), updated_at = now()
      WHERE id = $1 AND status IN ('planned', 'executing')`,
    [batchId],
  );
  if ((claimed.rowCount ?? 0) === 0) return { status: "pending", batchId, reason: "batch not executable" };
  try {
    const skimmed = await runPhase(deps, batchId, "collection");
    await settleEntries(deps, batchId);
    await runPhase(deps, batchId, "payout");
    await sql.query(
      `UPDATE settlement_batches SET status = 'completed', completed_at = now(), updated_at = now(), last_error = NULL
        WHERE id = $1 AND status = 'executing'`,
      [batchId],
    );
    return { status: "completed", batchId, skimmed };
  } catch (err) {
    const reason = err instanceof Pending ? err.message : `error: ${(err as Error).message ?? String(err)}`;
    await sql
      .query("UPDATE settlement_batches SET last_error = $2, updated_at = now() WHERE id = $1", [
        batchId,
        reason.slice(0, 500),
      ])
      .catch(() => undefined);
    return { status: "pending", batchId, reason };
  }
}

/** Sends (or resolves) every open transaction of one kind; returns the wallets found skimming. */
async function runPhase(deps: ExecuteDeps, batchId: string, kind: Kind): Promise<string[]> {
  const skimmed: string[] = [];
  // Each pass resolves or sends every open transaction; a failed transaction re-plans its other
  // transfers into a new one, picked up by the next pass. Bounded: each failure removes a transfer.
  for (let pass = 0; pass < 64; pass++) {
    const open = await openTransfers(deps.sql, batchId, kind);
    if (open.size === 0) return skimmed;
    let waiting: string | null = null;
    for (const [txIndex, rows] of open) {
      const outcome = await driveTransaction(deps, batchId, kind, txIndex, rows);
      if (outcome.skimmed) skimmed.push(outcome.skimmed);
      if (outcome.waiting) waiting = outcome.waiting;
    }
    if (waiting !== null) throw new Pending(waiting);
  }
  throw new Pending(`${kind}s still open after many passes`);
}

async function openTransfers(sql: Sql, batchId: string, kind: Kind): Promise<Map<number, TransferRow[]>> {
  const { rows } = await sql.query<TransferRow>(
    `SELECT idx, tx_index, wallet_address, from_token_account, to_token_account, amount::text AS amount,
            signature, last_valid_block_height::text AS last_valid_block_height, status
       FROM settlement_transfers
      WHERE batch_id = $1 AND kind = $2 AND status IN ('planned', 'sent')
      ORDER BY tx_index, idx`,
    [batchId, kind],
  );
  const byTx = new Map<number, TransferRow[]>();
  for (const r of rows) byTx.set(r.tx_index, [...(byTx.get(r.tx_index) ?? []), r]);
  return byTx;
}

interface DriveOutcome {
  waiting?: string;
  skimmed?: string;
}

async function driveTransaction(
  deps: ExecuteDeps,
  batchId: string,
  kind: Kind,
  txIndex: number,
  rows: TransferRow[],
): Promise<DriveOutcome> {
  const first = rows[0] as TransferRow;
  if (rows.some((r) => r.status !== first.status || r.signature !== first.signature)) {
    return { waiting: `tx ${txIndex} is being changed by another run` };
  }
  let status: ChainStatus;
  try {
    if (first.status === "sent" && first.signature !== null) {
      status = await chainStatus(deps.rpc, first.signature);
      if (status.kind === "landed") return resolveLanded(deps, batchId, kind, txIndex, rows, first.signature, status);
      if (status.kind === "seen") return { waiting: `tx ${txIndex} not final yet` };
      const height = await deps.rpc.getBlockHeight({ commitment: "finalized" }).send();
      if (height <= BigInt(first.last_valid_block_height ?? "0")) {
        return { waiting: `tx ${txIndex} not found and its blockhash may still land it` };
      }
      // Provably expired: it can never land. Back to planned (only if nobody changed it meanwhile).
      await deps.sql.query(
        `UPDATE settlement_transfers SET status = 'planned', signature = NULL, last_valid_block_height = NULL, updated_at = now()
          WHERE batch_id = $1 AND kind = $2 AND tx_index = $3 AND signature = $4 AND status = 'sent'`,
        [batchId, kind, txIndex, first.signature],
      );
      return { waiting: undefined };
    }
    return await signRecordSend(deps, batchId, kind, txIndex, rows);
  } catch (err) {
    if (err instanceof Pending) throw err;
    // RPC unreachable or refusing: whatever was recorded stays; the next run looks it up.
    return { waiting: `tx ${txIndex}: ${(err as Error).message ?? "rpc failure"}`.slice(0, 300) };
  }
}

async function legsOf(deps: ExecuteDeps, kind: Kind, rows: TransferRow[]): Promise<TransferLeg[]> {
  if (kind === "collection") {
    return rows.map((r) => ({
      from: address(r.from_token_account),
      to: address(r.to_token_account),
      amount: BigInt(r.amount),
    }));
  }
  const { rows: owners } = await deps.sql.query<{ address: string; owner: string }>(
    "SELECT address, coalesce(payout_address, address) AS owner FROM wallets WHERE address = ANY($1::text[])",
    [rows.map((r) => r.wallet_address)],
  );
  const ownerOf = new Map(owners.map((o) => [o.address, o.owner]));
  return Promise.all(
    rows.map(async (r) => {
      const owner = address(ownerOf.get(r.wallet_address) ?? r.wallet_address);
      // The destination was fixed at planning; a changed payout address must not redirect it silently.
      if ((await payoutAccount(owner, deps.mint)) !== r.to_token_account) {
        throw new Pending(`payout account of ${r.wallet_address} changed since planning`);
      }
      return {
        from: address(r.from_token_account),
        to: address(r.to_token_account),
        toOwner: owner,
        amount: BigInt(r.amount),
      };
    }),
  );
}

async function signRecordSend(
  deps: ExecuteDeps,
  batchId: string,
  kind: Kind,
  txIndex: number,
  rows: TransferRow[],
): Promise<DriveOutcome> {
  const { value: lifetime } = await deps.rpc.getLatestBlockhash({ commitment: "finalized" }).send();
  const built = await buildSettlementTransaction({
    kind,
    batchId,
    txIndex,
    legs: await legsOf(deps, kind, rows),
    mint: deps.mint,
    signers: deps.signers,
    lifetime: lifetime as { blockhash: Blockhash; lastValidBlockHeight: bigint },
  });
  // Record before sending, compare-and-set: exactly these rows, all still planned and unsigned.
  await deps.sql.query("BEGIN");
  try {
    const claimed = await deps.sql.query(
      `UPDATE settlement_transfers SET status = 'sent', signature = $4, last_valid_block_height = $5, updated_at = now()
        WHERE batch_id = $1 AND kind = $2 AND tx_index = $3 AND status = 'planned' AND signature IS NULL
          AND idx = ANY($6::int[])`,
      [batchId, kind, txIndex, built.signature, lifetime.lastValidBlockHeight.toString(), rows.map((r) => r.idx)],
    );
    if ((claimed.rowCount ?? 0) !== rows.length) {
      await deps.sql.query("ROLLBACK");
      return { waiting: `tx ${txIndex} claimed by another run` };
    }
    await deps.sql.query("COMMIT");
  } catch (err) {
    await deps.sql.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  await deps.faults?.beforeSend?.(batchId, txIndex);
  // skipPreflight: a failing transfer must land as a failed transaction, so that "it did not move
  // anything" is provable on chain rather than inferred from an RPC error.
  await deps.rpc.sendTransaction(built.wire, { encoding: "base64", skipPreflight: true }).send();
  await deps.faults?.afterSend?.(batchId, txIndex);
  const deadline = Date.now() + (deps.confirmTimeoutMs ?? 30_000);
  for (;;) {
    const status = await chainStatus(deps.rpc, built.signature);
    if (status.kind === "landed") return resolveLanded(deps, batchId, kind, txIndex, rows, built.signature, status);
    if (Date.now() > deadline) return { waiting: `tx ${txIndex} sent, not final yet` };
    await sleep(deps.pollIntervalMs ?? 500);
  }
}

async function resolveLanded(
  deps: ExecuteDeps,
  batchId: string,
  kind: Kind,
  txIndex: number,
  rows: TransferRow[],
  signature: string,
  status: { slot: bigint; err: unknown },
): Promise<DriveOutcome> {
  const { sql } = deps;
  if (status.err === null) {
    await sql.query(
      `UPDATE settlement_transfers SET status = 'confirmed', confirmed_slot = $4, updated_at = now()
        WHERE batch_id = $1 AND kind = $2 AND signature = $3 AND status = 'sent'`,
      [batchId, kind, signature, status.slot.toString()],
    );
    return {};
  }
  // Landed with an error: nothing in it moved. Which transfer failed, and why?
  const instruction = insufficientFundsInstruction(status.err);
  const leg = instruction === null ? null : legOfInstruction(kind, instruction);
  const culprit = leg === null ? undefined : rows[leg];
  const errorText = JSON.stringify(status.err, (_k, v) => (typeof v === "bigint" ? v.toString() : v)).slice(0, 300);
  if (kind !== "collection" || culprit === undefined) {
    // Not a skim (e.g. the treasury short of funds): re-plan the same transfers and retry next run.
    await replan(sql, batchId, kind, signature, null);
    throw new Pending(`tx ${txIndex} failed on chain: ${errorText}`);
  }
  await sql.query("BEGIN");
  try {
    await sql.query(
      `UPDATE settlement_transfers SET status = 'failed', error = 'insufficient_funds', confirmed_slot = $4, updated_at = now()
        WHERE batch_id = $1 AND idx = $2 AND signature = $3 AND status = 'sent'`,
      [batchId, culprit.idx, signature, status.slot.toString()],
    );
    await replan(sql, batchId, kind, signature, culprit.idx);
    await recordSkim(deps, batchId, culprit, signature);
    await sql.query("COMMIT");
  } catch (err) {
    await sql.query("ROLLBACK").catch(() => undefined);
    throw err;
  }
  await deps.effects.flagSkim(
    culprit.wallet_address,
    `settlement collection failed: insufficient funds (batch ${batchId})`,
  );
  return { skimmed: culprit.wallet_address };
}

/** The other transfers of a failed transaction go back to planned, in a transaction of their own. */
async function replan(sql: Sql, batchId: string, kind: Kind, signature: string, except: number | null): Promise<void> {
  await sql.query(
    `UPDATE settlement_transfers SET status = 'planned', signature = NULL, last_valid_block_height = NULL, updated_at = now(),
            tx_index = (SELECT max(tx_index) + 1 FROM settlement_transfers WHERE batch_id = $1)
      WHERE batch_id = $1 AND kind = $2 AND signature = $3 AND status = 'sent' AND ($4::int IS NULL OR idx <> $4)`,
    [batchId, kind, signature, except],
  );
}

/**
 * A batch's entries lie in the id range recorded on it (no index names settlement_batch_id, so the
 * updates marking entries stay HOT): a primary-key range scan, filtered by batch.
 */
function inRange(batchParam: string, column = "id"): string {
  return `${column} BETWEEN (SELECT first_entry_id FROM settlement_batches WHERE id = ${batchParam})
                     AND (SELECT last_entry_id FROM settlement_batches WHERE id = ${batchParam})`;
}

/**
 * Skim (DESIGN §4): flag in Postgres and forfeit the buyer's entries, this batch's and the unsettled
 * ones (pulled into this batch) — except those owed to a flagged seller, held as the planner holds
 * them. Their sellers are still paid: the payouts grow by what the
 * pulled-in entries owe them, and what netting took from the skimmer's own earnings in this batch
 * is owed to it as a seller. Runs in the collection phase, so every payout is still `planned`.
 */
async function recordSkim(deps: ExecuteDeps, batchId: string, culprit: TransferRow, signature: string): Promise<void> {
  const { sql } = deps;
  const wallet = culprit.wallet_address;
  await sql.query(
    `UPDATE wallets SET is_flagged = true, flagged_reason = 'skim: settlement collection failed (insufficient funds)',
            flagged_at = coalesce(flagged_at, now())
      WHERE address = $1`,
    [wallet],
  );
  const pulled = await sql.query<{ payee: string; amount: string }>(
    `WITH f AS (
       UPDATE ledger_entries SET status = 'forfeited', settlement_batch_id = $2
        WHERE buyer_wallet = $1 AND status = 'unsettled'
          -- What it owes a flagged seller stays held for that seller, as the planner holds it.
          AND (payee_wallet = $1 OR payee_wallet NOT IN (SELECT address FROM wallets WHERE is_flagged))
        RETURNING id, payee_wallet, seller_payout
     ),
     -- Same statement, so atomic: the batch's id range grows to cover the pulled-in entries.
     r AS (
       UPDATE settlement_batches SET first_entry_id = least(first_entry_id, (SELECT min(id) FROM f)),
              last_entry_id = greatest(last_entry_id, (SELECT max(id) FROM f))
        WHERE id = $2 AND EXISTS (SELECT 1 FROM f)
     )
     SELECT payee_wallet AS payee, sum(seller_payout)::text AS amount FROM f WHERE payee_wallet <> $1 GROUP BY payee_wallet`,
    [wallet, batchId],
  );
  await sql.query(
    `UPDATE ledger_entries SET status = 'forfeited'
      WHERE buyer_wallet = $1 AND status = 'in_batch' AND settlement_batch_id = $2 AND ${inRange("$2")}`,
    [wallet, batchId],
  );
  const netted = await sql.query<{ amount: string }>(
    `SELECT coalesce(sum(seller_payout), 0)::text AS amount FROM ledger_entries
      WHERE settlement_batch_id = $1 AND status = 'in_batch' AND payee_wallet = $2 AND ${inRange("$1")}`,
    [batchId, wallet],
  );
  const owed = new Map(pulled.rows.map((r) => [r.payee, BigInt(r.amount)]));
  owed.set(wallet, (owed.get(wallet) ?? 0n) + BigInt(netted.rows[0]?.amount ?? "0"));
  for (const [payee, amount] of owed) {
    if (amount > 0n) await addPayout(deps, batchId, payee, amount, culprit.to_token_account);
  }
  await sql.query(
    `INSERT INTO security_events (kind, wallet_address, detail) VALUES ('skim_detected', $1, $2::jsonb)`,
    [wallet, JSON.stringify({ batchId, signature, amount: culprit.amount })],
  );
}

/** Grows a payee's planned payout in the batch, or adds one (in a transaction of its own). */
async function addPayout(deps: ExecuteDeps, batchId: string, payee: string, amount: bigint, treasury: string) {
  const grown = await deps.sql.query(
    `UPDATE settlement_transfers SET amount = amount + $3, updated_at = now()
      WHERE batch_id = $1 AND kind = 'payout' AND wallet_address = $2 AND status = 'planned'`,
    [batchId, payee, amount.toString()],
  );
  if ((grown.rowCount ?? 0) > 0) return;
  const { rows } = await deps.sql.query<{ owner: string }>(
    "SELECT coalesce(payout_address, address) AS owner FROM wallets WHERE address = $1",
    [payee],
  );
  const to = await payoutAccount(address(rows[0]?.owner ?? payee), deps.mint);
  await deps.sql.query(
    `INSERT INTO settlement_transfers (batch_id, idx, kind, wallet_address, from_token_account, to_token_account, amount, tx_index)
     SELECT $1, max(idx) + 1, 'payout', $2, $3, $4, $5, max(tx_index) + 1 FROM settlement_transfers WHERE batch_id = $1`,
    [batchId, payee, treasury, to, amount.toString()],
  );
}

/**
 * Collections done: the batch's entries of collected (or fully netted) buyers become settled, and
 * each buyer's WalletDO is told its gross charges with the slot the money moved at. Idempotent:
 * the WalletDO ignores a batch it has applied; entries already settled are left alone.
 */
async function settleEntries(deps: ExecuteDeps, batchId: string): Promise<void> {
  const { sql } = deps;
  await sql.query(
    `UPDATE ledger_entries SET status = 'settled', settled_at = now()
      WHERE settlement_batch_id = $1 AND status = 'in_batch' AND ${inRange("$1")}`,
    [batchId],
  );
  const { rows } = await sql.query<{ buyer: string; charge: string; slot: string | null; max_slot: string | null }>(
    `SELECT e.buyer_wallet AS buyer, sum(e.charge)::text AS charge,
            (SELECT t.confirmed_slot::text FROM settlement_transfers t
              WHERE t.batch_id = $1 AND t.kind = 'collection' AND t.wallet_address = e.buyer_wallet AND t.status = 'confirmed') AS slot,
            (SELECT max(t.confirmed_slot)::text FROM settlement_transfers t WHERE t.batch_id = $1 AND t.status = 'confirmed') AS max_slot
       FROM ledger_entries e
      WHERE e.settlement_batch_id = $1 AND e.status = 'settled' AND ${inRange("$1", "e.id")}
      GROUP BY e.buyer_wallet`,
    [batchId],
  );
  let now: number | null = null;
  for (const r of rows) {
    let slot = r.slot ?? r.max_slot;
    if (slot === null) {
      now ??= Number(await deps.rpc.getSlot({ commitment: "finalized" }).send());
      slot = String(now);
    }
    await deps.effects.applySettlement(r.buyer, batchId, BigInt(r.charge), Number(slot));
  }
}
