import { type Address, getBase58Encoder, getBase64Encoder, isAddress, isSignature } from "@solana/kit";
import { z } from "zod";
import type { LocalChain } from "../chain.ts";
import { SOLANA_CORE_VERSION } from "../constants.ts";
import { invalidParams } from "../rpc-error.ts";

/** What every method handler gets: the chain, plus the faucet's airdrop for requestAirdrop. */
export interface MethodContext {
  chain: LocalChain;
  airdrop(to: Address, lamports: bigint): Promise<string>;
}

export type RpcMethod = (params: unknown[], ctx: MethodContext) => unknown;

export const AddressParam = z
  .string()
  .refine(isAddress, { error: (issue) => `${String(issue.input)} is not a valid address` })
  .transform((value) => value as Address);

export const SignatureParam = z
  .string()
  .refine(isSignature, { error: (issue) => `${String(issue.input)} is not a valid signature` });

/** u64 from the wire: a JSON number, or a bigint when it exceeded 2^53. */
export const U64Param = z.union([z.int().nonnegative(), z.bigint().nonnegative()]).transform((value) => BigInt(value));

/** Options every method accepts and this chain treats alike (everything is final at once). */
const CommonConfig = {
  commitment: z.enum(["processed", "confirmed", "finalized"]).optional(),
  minContextSlot: U64Param.optional(),
};

/** A method's trailing config object; unknown keys are ignored, as validators ignore them. */
export function config<T extends z.core.$ZodShape>(shape: T) {
  return z.looseObject({ ...CommonConfig, ...shape });
}

export const BareConfig = config({});

export const AccountEncodingParam = z.enum(["binary", "base58", "base64", "base64+zstd", "jsonParsed"]);
export const DataSliceParam = z.object({ offset: z.int().nonnegative(), length: z.int().nonnegative() });

/** Validates positional params; failures become JSON-RPC -32602 errors naming the problem. */
export function parseParams<T extends z.ZodType>(schema: T, params: unknown[]): z.output<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `param ${issue.path.join(".")}: ` : "";
  throw invalidParams(`${where}${issue?.message ?? "invalid"}`);
}

export function decodeWireBytes(text: string, encoding: "base58" | "base64"): Uint8Array {
  try {
    const bytes = encoding === "base64" ? getBase64Encoder().encode(text) : getBase58Encoder().encode(text);
    return new Uint8Array(bytes);
  } catch {
    throw invalidParams(`invalid ${encoding} encoding`);
  }
}

/** The `{context, value}` wrapper of methods that report the slot they answered at. */
export function withContext(
  chain: LocalChain,
  value: unknown,
): { context: { slot: bigint; apiVersion: string }; value: unknown } {
  return { context: { slot: chain.blocks.slot, apiVersion: SOLANA_CORE_VERSION }, value };
}
