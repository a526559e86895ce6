import {
  type Address,
  getAddressDecoder,
  getBase58Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  type ReadonlyUint8Array,
  type Transaction,
} from "@solana/kit";
import type { LiteSVM } from "litesvm";
import { invalidParams } from "./rpc-error.ts";

/** One compiled instruction: indexes into the transaction's account keys. */
export interface CompiledIx {
  programIdIndex: number;
  accounts: number[];
  data: ReadonlyUint8Array;
}

export interface MessageHeader {
  numRequiredSignatures: number;
  numReadonlySignedAccounts: number;
  numReadonlyUnsignedAccounts: number;
}

export interface AddressTableLookupJson {
  accountKey: Address;
  writableIndexes: number[];
  readonlyIndexes: number[];
}

/** A wire transaction taken apart into what the RPC methods need. */
export interface DecodedTransaction {
  wire: Uint8Array;
  transaction: Transaction;
  /** The fee payer's signature, i.e. the transaction id (all '1's when unsigned). */
  signature: string;
  signatures: string[];
  version: "legacy" | 0;
  header: MessageHeader;
  staticAccounts: Address[];
  recentBlockhash: string;
  instructions: CompiledIx[];
  addressTableLookups: AddressTableLookupJson[];
  loadedAddresses: { writable: Address[]; readonly: Address[] };
  /** Static keys, then addresses loaded from lookup tables (writable first), as the runtime orders them. */
  accountKeys: Address[];
}

const EMPTY_SIGNATURE = new Uint8Array(64);
// An address lookup table account: 56 bytes of metadata, then 32-byte addresses.
const LOOKUP_TABLE_META_SIZE = 56;

export function decodeWireTransaction(svm: LiteSVM, wire: Uint8Array): DecodedTransaction {
  let transaction: Transaction;
  let message: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>["decode"]>;
  try {
    transaction = getTransactionDecoder().decode(wire);
    message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  } catch (error) {
    throw invalidParams(`failed to deserialize transaction: ${(error as Error).message}`);
  }
  if (message.version === 1) throw invalidParams("transaction version 1 is not supported by the local RPC");
  const header: MessageHeader = {
    numRequiredSignatures: message.header.numSignerAccounts,
    numReadonlySignedAccounts: message.header.numReadonlySignerAccounts,
    numReadonlyUnsignedAccounts: message.header.numReadonlyNonSignerAccounts,
  };
  const staticAccounts = [...message.staticAccounts];
  const base58 = getBase58Decoder();
  const signatures = staticAccounts
    .slice(0, header.numRequiredSignatures)
    .map((signer) => base58.decode(transaction.signatures[signer] ?? EMPTY_SIGNATURE));
  const lookups = message.version === 0 ? (message.addressTableLookups ?? []) : [];
  const addressTableLookups = lookups.map((lookup) => ({
    accountKey: lookup.lookupTableAddress,
    writableIndexes: [...lookup.writableIndexes],
    readonlyIndexes: [...lookup.readonlyIndexes],
  }));
  const loadedAddresses = loadAddresses(svm, addressTableLookups);
  return {
    wire,
    transaction,
    signature: signatures[0] ?? base58.decode(EMPTY_SIGNATURE),
    signatures,
    version: message.version,
    header,
    staticAccounts,
    recentBlockhash: message.lifetimeToken,
    instructions: message.instructions.map((ix) => ({
      programIdIndex: ix.programAddressIndex,
      accounts: [...(ix.accountIndices ?? [])],
      data: ix.data ?? new Uint8Array(0),
    })),
    addressTableLookups,
    loadedAddresses,
    accountKeys: [...staticAccounts, ...loadedAddresses.writable, ...loadedAddresses.readonly],
  };
}

/** Resolves lookup-table indexes to addresses; a missing table or index is left for LiteSVM to reject. */
function loadAddresses(svm: LiteSVM, lookups: AddressTableLookupJson[]): DecodedTransaction["loadedAddresses"] {
  const writable: Address[] = [];
  const readonly: Address[] = [];
  const addressDecoder = getAddressDecoder();
  for (const lookup of lookups) {
    const table = svm.getAccount(lookup.accountKey);
    if (!table.exists) continue;
    const at = (index: number): Address | undefined => {
      const start = LOOKUP_TABLE_META_SIZE + index * 32;
      return start + 32 <= table.data.length
        ? addressDecoder.decode(table.data.subarray(start, start + 32))
        : undefined;
    };
    for (const index of lookup.writableIndexes) {
      const found = at(index);
      if (found) writable.push(found);
    }
    for (const index of lookup.readonlyIndexes) {
      const found = at(index);
      if (found) readonly.push(found);
    }
  }
  return { writable, readonly };
}

/** Whether account `index` is writable / a signer, from the message header (static keys) or its table section. */
export function accountRole(tx: DecodedTransaction, index: number): { signer: boolean; writable: boolean } {
  const { numRequiredSignatures, numReadonlySignedAccounts, numReadonlyUnsignedAccounts } = tx.header;
  const staticCount = tx.staticAccounts.length;
  if (index >= staticCount)
    return { signer: false, writable: index < staticCount + tx.loadedAddresses.writable.length };
  if (index < numRequiredSignatures) {
    return { signer: true, writable: index < numRequiredSignatures - numReadonlySignedAccounts };
  }
  return { signer: false, writable: index < staticCount - numReadonlyUnsignedAccounts };
}
