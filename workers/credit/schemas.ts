/**
 * zod shapes of what arrives over WalletDO RPC (types in interface.ts). The DO parses every
 * argument: a malformed call throws a TypeError naming the field, and changes nothing.
 */
import { z } from "zod";

/** Per-wallet amounts fit SQLite/JS numbers exactly: < 2^53 micro-USDC ≈ 9·10^9 USDC (decision 006). */
export const MAX_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER);

export const Amount = z.bigint().positive().max(MAX_AMOUNT);
export const AmountOrZero = z.bigint().nonnegative().max(MAX_AMOUNT);

/** Same bounds as the ledger's `request_id` CHECK. */
export const RequestId = z.string().min(1).max(128);
/** Hold, batch and withdrawal ids: short opaque strings (uuids in practice). */
export const ObjectId = z.string().min(1).max(128);

/** Why a wallet was flagged: logged and kept in its storage, so short plain text. */
export const FlagReason = z.string().min(1).max(500);

export const WalletAddress = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "not a base58 address");
export const KeyHash = z.string().regex(/^[0-9a-f]{64}$/, "not a lowercase SHA-256 hex digest");
export const Slot = z.int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const EpochMs = z.int().positive().max(Number.MAX_SAFE_INTEGER);

export const LedgerEntryDraftSchema = z
  .strictObject({
    kind: z.enum(["call", "task_reward"]),
    listingId: z.uuid().optional(),
    sellerId: z.uuid().optional(),
    taskId: z.uuid().optional(),
    payeeWallet: WalletAddress,
    units: z.int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    sellerPayout: AmountOrZero,
    platformFee: AmountOrZero,
    occurredAt: EpochMs.optional(),
  })
  // Mirrors the ledger's `ledger_entries_kind_refs` CHECK, so a bad entry is refused at confirm
  // time instead of poisoning the outbox later.
  .refine(
    (e) =>
      e.kind === "call"
        ? e.listingId !== undefined && e.sellerId !== undefined && e.taskId === undefined
        : e.taskId !== undefined && e.listingId === undefined,
    { error: "a call names listingId and sellerId (no taskId); a task_reward names taskId (no listingId)" },
  );

export const WithdrawalOutcome = z.union([
  z.strictObject({ landedSlot: Slot }),
  z.strictObject({ expired: z.literal(true) }),
]);

/** Parses or throws a TypeError listing the failing fields (never the values: they may be secrets). */
export function parseArg<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || what}: ${i.message}`).join("; ");
  throw new TypeError(`invalid ${what}: ${problems}`);
}
