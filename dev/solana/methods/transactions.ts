import type { Address } from "@solana/kit";
import { z } from "zod";
import { encodeAccount, readAccount } from "../account-encoding.ts";
import type { LocalChain, SimulationOutcome } from "../chain.ts";
import type { DecodedTransaction } from "../decoded-transaction.ts";
import { invalidParams, RpcCode, RpcError } from "../rpc-error.ts";
import {
  encodeInnerInstructions,
  encodeReturnData,
  encodeTransactionRecord,
  memoSummary,
} from "../transaction-encoding.ts";
import { describeTransactionError } from "../tx-errors.ts";
import {
  AccountEncodingParam,
  AddressParam,
  config,
  decodeWireBytes,
  parseParams,
  type RpcMethod,
  SignatureParam,
  withContext,
} from "./params.ts";

const WireEncoding = z.enum(["base58", "base64"]).default("base58");
const MAX_SIGNATURE_STATUSES = 256;
const MAX_SIGNATURES_FOR_ADDRESS = 1000;

const SendConfig = config({
  encoding: WireEncoding,
  skipPreflight: z.boolean().default(false),
  preflightCommitment: z.string().optional(),
  maxRetries: z.number().optional(),
});

const SimulateConfig = config({
  encoding: WireEncoding,
  sigVerify: z.boolean().default(false),
  replaceRecentBlockhash: z.boolean().default(false),
  innerInstructions: z.boolean().default(false),
  accounts: z.object({ addresses: z.array(AddressParam), encoding: AccountEncodingParam.default("base64") }).nullish(),
});

const TransactionEncodingParam = z.enum(["json", "jsonParsed", "base64", "base58"]);
const GetTransactionConfig = config({
  encoding: TransactionEncodingParam.default("json"),
  maxSupportedTransactionVersion: z.int().nonnegative().optional(),
});

/** Sending, simulating and looking up transactions. */
export const transactionMethods: Record<string, RpcMethod> = {
  sendTransaction: (params, { chain }) => {
    const [wire, rawOptions] = parseParams(z.tuple([z.string(), SendConfig.nullish()]), params);
    const options = rawOptions ?? SendConfig.parse({});
    const tx = chain.decode(decodeWireBytes(wire, options.encoding));
    if (!options.skipPreflight) preflight(chain, tx);
    // Like a real node, the signature is returned even if the transaction then fails to land
    // (e.g. with skipPreflight); getSignatureStatuses tells what happened.
    chain.submit(tx);
    return tx.signature;
  },
  simulateTransaction: (params, { chain }) => {
    const [wire, rawOptions] = parseParams(z.tuple([z.string(), SimulateConfig.nullish()]), params);
    const options = rawOptions ?? SimulateConfig.parse({});
    if (options.sigVerify && options.replaceRecentBlockhash) {
      throw invalidParams("sigVerify may not be used with replaceRecentBlockhash");
    }
    const tx = chain.decode(decodeWireBytes(wire, options.encoding));
    const outcome = chain.simulate(tx, {
      sigVerify: options.sigVerify,
      replaceRecentBlockhash: options.replaceRecentBlockhash,
    });
    if (options.sigVerify && outcome.err === "SignatureFailure") throw signatureFailure();
    const accounts = options.accounts
      ? options.accounts.addresses.map((address) => {
          const account =
            outcome.postAccounts.find((post) => post.address === address) ?? readAccount(chain.svm, address);
          return account ? encodeAccount(chain.svm, account, { encoding: options.accounts?.encoding }) : null;
        })
      : null;
    return withContext(chain, {
      ...simulationValue(tx, outcome, options.innerInstructions),
      accounts,
      replacementBlockhash: outcome.replacementBlockhash ?? null,
    });
  },
  getSignatureStatuses: (params, { chain }) => {
    const [signatures] = parseParams(
      z.tuple([
        z.array(SignatureParam).max(MAX_SIGNATURE_STATUSES),
        z.looseObject({ searchTransactionHistory: z.boolean().optional() }).nullish(),
      ]),
      params,
    );
    return withContext(
      chain,
      signatures.map((signature) => {
        const record = chain.getRecord(signature);
        if (!record) return null;
        return {
          slot: record.slot,
          confirmations: null,
          err: record.err,
          status: record.err === null ? { Ok: null } : { Err: record.err },
          confirmationStatus: "finalized",
        };
      }),
    );
  },
  getTransaction: (params, { chain }) => {
    const [signature, rawOptions] = parseParams(
      z.tuple([SignatureParam, z.union([TransactionEncodingParam, GetTransactionConfig]).nullish()]),
      params,
    );
    // The legacy form passes the encoding as a bare string.
    const options =
      typeof rawOptions === "string"
        ? GetTransactionConfig.parse({ encoding: rawOptions })
        : (rawOptions ?? GetTransactionConfig.parse({}));
    const record = chain.getRecord(signature);
    if (!record) return null;
    return encodeTransactionRecord(record, options.encoding, options.maxSupportedTransactionVersion);
  },
  getSignaturesForAddress: (params, { chain }) => {
    const [address, options] = parseParams(
      z.tuple([
        AddressParam,
        config({
          limit: z.int().min(1).max(MAX_SIGNATURES_FOR_ADDRESS).optional(),
          before: SignatureParam.optional(),
          until: SignatureParam.optional(),
        }).nullish(),
      ]),
      params,
    );
    return signaturesForAddress(chain, address, options ?? {});
  },
};

function preflight(chain: LocalChain, tx: DecodedTransaction): void {
  if (chain.getRecord(tx.signature)) throw preflightFailure(tx, { err: "AlreadyProcessed" });
  const outcome = chain.simulate(tx, { sigVerify: true, replaceRecentBlockhash: false });
  if (outcome.err === "SignatureFailure") throw signatureFailure();
  if (outcome.err !== null) throw preflightFailure(tx, outcome);
}

function preflightFailure(
  tx: DecodedTransaction,
  outcome: Partial<SimulationOutcome> & Pick<SimulationOutcome, "err">,
): RpcError {
  const err = outcome.err ?? "UnknownError";
  const full: SimulationOutcome = {
    logs: [],
    innerInstructions: [],
    computeUnitsConsumed: 0n,
    returnData: null,
    fee: 0n,
    postAccounts: [],
    ...outcome,
    err,
  };
  return new RpcError(RpcCode.preflightFailure, `Transaction simulation failed: ${describeTransactionError(err)}`, {
    ...simulationValue(tx, full, false),
    accounts: null,
    replacementBlockhash: null,
  });
}

function signatureFailure(): RpcError {
  return new RpcError(RpcCode.signatureVerificationFailure, "Transaction signature verification failure");
}

function simulationValue(tx: DecodedTransaction, outcome: SimulationOutcome, innerInstructions: boolean) {
  return {
    err: outcome.err,
    logs: outcome.logs,
    unitsConsumed: outcome.computeUnitsConsumed,
    returnData: encodeReturnData(outcome.returnData) ?? null,
    innerInstructions: innerInstructions
      ? encodeInnerInstructions(tx.accountKeys, outcome.innerInstructions, false)
      : null,
    fee: outcome.fee,
    loadedAccountsDataSize: 0,
  };
}

function signaturesForAddress(
  chain: LocalChain,
  address: Address,
  options: { limit?: number; before?: string; until?: string },
): unknown[] {
  const newestFirst = [...chain.signaturesFor(address)].reverse();
  let start = 0;
  if (options.before) {
    const at = newestFirst.indexOf(options.before);
    start = at === -1 ? newestFirst.length : at + 1;
  }
  const entries: unknown[] = [];
  for (const signature of newestFirst.slice(start)) {
    if (signature === options.until || entries.length >= (options.limit ?? MAX_SIGNATURES_FOR_ADDRESS)) break;
    const record = chain.getRecord(signature);
    if (!record) continue;
    entries.push({
      signature,
      slot: record.slot,
      err: record.err,
      memo: memoSummary(record.tx),
      blockTime: record.blockTime,
      confirmationStatus: "finalized",
    });
  }
  return entries;
}
