import { DurableObject } from "cloudflare:workers";
import { hashApiKey, parseApiKey } from "../workers/auth/api-key.ts";
import type {
  AuthenticateResult,
  Balance,
  ConfirmResult,
  EscrowCapture,
  EscrowSettlement,
  HoldResult,
  LedgerEntryDraft,
  RefundResult,
  ReserveResult,
  WalletRpc,
  WithdrawalStart,
} from "../workers/credit/interface.ts";
import { type Bucket, RateConfig, retryAfterSeconds, take } from "../workers/credit/rate.ts";
import {
  backoffMs,
  DEDUPE_WINDOW_MS,
  IO_BACKOFF_CAP_MS,
  nextAlarmAt,
  ROW_BACKOFF_CAP_MS,
  refreshDueAt,
  snapshotIsOld,
} from "../workers/credit/schedule.ts";
import {
  Amount,
  AmountOrZero,
  EpochMs,
  FlagReason,
  KeyHash,
  LedgerEntryDraftSchema,
  ObjectId,
  parseArg,
  RequestId,
  Slot,
  WalletAddress,
  WithdrawalOutcome,
} from "../workers/credit/schemas.ts";
import type { CreditState, FinishedOutcome, Step } from "../workers/credit/state.ts";
import * as credit from "../workers/credit/state.ts";
import { type Env, secretValues } from "../workers/env.ts";
import { redactError } from "../workers/lib/redact.ts";
import { walletApiRate, walletCallRate } from "../workers/ratelimit/wallet-rates.ts";
import { ORPHAN_GRACE_MS, rewardSplit } from "../workers/tasks/escrow.ts";
import { initMeta, readSchemaVersion } from "./meta.ts";
import { readVaultBalance } from "./wallet-chain.ts";
import { activeKeys, insertKey, revokeKeyRow } from "./wallet-keys.ts";
import {
  deferEntry,
  deleteEntries,
  dueEntries,
  enqueueEntry,
  outboxDueAt,
  writeLedgerEntries,
} from "./wallet-outbox.ts";
import {
  finishedOutcome,
  getMeta,
  type IoState,
  initWalletSchema,
  loadCredit,
  loadIo,
  oldestFinishedAt,
  persistCredit,
  purgeFinished,
  recordFinished,
  saveFlushBackoff,
  saveRefreshAttempt,
  saveRefreshBackoff,
  setMeta,
  toSqlAmount,
} from "./wallet-store.ts";
import {
  escrowDueAt,
  getEscrow,
  initEscrowSchema,
  insertEscrow,
  markOutcome,
  reconcileEscrows,
  setCheck,
  setCheckIf,
} from "./wallet-tasks.ts";

const SCHEMA_VERSION = 1;
const FLUSH_BATCH = 100;
/** Batches per alarm run; the alarm comes back at once for the rest. */
const FLUSH_ROUNDS = 10;
const PURGE_LIMIT = 1_000;
const IO_BASE_MS = 1_000;
const ROW_BASE_MS = 10_000;

/**
 * One per buyer wallet (id = idFromName(wallet address)). Owns the wallet's credit so that
 * reserve/confirm/refund are atomic without locks: every method reads, decides (the pure core in
 * workers/credit/state.ts) and writes inside one synchronous SQLite transaction, with no await in
 * between. Network I/O (vault reads, the Postgres ledger flush) happens only in the alarm,
 * balance() and never between a read and a write. See docs/decisions/006-wallet-credit-model.md.
 *
 * The credit state is also held in memory, as last committed: this object is its storage's only
 * writer, so the copy is exact, and it is replaced only after `transactionSync` returned (a
 * rolled-back transaction leaves it untouched; a failed commit resets the whole object). Every
 * write still reaches SQLite in the same synchronous transaction as before, and the output gate
 * holds each reply until it is durable (docs/decisions/016-hot-path-storage.md).
 */
export class WalletDO extends DurableObject<Env> implements WalletRpc {
  /** The alarm time this object last set (null: none, or it already fired). */
  #alarmAt: number | null = null;
  /** One vault read at a time; callers that need one join the read in flight. */
  #refreshing: Promise<void> | null = null;
  /** The last rate config a caller passed, as parsed (see #rateConfig). */
  #lastRate: RateConfig | null = null;
  /** Per-wallet request rate (workers/credit/rate.ts), in memory: proxied calls, and the other authenticated routes. */
  #buckets: { calls?: Bucket; api?: Bucket } = {};
  /**
   * What `#nextAlarm` reads besides the credit state, once read (null: read it again). The hot
   * path only ever adds rows due "now", so it keeps this up to date by itself; everything else
   * that writes these tables (alarm, flush, purge, vault reads, a rollback) drops it.
   */
  #alarmInputs: {
    io: IoState;
    outboxDueAt: number | null;
    oldestFinishedAt: number | null;
    escrowDueAt: number | null;
  } | null = null;
  /**
   * The active API keys, hash → key id, as committed (null: read them again). Only this object
   * writes its key table: registering or revoking a key drops this copy before the write, and so
   * does a rollback, so a revoked key is refused on the very next call.
   */
  #keys: Map<string, string> | null = null;
  /** The committed credit state (null: not read from storage yet). */
  #credit: CreditState | null = null;
  /** `meta` rows read so far (null: no such row). A write drops the entry, so a rollback cannot leave it wrong. */
  readonly #meta = new Map<string, string | null>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      initMeta(ctx.storage.sql, SCHEMA_VERSION);
      initWalletSchema(ctx.storage.sql);
      initEscrowSchema(ctx.storage.sql);
      this.#alarmAt = await ctx.storage.getAlarm();
    });
  }

  /**
   * Forgets the in-memory copies of storage and reads them again on next use. Only needed after
   * someone edited this object's SQLite by hand (an operator's repair, a test moving time).
   */
  async reloadFromStorage(): Promise<void> {
    this.#credit = null;
    this.#alarmInputs = null;
    this.#keys = null;
    this.#meta.clear();
  }

  /** Storage schema version and a SQLite round trip; lets callers check the object is alive. */
  async describe(): Promise<{ kind: "wallet"; schemaVersion: number }> {
    return { kind: "wallet", schemaVersion: readSchemaVersion(this.ctx.storage.sql) };
  }

  // ── API keys ────────────────────────────────────────────────────────────────────────────────

  async registerKey(wallet: string, keyId: string, keyHash: string): Promise<void> {
    const w = parseArg(WalletAddress, wallet, "wallet");
    const id = parseArg(ObjectId, keyId, "keyId");
    const hash = parseArg(KeyHash, keyHash, "keyHash");
    this.#keys = null;
    this.#transactionSync(() => {
      this.#claimWallet(w);
      insertKey(this.ctx.storage.sql, id, hash, Date.now());
    });
  }

  async revokeKey(keyId: string): Promise<boolean> {
    const id = parseArg(ObjectId, keyId, "keyId");
    this.#keys = null;
    return revokeKeyRow(this.ctx.storage.sql, id, Date.now());
  }

  async authenticate(apiKey: string, rate?: RateConfig): Promise<AuthenticateResult> {
    const config = this.#rateConfig("api", rate);
    const parsed = typeof apiKey === "string" ? parseApiKey(apiKey) : null;
    if (!parsed) return { ok: false };
    const hash = await hashApiKey(apiKey);
    const keyId = this.#activeKeyId(hash);
    if (keyId === null || parsed.wallet !== this.#wallet()) return { ok: false };
    const limited = this.#takeToken("api", config);
    if (limited !== null) return { ok: false, reason: "rate_limited", retryAfter: limited };
    return { ok: true, keyId, wallet: parsed.wallet };
  }

  // ── Reservations ───────────────────────────────────────────────────────────────────────────

  async reserve(requestId: string, apiKey: string, amount: bigint, rate?: RateConfig): Promise<ReserveResult> {
    const id = parseArg(RequestId, requestId, "requestId");
    const amt = parseArg(Amount, amount, "amount");
    const config = this.#rateConfig("calls", rate);
    // Hash before reading any state: the only await of this method.
    const hash = typeof apiKey === "string" && parseApiKey(apiKey) ? await hashApiKey(apiKey) : null;
    const sql = this.ctx.storage.sql;
    const keyValid = hash !== null && this.#activeKeyId(hash) !== null;
    // Only a valid key spends the wallet's tokens: a stranger cannot throttle someone else's wallet.
    const limited = keyValid ? this.#takeToken("calls", config) : null;
    if (limited !== null) return { ok: false, reason: "rate_limited", retryAfter: limited };
    return this.#transact((s, now) => {
      // An old snapshot only understates; ask the alarm for a fresh one instead of reading here (hot path).
      const state = keyValid && this.#hasVault() && !s.chain.stale && snapshotIsOld(s, now) ? credit.markStale(s) : s;
      return credit.reserve(state, {
        requestId: id,
        amount: amt,
        now,
        keyValid,
        finished: finishedOutcome(sql, "request", id),
      });
    });
  }

  async confirm(requestId: string, charge: bigint, entry: LedgerEntryDraft): Promise<ConfirmResult> {
    const id = parseArg(RequestId, requestId, "requestId");
    const amount = parseArg(Amount, charge, "charge");
    const draft = parseArg(LedgerEntryDraftSchema, entry, "entry");
    return this.#transact(
      (s) =>
        credit.confirm(s, {
          requestId: id,
          charge: amount,
          sellerPayout: draft.sellerPayout,
          platformFee: draft.platformFee,
          finished: this.#finishedUnlessOpen(s, id),
        }),
      (result, now) => {
        if (!result.ok) return;
        this.#recordFinished("request", id, "confirmed", now);
        this.#enqueue(id, amount, draft, now);
      },
    );
  }

  async refund(requestId: string): Promise<RefundResult> {
    const id = parseArg(RequestId, requestId, "requestId");
    return this.#transact(
      (s) => credit.refund(s, { requestId: id, finished: this.#finishedUnlessOpen(s, id) }),
      (result, now) => {
        if (result.ok && result.released > 0n) this.#recordFinished("request", id, "refunded", now);
      },
    );
  }

  // ── Balance and chain snapshot ─────────────────────────────────────────────────────────────

  async balance(): Promise<Balance> {
    // At most two reads: the first may have begun before an invalidate and then cannot clear it.
    for (let i = 0; i < 2 && this.#balanceNeedsRead(); i++) await this.#refresh();
    return this.#transact((s, now) => ({
      state: s,
      result: {
        available: credit.available(s),
        onChain: s.chain.amount,
        chainSlot: s.chain.slot,
        reserved: credit.reservedTotal(s),
        unsettled: s.unsettled,
        held: credit.heldTotal(s),
        cooldownUntil: credit.cooldownUntil(s, now),
        flagged: s.flagged !== null,
      },
    }));
  }

  async invalidate(): Promise<void> {
    this.#transact((s) => ({ state: credit.markStale(s), result: undefined }));
  }

  async setVault(wallet: string, vault: string): Promise<void> {
    const w = parseArg(WalletAddress, wallet, "wallet");
    const v = parseArg(WalletAddress, vault, "vault");
    this.#transact((s) => {
      this.#claimWallet(w);
      if (this.#getMeta("vault") === v) return { state: s, result: undefined };
      this.#setMeta("vault", v);
      return { state: credit.resetChain(s), result: undefined };
    });
  }

  // ── Holds ──────────────────────────────────────────────────────────────────────────────────

  async hold(holdId: string, amount: bigint): Promise<HoldResult> {
    const id = parseArg(ObjectId, holdId, "holdId");
    const amt = parseArg(Amount, amount, "amount");
    const sql = this.ctx.storage.sql;
    return this.#transact((s, now) =>
      credit.hold(s, { holdId: id, amount: amt, now, finished: finishedOutcome(sql, "hold", id) !== undefined }),
    );
  }

  async release(
    holdId: string,
    capture?: { requestId: string; charge: bigint; entry: LedgerEntryDraft },
  ): Promise<{ ok: boolean }> {
    const id = parseArg(ObjectId, holdId, "holdId");
    const cap =
      capture === undefined
        ? undefined
        : {
            requestId: parseArg(RequestId, capture.requestId, "capture.requestId"),
            charge: parseArg(Amount, capture.charge, "capture.charge"),
            entry: parseArg(LedgerEntryDraftSchema, capture.entry, "capture.entry"),
          };
    const sql = this.ctx.storage.sql;
    const result = this.#transact(
      (s) =>
        credit.release(s, {
          holdId: id,
          capture: cap && {
            requestId: cap.requestId,
            charge: cap.charge,
            sellerPayout: cap.entry.sellerPayout,
            platformFee: cap.entry.platformFee,
            finished: finishedOutcome(sql, "request", cap.requestId),
          },
        }),
      (r, now) => {
        if (r.ok) this.#holdEnded(id, cap, now);
      },
    );
    return { ok: result.ok };
  }

  /** Side records of an ended hold, in the same storage transaction as the money. */
  #holdEnded(
    holdId: string,
    cap: { requestId: string; charge: bigint; entry: ReturnType<typeof LedgerEntryDraftSchema.parse> } | undefined,
    now: number,
  ): void {
    this.#recordFinished("hold", holdId, cap ? "captured" : "released", now);
    if (cap) {
      this.#recordFinished("request", cap.requestId, "confirmed", now);
      this.#enqueue(cap.requestId, cap.charge, cap.entry, now);
    }
  }

  // ── Task escrows (bounty board, docs/decisions/017-bounty-board.md) ────────────────────────

  async openEscrow(taskId: string, amount: bigint): Promise<HoldResult> {
    const id = parseArg(ObjectId, taskId, "taskId");
    const amt = parseArg(Amount, amount, "amount");
    const sql = this.ctx.storage.sql;
    return this.#transact(
      (s, now) => {
        const used = getEscrow(sql, id) !== null || finishedOutcome(sql, "hold", id) !== undefined;
        return credit.hold(s, { holdId: id, amount: amt, now, finished: used });
      },
      (r, now) => {
        // Checked after a grace: a hold whose task row never appeared is given back.
        if (r.ok) this.#escrowsChanged(() => insertEscrow(sql, id, toSqlAmount(amt), now, now + ORPHAN_GRACE_MS));
      },
    );
  }

  async settleEscrow(taskId: string, how: { capture: EscrowCapture } | { release: true }): Promise<EscrowSettlement> {
    const id = parseArg(ObjectId, taskId, "taskId");
    const capture =
      "capture" in how
        ? {
            solver: parseArg(WalletAddress, how.capture.solver, "capture.solver"),
            reward: parseArg(Amount, how.capture.reward, "capture.reward"),
          }
        : undefined;
    return this.#settleEscrow(id, capture);
  }

  async watchEscrow(taskId: string, at: number): Promise<{ ok: boolean }> {
    const id = parseArg(ObjectId, taskId, "taskId");
    const when = parseArg(EpochMs, at, "at");
    const ok = this.#escrowsChanged(() => setCheck(this.ctx.storage.sql, id, when));
    if (ok) this.#ensureAlarm(when);
    return { ok };
  }

  async unwatchEscrow(taskId: string, at: number): Promise<void> {
    const id = parseArg(ObjectId, taskId, "taskId");
    const when = parseArg(EpochMs, at, "at");
    this.#escrowsChanged(() => setCheckIf(this.ctx.storage.sql, id, when, null));
  }

  /** Captures (for the solver) or releases a task's hold, once: the escrow row remembers how it ended. */
  #settleEscrow(id: string, capture: EscrowCapture | undefined): EscrowSettlement {
    const sql = this.ctx.storage.sql;
    const want = capture ? "captured" : "released";
    const requestId = `task:${id}`;
    let cap: { requestId: string; charge: bigint; entry: ReturnType<typeof LedgerEntryDraftSchema.parse> } | undefined;
    return this.#transact(
      (s): Step<EscrowSettlement> => {
        const escrow = getEscrow(sql, id);
        if (!escrow) return { state: s, result: { ok: false, reason: "unknown_escrow" } };
        if (escrow.outcome !== null) {
          const result: EscrowSettlement =
            escrow.outcome === want
              ? { ok: true, outcome: want, already: true }
              : { ok: false, reason: escrow.outcome === "captured" ? "already_captured" : "already_released" };
          return { state: s, result };
        }
        if (capture) {
          const split = rewardSplit(capture.reward, escrow.amount);
          cap = {
            requestId,
            charge: split.charge,
            entry: parseArg(
              LedgerEntryDraftSchema,
              {
                kind: "task_reward",
                taskId: id,
                payeeWallet: capture.solver,
                units: 1,
                sellerPayout: split.sellerPayout,
                platformFee: split.platformFee,
              },
              "entry",
            ),
          };
        }
        const step = credit.release(s, {
          holdId: id,
          capture: cap && {
            requestId,
            charge: cap.charge,
            sellerPayout: cap.entry.sellerPayout,
            platformFee: cap.entry.platformFee,
            finished: finishedOutcome(sql, "request", requestId),
          },
        });
        // An open escrow always has its hold: anything else is corrupt storage, rolled back.
        if (!step.result.ok) throw new Error(`task escrow ${id} cannot end: ${step.result.reason}`);
        return { state: step.state, result: { ok: true, outcome: want, already: false } };
      },
      (r, now) => {
        if (!r.ok || r.already) return;
        this.#holdEnded(id, cap, now);
        this.#escrowsChanged(() => markOutcome(sql, id, want, now));
      },
    );
  }

  // ── Settlement, flag, withdrawals ──────────────────────────────────────────────────────────

  async applySettlement(batchId: string, amount: bigint, slot: number): Promise<{ applied: boolean }> {
    const id = parseArg(ObjectId, batchId, "batchId");
    const amt = parseArg(AmountOrZero, amount, "amount");
    const atSlot = parseArg(Slot, slot, "slot");
    const sql = this.ctx.storage.sql;
    return this.#transact(
      (s) => {
        const applied = sql.exec("SELECT 1 FROM settlements WHERE batch_id = ?", id).toArray().length > 0;
        return credit.applySettlement(s, { batchId: id, amount: amt, slot: atSlot, applied });
      },
      (result, now) => {
        // Keeps the batch id for idempotence even when no debit was needed (the snapshot already showed it).
        if (result.applied) {
          sql.exec(
            "INSERT INTO settlements (batch_id, amount, slot, applied_at, pending) VALUES (?, ?, ?, ?, 0) ON CONFLICT (batch_id) DO NOTHING",
            id,
            toSqlAmount(amt),
            atSlot,
            now,
          );
        }
      },
    );
  }

  async flag(reason: string): Promise<void> {
    const text = parseArg(FlagReason, reason, "reason");
    this.#transact((s) => ({ state: credit.flag(s, text), result: undefined }));
    this.#log("warn", "wallet flagged", { reason: text });
  }

  async startWithdrawal(withdrawalId: string, amount: bigint, expiresAt: number): Promise<WithdrawalStart> {
    const id = parseArg(ObjectId, withdrawalId, "withdrawalId");
    const amt = parseArg(Amount, amount, "amount");
    const until = parseArg(EpochMs, expiresAt, "expiresAt");
    const sql = this.ctx.storage.sql;
    return this.#transact((s, now) => {
      const known = sql.exec("SELECT 1 FROM withdrawals WHERE withdrawal_id = ?", id).toArray().length > 0;
      return credit.startWithdrawal(s, { withdrawalId: id, amount: amt, expiresAt: until, now, known });
    });
  }

  async finishWithdrawal(withdrawalId: string, outcome: { landedSlot: number } | { expired: true }): Promise<void> {
    const id = parseArg(ObjectId, withdrawalId, "withdrawalId");
    const how = parseArg(WithdrawalOutcome, outcome, "outcome");
    this.#transact((s) => ({
      state: credit.finishWithdrawal(s, { withdrawalId: id, outcome: how }),
      result: undefined,
    }));
  }

  // ── Alarm ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Refunds expired reservations, lapses expired withdrawals, forgets old request ids, reads the
   * vault when a snapshot is wanted and flushes the ledger outbox, then schedules itself for the
   * next due moment. Never throws: failures are retried by its own backoff, not workerd's.
   */
  override async alarm(): Promise<void> {
    this.#alarmAt = null;
    // Recomputed from storage: an alarm never relies on a time the hot path kept up to date.
    this.#alarmInputs = null;
    const sql = this.ctx.storage.sql;
    try {
      this.#transact((s) => ({ state: s, result: undefined }));
      purgeFinished(sql, Date.now() - DEDUPE_WINDOW_MS, PURGE_LIMIT);
      this.#alarmInputs = null;
      const due = refreshDueAt(this.#state(), this.#hasVault(), loadIo(sql));
      if (due !== null && due <= Date.now()) await this.#refresh();
      try {
        await reconcileEscrows(this.ctx.storage.sql, this.env, {
          settle: (taskId, capture) => this.#settleEscrow(taskId, capture),
          failed: (err, escrows) =>
            this.#log("warn", "task escrow check failed; will retry", {
              escrows,
              reason: redactError(err, secretValues(this.env)),
            }),
        });
      } finally {
        // It moves check times by itself (setCheckIf), outside #escrowsChanged.
        this.#alarmInputs = null;
      }
      await this.#flushOutbox();
    } catch (err) {
      this.#log("error", "wallet alarm failed", { reason: redactError(err, secretValues(this.env)) });
    }
    const next = this.ctx.storage.transactionSync(() => this.#nextAlarm(this.#state(), Date.now()));
    this.#alarmAt = null;
    if (next !== null) this.#ensureAlarm(next);
    else {
      this.ctx.storage.deleteAlarm().catch((err: unknown) => {
        this.#log("error", "deleteAlarm failed", { reason: redactError(err, []) });
      });
    }
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  /**
   * How a request id ended, for confirm and refund. An open reservation is all they look at, so
   * the lookup runs only when there is none (after the tick, so an expiry just recorded is seen).
   */
  #finishedUnlessOpen(s: CreditState, id: string): FinishedOutcome | undefined {
    return s.reservations.has(id) ? undefined : finishedOutcome(this.ctx.storage.sql, "request", id);
  }

  /** The caller's rate (the Worker passes its validated config), else this deployment's default. */
  #rateConfig(kind: "calls" | "api", rate: RateConfig | undefined): RateConfig {
    if (rate === undefined) return kind === "calls" ? walletCallRate(this.env) : walletApiRate(this.env);
    // Every call of a deployment passes the same two numbers: parse them once.
    const last = this.#lastRate;
    if (
      last !== null &&
      rate?.perSecond === last.perSecond &&
      rate.burst === last.burst &&
      Object.keys(rate).length === 2
    ) {
      return last;
    }
    this.#lastRate = parseArg(RateConfig, rate, "rate");
    return this.#lastRate;
  }

  /** Takes a token from the `kind` bucket: null when taken, else the seconds to wait. */
  #takeToken(kind: "calls" | "api", config: RateConfig): number | null {
    const t = take(this.#buckets[kind], config, Date.now());
    this.#buckets[kind] = t.bucket;
    return t.ok ? null : retryAfterSeconds(t.retryAfterMs);
  }

  /**
   * load → tick (expire what is due) → transition → persist → side records, in one synchronous
   * storage transaction; then make sure the alarm covers whatever is now due. A throw anywhere
   * rolls everything back.
   */
  #transact<R>(transition: (s: CreditState, now: number) => Step<R>, effects?: (result: R, now: number) => void): R {
    const sql = this.ctx.storage.sql;
    const { result, next, state } = this.#transactionSync(() => {
      const now = Date.now();
      const prev = this.#state();
      const ticked = credit.tick(prev, now);
      for (const id of ticked.result.expired) this.#recordFinished("request", id, "expired", now);
      const step = transition(ticked.state, now);
      persistCredit(sql, prev, step.state, now);
      effects?.(step.result, now);
      return { result: step.result, next: this.#nextAlarm(step.state, now), state: step.state };
    });
    // Only now, after the transaction: a throw above rolled storage back and leaves this as it was.
    this.#credit = state;
    this.#ensureAlarm(next);
    return result;
  }

  /** `transactionSync` that also forgets cached `meta` reads when it rolls back. */
  #transactionSync<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (err) {
      this.#meta.clear();
      this.#alarmInputs = null;
      this.#keys = null;
      throw err;
    }
  }

  /** The active key with this hash, from the in-memory copy of the key table. */
  #activeKeyId(hash: string): string | null {
    this.#keys ??= activeKeys(this.ctx.storage.sql);
    return this.#keys.get(hash) ?? null;
  }

  /** Runs a write to the escrow table; the alarm's escrow due time is read again afterwards, even after a throw. */
  #escrowsChanged<T>(write: () => T): T {
    try {
      return write();
    } finally {
      this.#alarmInputs = null;
    }
  }

  /** The committed credit state, read from storage once. */
  #state(): CreditState {
    this.#credit ??= loadCredit(this.ctx.storage.sql);
    return this.#credit;
  }

  #getMeta(key: string): string | null {
    if (!this.#meta.has(key)) this.#meta.set(key, getMeta(this.ctx.storage.sql, key));
    return this.#meta.get(key) ?? null;
  }

  #setMeta(key: string, value: string): void {
    this.#meta.delete(key);
    setMeta(this.ctx.storage.sql, key, value);
  }

  #nextAlarm(state: CreditState, now: number): number | null {
    const sql = this.ctx.storage.sql;
    this.#alarmInputs ??= {
      io: loadIo(sql),
      outboxDueAt: outboxDueAt(sql),
      oldestFinishedAt: oldestFinishedAt(sql),
      escrowDueAt: escrowDueAt(sql),
    };
    const { io, outboxDueAt: outbox, oldestFinishedAt: oldest, escrowDueAt: escrow } = this.#alarmInputs;
    const next = nextAlarmAt({
      state,
      now,
      refreshDueAt: refreshDueAt(state, this.#hasVault(), io),
      outboxDueAt: outbox === null ? null : Math.max(outbox, io.nextFlushAt),
      oldestFinishedAt: oldest,
    });
    if (escrow === null) return next;
    return Math.max(now, next === null ? escrow : Math.min(next, escrow));
  }

  /** Moves the alarm earlier when needed. An alarm that fires early is harmless: it recomputes. */
  #ensureAlarm(at: number | null): void {
    if (at === null || (this.#alarmAt !== null && this.#alarmAt <= at)) return;
    this.#alarmAt = at;
    this.ctx.storage.setAlarm(at).catch((err: unknown) => {
      this.#alarmAt = null;
      this.#log("error", "setAlarm failed", { reason: redactError(err, []) });
    });
  }

  #balanceNeedsRead(): boolean {
    if (!this.#hasVault()) return false;
    const s = this.#state();
    const now = Date.now();
    return (s.chain.stale || snapshotIsOld(s, now)) && now >= loadIo(this.ctx.storage.sql).nextRefreshAt;
  }

  #refresh(): Promise<void> {
    this.#refreshing ??= this.#readVault().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** Reads the vault balance and applies it as a snapshot; failures back off (1 s, 2 s … 60 s). */
  async #readVault(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const vault = this.#getMeta("vault");
    if (vault === null) return;
    // The epoch when the read begins decides which invalidations/expiries this snapshot may clear.
    const fetchEpoch = this.#state().chain.epoch;
    const fetchedAt = Date.now();
    this.#alarmInputs = null;
    saveRefreshAttempt(sql, fetchedAt);
    try {
      const balance = await readVaultBalance(this.env.SOLANA_RPC_URL, vault);
      if (this.#getMeta("vault") !== vault) return;
      this.#transact((s) => credit.observeSnapshot(s, { ...balance, fetchEpoch, fetchedAt }));
      this.#alarmInputs = null;
      saveRefreshBackoff(sql, 0, 0);
    } catch (err) {
      const failures = loadIo(sql).refreshFailures + 1;
      this.#alarmInputs = null;
      saveRefreshBackoff(sql, failures, Date.now() + backoffMs(failures, IO_BASE_MS, IO_BACKOFF_CAP_MS));
      this.#log("warn", "vault read failed", { failures, reason: redactError(err, secretValues(this.env)) });
    }
  }

  /**
   * Copies due outbox rows to Postgres in batches. Rows leave the outbox only after Postgres
   * committed them; Postgres unreachable → the whole outbox backs off (1 s … 60 s); a row Postgres
   * refuses → only that row backs off (10 s … 1 h) and is logged.
   */
  async #flushOutbox(): Promise<void> {
    const sql = this.ctx.storage.sql;
    for (let round = 0; round < FLUSH_ROUNDS; round++) {
      const started = Date.now();
      const io = loadIo(sql);
      if (started < io.nextFlushAt) return;
      const rows = dueEntries(sql, started, FLUSH_BATCH);
      if (rows.length === 0) return;
      const result = await writeLedgerEntries(
        this.env,
        rows.map((r) => r.entry),
      );
      const now = Date.now();
      this.#alarmInputs = null;
      this.ctx.storage.transactionSync(() => {
        deleteEntries(sql, result.written);
        for (const refused of result.refused) {
          const attempts = (rows.find((r) => r.requestId === refused.requestId)?.attempts ?? 0) + 1;
          deferEntry(sql, refused.requestId, now + backoffMs(attempts, ROW_BASE_MS, ROW_BACKOFF_CAP_MS), refused.code);
        }
        if (result.failure === undefined) saveFlushBackoff(sql, 0, 0);
        else {
          const failures = loadIo(sql).flushFailures + 1;
          saveFlushBackoff(sql, failures, now + backoffMs(failures, IO_BASE_MS, IO_BACKOFF_CAP_MS));
        }
      });
      for (const refused of result.refused) {
        this.#log("error", "ledger entry refused by postgres; kept in outbox", refused);
      }
      if (result.failure !== undefined) {
        this.#log("warn", "ledger flush failed; will retry", {
          pending: rows.length - result.written.length,
          reason: redactError(result.failure, secretValues(this.env)),
        });
        return;
      }
    }
  }

  /** Records a finished id (due for forgetting at `now` + the window); keeps `#alarmInputs` exact. */
  #recordFinished(kind: "request" | "hold", id: string, outcome: string, now: number): void {
    recordFinished(this.ctx.storage.sql, kind, id, outcome, now);
    const inputs = this.#alarmInputs;
    if (inputs)
      inputs.oldestFinishedAt = inputs.oldestFinishedAt === null ? now : Math.min(inputs.oldestFinishedAt, now);
  }

  #enqueue(requestId: string, charge: bigint, draft: ReturnType<typeof LedgerEntryDraftSchema.parse>, now: number) {
    const buyerWallet = this.#wallet();
    if (buyerWallet === null) throw new Error("this wallet has no registered key or vault: cannot book a charge");
    enqueueEntry(
      this.ctx.storage.sql,
      {
        requestId,
        kind: draft.kind,
        buyerWallet,
        payeeWallet: draft.payeeWallet,
        sellerId: draft.sellerId ?? null,
        listingId: draft.listingId ?? null,
        taskId: draft.taskId ?? null,
        charge: charge.toString(),
        sellerPayout: draft.sellerPayout.toString(),
        platformFee: draft.platformFee.toString(),
        units: draft.units,
        confirmedAt: draft.occurredAt ?? now,
      },
      now,
    );
    const inputs = this.#alarmInputs;
    if (inputs) inputs.outboxDueAt = inputs.outboxDueAt === null ? now : Math.min(inputs.outboxDueAt, now);
  }

  #hasVault(): boolean {
    return this.#getMeta("vault") !== null;
  }

  /** The wallet this object belongs to: recorded on first registerKey/setVault. */
  #wallet(): string | null {
    return this.#getMeta("wallet") ?? this.ctx.id.name ?? null;
  }

  /** Records the wallet on first use and refuses any other: one object, one wallet. */
  #claimWallet(wallet: string): void {
    const known = this.#getMeta("wallet") ?? this.ctx.id.name;
    if (known !== undefined && known !== null && known !== wallet) {
      throw new Error("this WalletDO belongs to another wallet");
    }
    if (this.#getMeta("wallet") === null) this.#setMeta("wallet", wallet);
  }

  #log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
    const line = JSON.stringify({ level, msg, wallet: this.#wallet(), ...fields });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  }
}
