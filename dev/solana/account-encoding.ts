import { zstdCompressSync } from "node:zlib";
import { type Address, type EncodedAccount, getBase58Decoder, getBase64Decoder } from "@solana/kit";
import { AccountState } from "@solana-program/token";
import type { LiteSVM } from "litesvm";
import { RENT_EPOCH_EXEMPT, TOKEN_2022_PROGRAM } from "./constants.ts";
import { invalidParams } from "./rpc-error.ts";
import { mintDecimals } from "./token-balances.ts";
import { decodeTokenProgramAccount, optionToNullable, uiTokenAmount } from "./token-layout.ts";

export type AccountEncoding = "binary" | "base58" | "base64" | "base64+zstd" | "jsonParsed";

export interface AccountEncodingOptions {
  encoding?: AccountEncoding;
  dataSlice?: { offset: number; length: number };
}

/** An account as getAccountInfo / getMultipleAccounts / getTokenAccountsByOwner return it. */
export function encodeAccount(
  svm: LiteSVM,
  account: EncodedAccount,
  options: AccountEncodingOptions,
): Record<string, unknown> {
  return {
    data: encodeData(svm, account, options),
    executable: account.executable,
    lamports: account.lamports,
    owner: account.programAddress,
    rentEpoch: RENT_EPOCH_EXEMPT,
    space: account.space,
  };
}

function encodeData(svm: LiteSVM, account: EncodedAccount, options: AccountEncodingOptions): unknown {
  const encoding = options.encoding ?? "binary";
  if (encoding === "jsonParsed") {
    const parsed = parseAccount(svm, account);
    if (parsed) return { ...parsed, space: Number(account.space) };
    // Like the real RPC: accounts without a parser come back base64-encoded.
    return [getBase64Decoder().decode(account.data), "base64"];
  }
  let bytes = account.data;
  if (options.dataSlice)
    bytes = bytes.subarray(options.dataSlice.offset, options.dataSlice.offset + options.dataSlice.length);
  switch (encoding) {
    case "binary":
      return getBase58Decoder().decode(bytes);
    case "base58":
      return [getBase58Decoder().decode(bytes), "base58"];
    case "base64":
      return [getBase64Decoder().decode(bytes), "base64"];
    case "base64+zstd":
      return [Buffer.from(zstdCompressSync(new Uint8Array(bytes))).toString("base64"), "base64+zstd"];
    default:
      throw invalidParams(`unsupported encoding ${String(encoding)}`);
  }
}

/** `{program, parsed: {type, info}}` for SPL Token / Token-2022 accounts, mints and multisigs. */
function parseAccount(svm: LiteSVM, account: EncodedAccount): { program: string; parsed: unknown } | undefined {
  const decoded = decodeTokenProgramAccount(account.programAddress, account.data);
  if (!decoded) return undefined;
  const program = account.programAddress === TOKEN_2022_PROGRAM ? "spl-token-2022" : "spl-token";
  switch (decoded.kind) {
    case "account": {
      const { token } = decoded;
      const decimals = mintDecimals(svm, token.mint);
      if (decimals === undefined) return undefined;
      const delegate = optionToNullable(token.delegate);
      const nativeReserve = optionToNullable(token.isNative);
      const closeAuthority = optionToNullable(token.closeAuthority);
      const info: Record<string, unknown> = {
        isNative: nativeReserve !== null,
        mint: token.mint,
        owner: token.owner,
        state: token.state === AccountState.Frozen ? "frozen" : "initialized",
        tokenAmount: uiTokenAmount(token.amount, decimals),
      };
      if (delegate !== null) {
        info.delegate = delegate;
        info.delegatedAmount = uiTokenAmount(token.delegatedAmount, decimals);
      }
      if (nativeReserve !== null) info.rentExemptReserve = uiTokenAmount(nativeReserve, decimals);
      if (closeAuthority !== null) info.closeAuthority = closeAuthority;
      return { program, parsed: { type: "account", info } };
    }
    case "mint": {
      const { mint } = decoded;
      return {
        program,
        parsed: {
          type: "mint",
          info: {
            decimals: mint.decimals,
            freezeAuthority: optionToNullable(mint.freezeAuthority),
            isInitialized: mint.isInitialized,
            mintAuthority: optionToNullable(mint.mintAuthority),
            supply: mint.supply.toString(),
          },
        },
      };
    }
    case "multisig": {
      const { multisig } = decoded;
      return {
        program,
        parsed: {
          type: "multisig",
          info: {
            isInitialized: multisig.isInitialized,
            numRequiredSigners: multisig.m,
            numValidSigners: multisig.n,
            signers: multisig.signers.slice(0, multisig.n),
          },
        },
      };
    }
  }
}

/** Reads an account; null when it does not exist (what the RPC returns as `value: null`). */
export function readAccount(svm: LiteSVM, address: Address): EncodedAccount | null {
  const account = svm.getAccount(address);
  return account.exists ? account : null;
}
