/**
 * Vault creation (DESIGN §4). A vault is the USDC associated token account of a fresh SPL Token
 * multisig, 2-of-2 [buyer, platform co-signer], with the platform's settlement key approved as
 * delegate for everything. One transaction does it all, so a vault never exists half-made:
 *
 *   1. System createAccount: the multisig account (rent paid by the buyer)
 *   2. Token initializeMultisig2: m = 2, signers [buyer, co-signer]
 *   3. ATA createIdempotent: the vault, owner = the multisig
 *   4. Token approveChecked: delegate = settlement key, u64::MAX, signed by the multisig (both signers)
 *
 * The buyer pays the fees and signs last; the gateway signs as the multisig account (a key used once
 * and dropped) and as co-signer.
 */
import {
  type Address,
  createNoopSigner,
  type GetLatestBlockhashApi,
  type GetMinimumBalanceForRentExemptionApi,
  generateKeyPairSigner,
  type Rpc,
  type TransactionSigner,
} from "@solana/kit";
import { getCreateAccountInstruction } from "@solana-program/system";
import {
  findAssociatedTokenPda,
  getApproveCheckedInstruction,
  getCreateAssociatedTokenIdempotentInstruction,
  getInitializeMultisig2Instruction,
  getMultisigSize,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import { UNLIMITED_ALLOWANCE, USDC_DECIMALS } from "./constants.ts";
import { type BuyerTransaction, partiallySignForBuyer } from "./transactions.ts";

export interface VaultCreation extends BuyerTransaction {
  /** The vault: USDC token account that deposits go into. */
  vault: Address;
  /** The 2-of-2 multisig that owns the vault. */
  multisig: Address;
}

/** The USDC associated token account of `owner`. */
export async function usdcAccountOf(owner: Address, usdcMint: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint: usdcMint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

/**
 * Builds the vault-creation transaction, signed by the platform, for the buyer to sign and send.
 *
 * @example
 * const { cosigner, settlement } = await loadPlatformKeys(env);
 * const created = await buildVaultCreation({
 *   rpc, buyer: wallet, usdcMint: env.USDC_MINT, cosigner, settlement: settlement.address,
 * });
 * // store created.vault + created.multisig as a pending vault, return created.transaction to the buyer
 */
export async function buildVaultCreation(input: {
  rpc: Rpc<GetLatestBlockhashApi & GetMinimumBalanceForRentExemptionApi>;
  buyer: Address;
  usdcMint: Address;
  cosigner: TransactionSigner;
  settlement: Address;
}): Promise<VaultCreation> {
  const { rpc, usdcMint, cosigner, settlement } = input;
  if (input.buyer === cosigner.address || input.buyer === settlement) {
    throw new Error("a platform key cannot own a vault");
  }
  const buyer = createNoopSigner(input.buyer);
  const space = getMultisigSize();
  const [multisig, rent] = await Promise.all([
    generateKeyPairSigner(),
    rpc.getMinimumBalanceForRentExemption(BigInt(space), { commitment: "confirmed" }).send(),
  ]);
  const vault = await usdcAccountOf(multisig.address, usdcMint);
  const signed = await partiallySignForBuyer({
    rpc,
    buyer,
    instructions: [
      getCreateAccountInstruction({
        payer: buyer,
        newAccount: multisig,
        lamports: rent,
        space,
        programAddress: TOKEN_PROGRAM_ADDRESS,
      }),
      getInitializeMultisig2Instruction({
        multisig: multisig.address,
        m: 2,
        signers: [buyer.address, cosigner.address],
      }),
      getCreateAssociatedTokenIdempotentInstruction({
        payer: buyer,
        ata: vault,
        owner: multisig.address,
        mint: usdcMint,
      }),
      getApproveCheckedInstruction({
        source: vault,
        mint: usdcMint,
        delegate: settlement,
        owner: multisig.address,
        amount: UNLIMITED_ALLOWANCE,
        decimals: USDC_DECIMALS,
        multiSigners: [buyer, cosigner],
      }),
    ],
  });
  return { ...signed, vault, multisig: multisig.address };
}
