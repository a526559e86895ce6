import { getBase64Encoder, getCompiledTransactionMessageDecoder } from "@solana/kit";
import { z } from "zod";
import { FEATURE_SET, SOLANA_CORE_VERSION } from "../constants.ts";
import { transactionFee } from "../fees.ts";
import { invalidParams } from "../rpc-error.ts";
import { BareConfig, parseParams, type RpcMethod, withContext } from "./params.ts";

const NoParams = z.tuple([BareConfig.nullish()]);

/** Slots, blockhashes, fees and node information. */
export const clusterMethods: Record<string, RpcMethod> = {
  getHealth: () => "ok",
  getVersion: () => ({ "solana-core": SOLANA_CORE_VERSION, "feature-set": FEATURE_SET }),
  getGenesisHash: (_params, { chain }) => chain.blocks.genesisHash,
  getSlot: (params, { chain }) => {
    parseParams(NoParams, params);
    return chain.blocks.slot;
  },
  getBlockHeight: (params, { chain }) => {
    parseParams(NoParams, params);
    return chain.blocks.blockHeight;
  },
  getEpochInfo: (params, { chain }) => {
    parseParams(NoParams, params);
    return { ...chain.blocks.epochInfo(), transactionCount: chain.transactionCount };
  },
  getLatestBlockhash: (params, { chain }) => {
    parseParams(NoParams, params);
    return withContext(chain, chain.blocks.latestBlockhash());
  },
  isBlockhashValid: (params, { chain }) => {
    const [blockhash] = parseParams(z.tuple([z.string(), BareConfig.nullish()]), params);
    return withContext(chain, chain.blocks.isBlockhashValid(blockhash));
  },
  getFeeForMessage: (params, { chain }) => {
    const [encoded] = parseParams(z.tuple([z.string(), BareConfig.nullish()]), params);
    let message: ReturnType<ReturnType<typeof getCompiledTransactionMessageDecoder>["decode"]>;
    try {
      message = getCompiledTransactionMessageDecoder().decode(getBase64Encoder().encode(encoded));
    } catch {
      throw invalidParams("invalid transaction message");
    }
    if (message.version === 1) throw invalidParams("transaction version 1 is not supported by the local RPC");
    if (!chain.blocks.isBlockhashValid(message.lifetimeToken)) return withContext(chain, null);
    const instructions = message.instructions.map((ix) => ({
      programIdIndex: ix.programAddressIndex,
      accounts: [...(ix.accountIndices ?? [])],
      data: ix.data ?? new Uint8Array(0),
    }));
    return withContext(chain, transactionFee(message.header.numSignerAccounts, message.staticAccounts, instructions));
  },
  getRecentPrioritizationFees: () => [],
};
