import { createSolanaRpc } from "@solana/kit";
import type { Env } from "../env.ts";

/** A typed Solana JSON-RPC client (HTTP only: Workers poll instead of subscribing). */
export function createRpc(env: Pick<Env, "SOLANA_RPC_URL">) {
  return createSolanaRpc(env.SOLANA_RPC_URL);
}

export type SolanaRpc = ReturnType<typeof createRpc>;
