import {
  type Address,
  type EncodedAccount,
  getAddressDecoder,
  getCompiledTransactionMessageDecoder,
  getCompiledTransactionMessageEncoder,
  signature,
  type Transaction,
} from "@solana/kit";
import { FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from "litesvm";
import { BlockClock } from "./blocks.ts";
import { type DecodedTransaction, decodeWireTransaction } from "./decoded-transaction.ts";
import { transactionFee } from "./fees.ts";
import { snapshotLamports, snapshotTokenBalances, type TokenBalance } from "./token-balances.ts";
import { type TransactionErrorJson, transactionErrorToJson } from "./tx-errors.ts";

export interface RawInnerInstruction {
  programIdIndex: number;
  accounts: number[];
  data: Uint8Array;
  stackHeight: number;
}

export interface ExecutionDetails {
  logs: string[];
  innerInstructions: { index: number; instructions: RawInnerInstruction[] }[];
  computeUnitsConsumed: bigint;
  returnData: { programId: Address; data: Uint8Array } | null;
}

/** Everything getTransaction and friends report about a landed transaction. */
export interface TransactionRecord extends ExecutionDetails {
  tx: DecodedTransaction;
  slot: bigint;
  blockTime: number;
  err: TransactionErrorJson | null;
  fee: bigint;
  preBalances: bigint[];
  postBalances: bigint[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
}

export type SubmitOutcome = { landed: true; record: TransactionRecord } | { landed: false; err: TransactionErrorJson };

export interface SimulationOutcome extends ExecutionDetails {
  err: TransactionErrorJson | null;
  fee: bigint;
  /** Account states after the simulated transaction (only the transaction's own accounts). */
  postAccounts: EncodedAccount[];
  replacementBlockhash?: { blockhash: string; lastValidBlockHeight: bigint };
}

/**
 * The local chain: a LiteSVM instance plus what a validator's ledger would remember and LiteSVM
 * does not (slots, blockhash ages, per-transaction balances, signatures per address).
 * All methods are synchronous so that a transaction's before/after snapshots cannot interleave.
 */
export class LocalChain {
  readonly svm: LiteSVM;
  readonly blocks: BlockClock;
  readonly #records = new Map<string, TransactionRecord>();
  readonly #signaturesByAddress = new Map<Address, string[]>();

  constructor() {
    this.svm = new LiteSVM();
    this.blocks = new BlockClock(this.svm);
  }

  get transactionCount(): number {
    return this.#records.size;
  }

  decode(wire: Uint8Array): DecodedTransaction {
    return decodeWireTransaction(this.svm, wire);
  }

  getRecord(signature: string): TransactionRecord | undefined {
    return this.#records.get(signature);
  }

  /** Signatures that touched `address`, oldest first. */
  signaturesFor(address: Address): readonly string[] {
    return this.#signaturesByAddress.get(address) ?? [];
  }

  simulate(
    tx: DecodedTransaction,
    options: { sigVerify: boolean; replaceRecentBlockhash: boolean },
  ): SimulationOutcome {
    const fee = transactionFee(tx.header.numRequiredSignatures, tx.accountKeys, tx.instructions);
    let transaction = tx.transaction;
    let replacementBlockhash: SimulationOutcome["replacementBlockhash"];
    if (options.replaceRecentBlockhash) {
      replacementBlockhash = this.blocks.latestBlockhash();
      transaction = withBlockhash(transaction, replacementBlockhash.blockhash);
    } else if (!this.blocks.isBlockhashValid(tx.recentBlockhash)) {
      return { ...emptyExecution(), err: "BlockhashNotFound", fee, postAccounts: [] };
    }
    // LiteSVM's sigverify is a global switch; simulations skip it unless asked, like the real RPC.
    this.svm.withSigverify(options.sigVerify);
    try {
      const result = this.svm.simulateTransaction(transaction);
      if (result instanceof FailedTransactionMetadata) {
        return { ...executionDetails(result.meta()), err: transactionErrorToJson(result.err()), fee, postAccounts: [] };
      }
      return {
        ...executionDetails(result.meta()),
        err: null,
        fee,
        postAccounts: result.postAccounts(),
        replacementBlockhash,
      };
    } catch {
      return { ...emptyExecution(), err: "SignatureFailure", fee, postAccounts: [] };
    } finally {
      this.svm.withSigverify(true);
    }
  }

  /**
   * Executes a transaction for real. It "lands" (gets a slot, is charged its fee and is recorded)
   * exactly when LiteSVM commits it, successful or not — as on a validator, where a failed
   * instruction still lands but a bad signature or unknown blockhash never does.
   */
  submit(tx: DecodedTransaction): SubmitOutcome {
    if (this.#records.has(tx.signature)) return { landed: false, err: "AlreadyProcessed" };
    if (!this.blocks.isBlockhashValid(tx.recentBlockhash)) return { landed: false, err: "BlockhashNotFound" };
    // The transaction gets its own block: programs reading the Clock see the slot it lands in.
    this.blocks.advance();
    const preBalances = snapshotLamports(this.svm, tx.accountKeys);
    const preTokenBalances = snapshotTokenBalances(this.svm, tx.accountKeys);
    let result: TransactionMetadata | FailedTransactionMetadata;
    try {
      result = this.svm.sendTransaction(tx.transaction);
    } catch {
      return { landed: false, err: "SignatureFailure" };
    }
    const err = result instanceof FailedTransactionMetadata ? transactionErrorToJson(result.err()) : null;
    if (this.svm.getTransaction(signature(tx.signature)) === null) {
      return { landed: false, err: err ?? "SanitizeFailure" };
    }
    const meta = result instanceof FailedTransactionMetadata ? result.meta() : result;
    const record: TransactionRecord = {
      ...executionDetails(meta),
      tx,
      slot: this.blocks.slot,
      blockTime: Math.floor(Date.now() / 1000),
      err,
      fee: transactionFee(tx.header.numRequiredSignatures, tx.accountKeys, tx.instructions),
      preBalances,
      postBalances: snapshotLamports(this.svm, tx.accountKeys),
      preTokenBalances,
      postTokenBalances: snapshotTokenBalances(this.svm, tx.accountKeys),
    };
    this.#records.set(tx.signature, record);
    for (const key of new Set(tx.accountKeys)) {
      const list = this.#signaturesByAddress.get(key) ?? [];
      list.push(tx.signature);
      this.#signaturesByAddress.set(key, list);
    }
    return { landed: true, record };
  }
}

function withBlockhash(transaction: Transaction, blockhash: string): Transaction {
  const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  const messageBytes = getCompiledTransactionMessageEncoder().encode({ ...message, lifetimeToken: blockhash });
  return { ...transaction, messageBytes: messageBytes as Transaction["messageBytes"] };
}

function emptyExecution(): ExecutionDetails {
  return { logs: [], innerInstructions: [], computeUnitsConsumed: 0n, returnData: null };
}

function executionDetails(meta: TransactionMetadata): ExecutionDetails {
  const innerInstructions = meta
    .innerInstructions()
    .map((list, index) => ({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction();
        return {
          programIdIndex: ix.programIdIndex(),
          accounts: [...ix.accounts()],
          data: ix.data(),
          stackHeight: inner.stackHeight(),
        };
      }),
    }))
    .filter((entry) => entry.instructions.length > 0);
  const returned = meta.returnData();
  const returnDataBytes = returned.data();
  return {
    logs: meta.logs(),
    innerInstructions,
    computeUnitsConsumed: meta.computeUnitsConsumed(),
    returnData:
      returnDataBytes.length > 0
        ? { programId: getAddressDecoder().decode(returned.programId()), data: returnDataBytes }
        : null,
  };
}
