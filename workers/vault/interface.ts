import { z } from "zod";
import { MicroUsdc, PositiveMicroUsdc } from "../lib/money.ts";

/** A transaction signature: base58 of 64 bytes. */
export const TransactionSignature = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]{64,88}$/, "not a base58 transaction signature");

export const DepositBody = z.strictObject({ signature: TransactionSignature });
export const WithdrawalBody = z.strictObject({ amount: PositiveMicroUsdc });
export const WithdrawalConfirmBody = z.strictObject({ signature: TransactionSignature });
export const WithdrawalParams = z.object({ id: z.uuid() });

/** How long a withdrawal blocks new reservations at most: beyond the ~150-block blockhash lifetime at slot times up to 1 s. */
export const WITHDRAWAL_COOLDOWN_MS = 150_000;

// ── Responses (amounts: micro-USDC decimal strings) ───────────────────────────────────────────

const Iso = z.iso.datetime();

export const DepositView = z.object({
  id: z.uuid(),
  signature: z.string(),
  amount: MicroUsdc,
  slot: z.int(),
  createdAt: Iso,
});
export const DepositRecorded = DepositView.extend({ vault: z.string() });
export const DepositList = z.object({ deposits: z.array(DepositView) });

export const VaultCreated = z.object({
  vault: z.string(),
  multisig: z.string(),
  /** The vault-creation transaction, already signed by the platform: sign it (fee payer) and send it. */
  transaction: z.string(),
  encoding: z.literal("base64"),
  blockhash: z.string(),
  lastValidBlockHeight: z.string(),
  next: z.string(),
});

export const VaultView = z.object({
  vault: z.string(),
  multisig: z.string(),
  status: z.enum(["pending", "active", "closed"]),
  mint: z.string(),
  coSigner: z.string(),
  delegate: z.string(),
  onChain: z.discriminatedUnion("status", [
    z.object({ status: z.literal("ok"), amount: MicroUsdc, slot: z.number() }),
    z.object({ status: z.literal("unsafe"), problems: z.array(z.string()), slot: z.number() }),
    z.object({ status: z.literal("missing"), slot: z.number() }),
  ]),
  deposit: z.object({ address: z.string(), mint: z.string(), decimals: z.literal(6), howTo: z.string() }),
});

export const WithdrawalStarted = z.object({
  id: z.uuid(),
  amount: MicroUsdc,
  destination: z.string(),
  /** Co-signed by the platform: sign it with the wallet and send it, then confirm. */
  transaction: z.string(),
  encoding: z.literal("base64"),
  lastValidBlockHeight: z.string(),
  cooldownUntil: Iso,
  next: z.string(),
});

export const WithdrawalView = z.object({
  id: z.uuid(),
  amount: MicroUsdc,
  destination: z.string(),
  status: z.enum(["pending", "submitted", "confirmed", "expired", "failed"]),
  signature: z.string().nullable(),
  confirmedSlot: z.number().nullable(),
  lastValidBlockHeight: z.string(),
  createdAt: Iso,
});
export const WithdrawalList = z.object({ withdrawals: z.array(WithdrawalView) });
