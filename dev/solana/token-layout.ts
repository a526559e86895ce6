import type { Address, Option, ReadonlyUint8Array } from "@solana/kit";
import { isSome } from "@solana/kit";
import {
  AccountState,
  getMintDecoder,
  getMultisigDecoder,
  getTokenDecoder,
  type Mint,
  type Multisig,
  type Token,
} from "@solana-program/token";
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAMS } from "./constants.ts";

// Base layouts shared by SPL Token and Token-2022. Token-2022 accounts with extensions are longer:
// byte 165 then holds the account type (1 = mint, 2 = account). Extensions themselves are not parsed.
const ACCOUNT_SIZE = 165;
const MINT_SIZE = 82;
const MULTISIG_SIZE = 355;
const ACCOUNT_TYPE_MINT = 1;
const ACCOUNT_TYPE_ACCOUNT = 2;

export type TokenProgramAccount =
  | { kind: "account"; token: Token }
  | { kind: "mint"; mint: Mint }
  | { kind: "multisig"; multisig: Multisig };

/** Decodes an SPL Token / Token-2022 account (token account, mint or multisig); undefined for anything else. */
export function decodeTokenProgramAccount(owner: Address, data: ReadonlyUint8Array): TokenProgramAccount | undefined {
  if (!TOKEN_PROGRAMS.has(owner)) return undefined;
  const extended = owner === TOKEN_2022_PROGRAM && data.length > ACCOUNT_SIZE;
  if (data.length === ACCOUNT_SIZE || (extended && data[ACCOUNT_SIZE] === ACCOUNT_TYPE_ACCOUNT)) {
    const token = getTokenDecoder().decode(data.subarray(0, ACCOUNT_SIZE));
    return token.state === AccountState.Uninitialized ? undefined : { kind: "account", token };
  }
  if (data.length === MINT_SIZE || (extended && data[ACCOUNT_SIZE] === ACCOUNT_TYPE_MINT)) {
    const mint = getMintDecoder().decode(data.subarray(0, MINT_SIZE));
    return mint.isInitialized ? { kind: "mint", mint } : undefined;
  }
  if (data.length === MULTISIG_SIZE) {
    const multisig = getMultisigDecoder().decode(data);
    return multisig.isInitialized ? { kind: "multisig", multisig } : undefined;
  }
  return undefined;
}

/** `UiTokenAmount` as the RPC returns it: the raw amount as a string, plus decimal renderings. */
export interface UiTokenAmount {
  amount: string;
  decimals: number;
  uiAmount: number;
  uiAmountString: string;
}

export function uiTokenAmount(amount: bigint, decimals: number): UiTokenAmount {
  return {
    amount: amount.toString(),
    decimals,
    uiAmount: Number(amount) / 10 ** decimals,
    uiAmountString: formatUiAmount(amount, decimals),
  };
}

/** Exact decimal string without trailing zeros, e.g. 1500000 with 6 decimals → "1.5". */
export function formatUiAmount(amount: bigint, decimals: number): string {
  if (decimals === 0) return amount.toString();
  const digits = amount.toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals).replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : whole;
}

export function optionToNullable<T>(option: Option<T>): T | null {
  return isSome(option) ? option.value : null;
}
