import { sql } from "drizzle-orm";
import { check, foreignKey, index, pgTable, text, unique, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import {
  chainHeight,
  createdAt,
  isBase58Address,
  isBase58Signature,
  microUsdc,
  timestamptz,
  updatedAt,
} from "./columns.ts";
import { depositStatus, vaultStatus, withdrawalStatus } from "./enums.ts";
import { wallets } from "./wallets.ts";

/**
 * A buyer's USDC vault: a token account owned by an SPL Token 2-of-2 multisig [buyer, co-signer]
 * with the settlement key approved as delegate (DESIGN §4).
 */
export const vaultAccounts = pgTable(
  "vault_accounts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletAddress: text("wallet_address")
      .notNull()
      .references(() => wallets.address),
    /** The USDC token account deposits go into. */
    vaultAddress: text("vault_address").notNull(),
    multisigAddress: text("multisig_address").notNull(),
    mint: text("mint").notNull(),
    coSigner: text("co_signer").notNull(),
    delegate: text("delegate").notNull(),
    status: vaultStatus("status").notNull().default("pending"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    activatedAt: timestamptz("activated_at"),
  },
  (t) => [
    unique("vault_accounts_vault_address_unique").on(t.vaultAddress),
    unique("vault_accounts_multisig_address_unique").on(t.multisigAddress),
    // Target of the composite foreign keys below: money moves only through the wallet's own vault.
    unique("vault_accounts_wallet_vault_unique").on(t.walletAddress, t.vaultAddress),
    // One live vault per wallet; a closed one may be replaced (e.g. after a co-signer rotation).
    uniqueIndex("vault_accounts_one_live_per_wallet").on(t.walletAddress).where(sql`${t.status} <> 'closed'`),
    check("vault_accounts_vault_address_base58", isBase58Address(t.vaultAddress)),
    check("vault_accounts_multisig_address_base58", isBase58Address(t.multisigAddress)),
    check("vault_accounts_mint_base58", isBase58Address(t.mint)),
    check("vault_accounts_co_signer_base58", isBase58Address(t.coSigner)),
    check("vault_accounts_delegate_base58", isBase58Address(t.delegate)),
  ],
);

/** A verified USDC transfer into a vault. The unique signature is the durable replay guard. */
export const deposits = pgTable(
  "deposits",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    signature: text("signature").notNull(),
    walletAddress: text("wallet_address")
      .notNull()
      .references(() => wallets.address),
    vaultAddress: text("vault_address").notNull(),
    amount: microUsdc("amount").notNull(),
    slot: chainHeight("slot").notNull(),
    status: depositStatus("status").notNull().default("confirmed"),
    createdAt: createdAt(),
  },
  (t) => [
    unique("deposits_signature_unique").on(t.signature),
    foreignKey({
      name: "deposits_wallet_vault_fk",
      columns: [t.walletAddress, t.vaultAddress],
      foreignColumns: [vaultAccounts.walletAddress, vaultAccounts.vaultAddress],
    }),
    check("deposits_signature_base58", isBase58Signature(t.signature)),
    check("deposits_amount_positive", sql`${t.amount} > 0`),
    check("deposits_slot_nonnegative", sql`${t.slot} >= 0`),
    index("deposits_wallet_idx").on(t.walletAddress, t.createdAt),
  ],
);

/**
 * A co-signed withdrawal from the vault. The signature is known once the buyer signs; it is
 * unique when present (NULLs are distinct in a plain unique constraint, so pending rows coexist).
 */
export const withdrawals = pgTable(
  "withdrawals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    walletAddress: text("wallet_address")
      .notNull()
      .references(() => wallets.address),
    vaultAddress: text("vault_address").notNull(),
    amount: microUsdc("amount").notNull(),
    /** The buyer's USDC token account the funds go to. */
    destination: text("destination").notNull(),
    signature: text("signature"),
    /**
     * The co-signer's signature on the built transaction: it covers the whole message, so only the
     * very transaction the gateway co-signed can confirm this withdrawal.
     */
    cosignerSignature: text("cosigner_signature").notNull(),
    /** The transaction cannot land after this block height: the cooldown ends there at the latest. */
    lastValidBlockHeight: chainHeight("last_valid_block_height").notNull(),
    status: withdrawalStatus("status").notNull().default("pending"),
    confirmedSlot: chainHeight("confirmed_slot"),
    error: text("error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    unique("withdrawals_signature_unique").on(t.signature),
    unique("withdrawals_cosigner_signature_unique").on(t.cosignerSignature),
    foreignKey({
      name: "withdrawals_wallet_vault_fk",
      columns: [t.walletAddress, t.vaultAddress],
      foreignColumns: [vaultAccounts.walletAddress, vaultAccounts.vaultAddress],
    }),
    check("withdrawals_amount_positive", sql`${t.amount} > 0`),
    check("withdrawals_destination_base58", isBase58Address(t.destination)),
    check("withdrawals_signature_base58", sql`${t.signature} IS NULL OR ${isBase58Signature(t.signature)}`),
    check("withdrawals_cosigner_signature_base58", isBase58Signature(t.cosignerSignature)),
    check("withdrawals_confirmed_has_signature", sql`${t.status} <> 'confirmed' OR ${t.signature} IS NOT NULL`),
    check("withdrawals_last_valid_block_height_nonnegative", sql`${t.lastValidBlockHeight} >= 0`),
    index("withdrawals_wallet_idx").on(t.walletAddress, t.createdAt),
  ],
);

export type VaultAccount = typeof vaultAccounts.$inferSelect;
export type NewVaultAccount = typeof vaultAccounts.$inferInsert;
export type Deposit = typeof deposits.$inferSelect;
export type NewDeposit = typeof deposits.$inferInsert;
export type Withdrawal = typeof withdrawals.$inferSelect;
export type NewWithdrawal = typeof withdrawals.$inferInsert;
