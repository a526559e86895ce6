/**
 * Reads a vault's USDC balance for the WalletDO's chain snapshot: `getTokenAccountBalance` with
 * commitment "confirmed", returning the amount and the slot it was read at. A vault account that
 * does not exist (yet) reads as 0 at the slot the RPC answered for.
 */
import { address, createSolanaRpc } from "@solana/kit";

const TIMEOUT_MS = 5_000;

export interface VaultBalance {
  amount: bigint;
  slot: number;
}

export async function readVaultBalance(rpcUrl: string, vault: string): Promise<VaultBalance> {
  const rpc = createSolanaRpc(rpcUrl);
  const account = address(vault);
  try {
    const { context, value } = await rpc
      .getTokenAccountBalance(account, { commitment: "confirmed" })
      .send({ abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
    return { amount: BigInt(value.amount), slot: Number(context.slot) };
  } catch (err) {
    // RPC nodes answer "could not find account" as an error: confirm it is really absent.
    const info = await rpc
      .getAccountInfo(account, { commitment: "confirmed", encoding: "base64" })
      .send({ abortSignal: AbortSignal.timeout(TIMEOUT_MS) });
    if (info.value === null) return { amount: 0n, slot: Number(info.context.slot) };
    throw err;
  }
}
