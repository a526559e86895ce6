import { type Address, getBase58Decoder, getBase64Decoder, type ReadonlyUint8Array } from "@solana/kit";
import type { ExecutionDetails, TransactionRecord } from "./chain.ts";
import { accountRole, type DecodedTransaction } from "./decoded-transaction.ts";
import { parseInstruction } from "./instruction-parser.ts";
import { RpcCode, RpcError } from "./rpc-error.ts";

export type TransactionEncoding = "json" | "jsonParsed" | "base64" | "base58";

interface InstructionLike {
  programIdIndex: number;
  accounts: readonly number[];
  data: ReadonlyUint8Array;
  stackHeight: number | null;
}

/** The getTransaction result for a landed transaction. */
export function encodeTransactionRecord(
  record: TransactionRecord,
  encoding: TransactionEncoding,
  maxSupportedTransactionVersion: number | undefined,
): Record<string, unknown> {
  const { tx } = record;
  if (
    tx.version !== "legacy" &&
    (maxSupportedTransactionVersion === undefined || tx.version > maxSupportedTransactionVersion)
  ) {
    // Same refusal as a real validator, so a client that forgets the option fails locally too.
    throw new RpcError(
      RpcCode.unsupportedTransactionVersion,
      `Transaction version (${tx.version}) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": ${tx.version}`,
    );
  }
  const result: Record<string, unknown> = {
    slot: record.slot,
    blockTime: record.blockTime,
    transaction: encodeTransaction(tx, encoding),
    meta: encodeMeta(record, encoding),
  };
  if (maxSupportedTransactionVersion !== undefined) result.version = tx.version;
  return result;
}

function encodeTransaction(tx: DecodedTransaction, encoding: TransactionEncoding): unknown {
  if (encoding === "base64") return [getBase64Decoder().decode(tx.wire), "base64"];
  if (encoding === "base58") return [getBase58Decoder().decode(tx.wire), "base58"];
  const parsed = encoding === "jsonParsed";
  const message: Record<string, unknown> = {
    accountKeys: parsed
      ? tx.accountKeys.map((pubkey, index) => ({
          pubkey,
          ...accountRole(tx, index),
          source: index < tx.staticAccounts.length ? "transaction" : "lookupTable",
        }))
      : tx.staticAccounts,
    header: parsed ? undefined : tx.header,
    recentBlockhash: tx.recentBlockhash,
    instructions: tx.instructions.map((ix) => encodeInstruction(tx.accountKeys, { ...ix, stackHeight: null }, parsed)),
  };
  if (tx.version === 0) message.addressTableLookups = tx.addressTableLookups;
  return { signatures: tx.signatures, message };
}

function encodeMeta(record: TransactionRecord, encoding: TransactionEncoding): Record<string, unknown> {
  const parsed = encoding === "jsonParsed";
  return {
    err: record.err,
    status: record.err === null ? { Ok: null } : { Err: record.err },
    fee: record.fee,
    preBalances: record.preBalances,
    postBalances: record.postBalances,
    innerInstructions: encodeInnerInstructions(record.tx.accountKeys, record.innerInstructions, parsed),
    logMessages: record.logs,
    preTokenBalances: record.preTokenBalances,
    postTokenBalances: record.postTokenBalances,
    rewards: [],
    loadedAddresses: parsed ? undefined : record.tx.loadedAddresses,
    returnData: encodeReturnData(record.returnData),
    computeUnitsConsumed: record.computeUnitsConsumed,
  };
}

export function encodeInnerInstructions(
  accountKeys: readonly Address[],
  inner: ExecutionDetails["innerInstructions"],
  parsed: boolean,
): unknown[] {
  return inner.map(({ index, instructions }) => ({
    index,
    instructions: instructions.map((ix) => encodeInstruction(accountKeys, ix, parsed)),
  }));
}

export function encodeReturnData(returnData: ExecutionDetails["returnData"]): unknown {
  if (!returnData) return undefined;
  return { programId: returnData.programId, data: [getBase64Decoder().decode(returnData.data), "base64"] };
}

function encodeInstruction(
  accountKeys: readonly Address[],
  ix: InstructionLike,
  parsed: boolean,
): Record<string, unknown> {
  const data = getBase58Decoder().decode(ix.data);
  if (!parsed) return { programIdIndex: ix.programIdIndex, accounts: ix.accounts, data, stackHeight: ix.stackHeight };
  const programId = accountKeys[ix.programIdIndex] ?? "";
  const accounts = ix.accounts.map((index) => accountKeys[index] ?? "");
  const known = parseInstruction(programId as Address, accounts as Address[], ix.data);
  if (known) return { ...known, programId, stackHeight: ix.stackHeight };
  return { accounts, data, programId, stackHeight: ix.stackHeight };
}

/** `getSignaturesForAddress` memo field: each memo as `[<byte length>] <text>`, joined by "; " (agave's format). */
export function memoSummary(tx: DecodedTransaction): string | null {
  const memos: string[] = [];
  for (const ix of tx.instructions) {
    const programId = tx.accountKeys[ix.programIdIndex];
    if (!programId) continue;
    const parsed = parseInstruction(programId, [], ix.data);
    if (parsed?.program === "spl-memo") memos.push(`[${ix.data.length}] ${String(parsed.parsed)}`);
  }
  return memos.length > 0 ? memos.join("; ") : null;
}
