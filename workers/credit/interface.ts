/**
 * The wallet-credit contract: what the WalletDO answers over RPC, shared by the routes, the proxy
 * and the settlement cron. All amounts are integer micro-USDC as `bigint` (RPC carries bigint).
 */

import type { RateConfig } from "./rate.ts";

/** Why a reservation was refused. Maps 1:1 onto error codes (workers/errors.ts). */
export type ReserveRefusal =
  | "insufficient_credit"
  | "duplicate_request"
  | "cooldown"
  | "flagged"
  | "unauthorized"
  | "rate_limited";

export type ReserveResult =
  | { ok: true; requestId: string; amount: bigint; expiresAt: number; available: bigint }
  | { ok: false; reason: ReserveRefusal; available?: bigint; retryAfter?: number };

export type AuthenticateResult =
  | { ok: true; keyId: string; wallet: string }
  | { ok: false; reason?: "rate_limited"; retryAfter?: number };

/** What the ledger entry of a confirmed call records besides the money (the DO computes the split). */
export interface LedgerEntryDraft {
  kind: "call" | "task_reward";
  listingId?: string;
  sellerId?: string;
  taskId?: string;
  /** The wallet that receives the payout (the seller's wallet for a call, the solver for a task). */
  payeeWallet: string;
  /** Units metered: 1 per call, or tokens for per-1k-token pricing. */
  units: number;
  /** From the pure fee function (workers/credit/fees.ts): `charge = sellerPayout + platformFee` exactly. */
  sellerPayout: bigint;
  platformFee: bigint;
  /**
   * Epoch ms when the caller metered the charge; becomes the ledger entry's `created_at` (default:
   * the confirm time). The proxy sets it to the timestamp it signed into the call's receipt, so the
   * receipt can be re-issued from the ledger byte for byte.
   */
  occurredAt?: number;
}

export type ConfirmResult =
  | { ok: true; charge: bigint; released: bigint }
  | { ok: false; reason: "unknown_request" | "already_confirmed" | "charge_exceeds_reservation" };

export type RefundResult =
  | { ok: true; released: bigint }
  | { ok: false; reason: "unknown_request" | "already_confirmed" };

/** `GET /v1/balance`, and what every caller may know about a wallet's money. */
export interface Balance {
  /** chain − unsettled − reserved − held − pending withdrawals − settled-not-yet-seen; never overstated, ≥ 0. */
  available: bigint;
  /** The vault's USDC balance at `chainSlot` (the last snapshot). */
  onChain: bigint;
  chainSlot: number | null;
  reserved: bigint;
  /** Confirmed charges not yet collected by settlement. */
  unsettled: bigint;
  /** Escrow holds (bounty board). */
  held: bigint;
  /** Epoch ms until which new reservations are refused (a withdrawal in flight), or null. */
  cooldownUntil: number | null;
  flagged: boolean;
}

export type HoldResult =
  | { ok: true; available: bigint }
  | { ok: false; reason: "insufficient_credit" | "duplicate_hold" | "flagged" | "cooldown"; available?: bigint };

export type WithdrawalStart =
  | { ok: true; available: bigint; cooldownUntil: number }
  | { ok: false; reason: "insufficient_credit" | "cooldown" | "flagged"; available: bigint };

/** How a task escrow's hold ended (bounty board): captured for the solver, or released to the poster. */
export type EscrowOutcome = "captured" | "released";

/** What the poster's WalletDO captures for the solver when a task is approved or auto-released. */
export interface EscrowCapture {
  solver: string;
  /** The task's reward (micro-USDC); the solver receives reward − seller fee. */
  reward: bigint;
}

export type EscrowSettlement =
  /** `already`: it had ended this way before (a repeated approve, or approve racing the alarm). */
  | { ok: true; outcome: EscrowOutcome; already: boolean }
  | { ok: false; reason: "unknown_escrow" | "already_captured" | "already_released" };

/**
 * WalletDO RPC surface (durable-objects/wallet.ts implements it). One object per buyer wallet,
 * `env.WALLET.idFromName(walletAddress)`. API keys are `pgk_<wallet>_<secret>`; the DO stores only
 * SHA-256 hex of the whole key string.
 */
export interface WalletRpc {
  registerKey(wallet: string, keyId: string, keyHash: string): Promise<void>;
  revokeKey(keyId: string): Promise<boolean>;
  /**
   * Checks a key; a valid key also takes a token from the wallet's API bucket (`rate`; default:
   * the DO's own env) — refused with `rate_limited` and seconds to wait when empty.
   */
  authenticate(apiKey: string, rate?: RateConfig): Promise<AuthenticateResult>;
  /** A valid key takes a token from the wallet's call bucket (`rate`) before any credit check. */
  reserve(requestId: string, apiKey: string, amount: bigint, rate?: RateConfig): Promise<ReserveResult>;
  confirm(requestId: string, charge: bigint, entry: LedgerEntryDraft): Promise<ConfirmResult>;
  refund(requestId: string): Promise<RefundResult>;
  balance(): Promise<Balance>;
  hold(holdId: string, amount: bigint): Promise<HoldResult>;
  /** Ends a hold: released back to available, or captured (part or all) into a ledger entry. */
  release(
    holdId: string,
    capture?: { requestId: string; charge: bigint; entry: LedgerEntryDraft },
  ): Promise<{ ok: boolean }>;
  /** Bounty board: holds `amount` for task `taskId` (hold id = task id) and records the escrow. */
  openEscrow(taskId: string, amount: bigint): Promise<HoldResult>;
  /** Ends a task's hold exactly once: captured into the solver's task_reward entry, or released. */
  settleEscrow(taskId: string, how: { capture: EscrowCapture } | { release: true }): Promise<EscrowSettlement>;
  /** The alarm looks at the task at `at` (its review deadline) and auto-releases if still submitted. */
  watchEscrow(taskId: string, at: number): Promise<{ ok: boolean }>;
  /** Clears the check set for review deadline `at` (reject, dispute); a newer one is left alone. */
  unwatchEscrow(taskId: string, at: number): Promise<void>;
  /** Forces a chain snapshot refresh before the next balance decision (after a deposit). */
  invalidate(): Promise<void>;
  setVault(wallet: string, vault: string): Promise<void>;
  applySettlement(batchId: string, amount: bigint, slot: number): Promise<{ applied: boolean }>;
  flag(reason: string): Promise<void>;
  startWithdrawal(withdrawalId: string, amount: bigint, expiresAt: number): Promise<WithdrawalStart>;
  finishWithdrawal(withdrawalId: string, outcome: { landedSlot: number } | { expired: true }): Promise<void>;
}
