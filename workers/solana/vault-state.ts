/**
 * Reads a vault from chain and checks that it is really the safe shape before the gateway counts a
 * cent in it: a USDC token account owned by a 2-of-2 SPL Token multisig [buyer, co-signer] with the
 * settlement key as delegate for at least its whole balance. Anything else — a look-alike the
 * buyer built alone, a revoked delegate, a frozen account — is `unsafe`, with every problem named.
 */
import {
  type Address,
  type Commitment,
  type GetMultipleAccountsApi,
  getBase64Encoder,
  isSome,
  type ReadonlyUint8Array,
  type Rpc,
} from "@solana/kit";
import {
  AccountState,
  getMultisigDecoder,
  getMultisigSize,
  getTokenDecoder,
  getTokenSize,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";

export type VaultProblem =
  | "not_token_account"
  | "wrong_mint"
  | "not_initialized"
  | "close_authority_set"
  | "owner_not_multisig"
  | "multisig_missing"
  | "multisig_not_2_of_2"
  | "multisig_wrong_signers"
  | "wrong_delegate"
  | "allowance_too_low";

export type VaultState =
  | { status: "missing"; slot: bigint }
  | { status: "unsafe"; problems: VaultProblem[]; slot: bigint }
  | {
      status: "ok";
      vault: Address;
      multisig: Address;
      mint: Address;
      /** Micro-USDC in the vault at `slot`. */
      amount: bigint;
      delegate: Address;
      /** What the settlement key may still move (starts at u64::MAX). */
      delegatedAmount: bigint;
      slot: bigint;
    };

/** An account as read from chain: its owning program and raw data. */
export interface RawAccount {
  programAddress: Address;
  data: ReadonlyUint8Array;
}

export interface VaultExpectation {
  vault: Address;
  multisig: Address;
  buyer: Address;
  usdcMint: Address;
  cosigner: Address;
  settlement: Address;
}

/** Judges the two accounts (pure). `null` means the account does not exist. */
export function judgeVault(
  vaultAccount: RawAccount | null,
  multisigAccount: RawAccount | null,
  expected: VaultExpectation,
  slot: bigint,
): VaultState {
  if (!vaultAccount) return { status: "missing", slot };
  if (vaultAccount.programAddress !== TOKEN_PROGRAM_ADDRESS || vaultAccount.data.length !== getTokenSize()) {
    return { status: "unsafe", problems: ["not_token_account"], slot };
  }
  const token = getTokenDecoder().decode(vaultAccount.data);
  const problems: VaultProblem[] = [];
  if (token.mint !== expected.usdcMint) problems.push("wrong_mint");
  if (token.state !== AccountState.Initialized) problems.push("not_initialized");
  if (isSome(token.closeAuthority)) problems.push("close_authority_set");
  if (token.owner !== expected.multisig) problems.push("owner_not_multisig");
  if (
    !multisigAccount ||
    multisigAccount.programAddress !== TOKEN_PROGRAM_ADDRESS ||
    multisigAccount.data.length !== getMultisigSize()
  ) {
    problems.push("multisig_missing");
  } else {
    const multisig = getMultisigDecoder().decode(multisigAccount.data);
    if (!multisig.isInitialized || multisig.m !== 2 || multisig.n !== 2) problems.push("multisig_not_2_of_2");
    const signers = new Set(multisig.signers.slice(0, multisig.n));
    if (signers.size !== 2 || !signers.has(expected.buyer) || !signers.has(expected.cosigner)) {
      problems.push("multisig_wrong_signers");
    }
  }
  const delegate = isSome(token.delegate) ? token.delegate.value : null;
  if (delegate !== expected.settlement) problems.push("wrong_delegate");
  // Settlement must be able to collect everything the gateway could credit.
  else if (token.delegatedAmount < token.amount) problems.push("allowance_too_low");
  if (problems.length > 0 || delegate === null) return { status: "unsafe", problems, slot };
  return {
    status: "ok",
    vault: expected.vault,
    multisig: expected.multisig,
    mint: token.mint,
    amount: token.amount,
    delegate,
    delegatedAmount: token.delegatedAmount,
    slot,
  };
}

/**
 * Reads the vault and its multisig in one round trip (default commitment `confirmed`: a landed
 * withdrawal shows at once, so the balance errs low rather than high) and judges them.
 *
 * @example
 * const state = await readVault({ rpc, vault, multisig, buyer: wallet, usdcMint: env.USDC_MINT,
 *   cosigner: keys.cosigner.address, settlement: keys.settlement.address });
 * if (state.status === "ok") snapshot(state.amount, state.slot);
 */
export async function readVault(
  input: VaultExpectation & { rpc: Rpc<GetMultipleAccountsApi>; commitment?: Commitment },
): Promise<VaultState> {
  const { context, value } = await input.rpc
    .getMultipleAccounts([input.vault, input.multisig], {
      encoding: "base64",
      commitment: input.commitment ?? "confirmed",
    })
    .send();
  const base64 = getBase64Encoder();
  const [vault, multisig] = value.map((account) =>
    account ? { programAddress: account.owner, data: base64.encode(account.data[0]) } : null,
  );
  return judgeVault(vault ?? null, multisig ?? null, input, context.slot);
}
