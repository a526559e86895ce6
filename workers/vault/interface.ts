import { z } from "zod";
import { PositiveMicroUsdc } from "../lib/money.ts";

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
