import { z } from "zod";

/**
 * Money on the wire: integer micro-USDC as a decimal string (e.g. "1500000" = 1.5 USDC). Strings,
 * because amounts may exceed 2^53 and JSON numbers lose precision in JavaScript clients.
 */
export const MicroUsdc = z.string().regex(/^(0|[1-9][0-9]{0,18})$/, "micro-USDC as a decimal integer string");

/** Parses a positive micro-USDC amount from the wire (string or safe integer), as bigint. */
export const PositiveMicroUsdc = z
  .union([z.string().regex(/^[1-9][0-9]{0,18}$/), z.number().int().positive().max(Number.MAX_SAFE_INTEGER)])
  .transform((v) => BigInt(v))
  .refine((v) => v <= 18_446_744_073_709_551_615n, "exceeds u64");

export function microUsdc(amount: bigint): string {
  return amount.toString();
}
