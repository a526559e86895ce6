/**
 * A funded buyer, set up the way a real one is: sign in with a wallet, open the vault (the buyer
 * signs the platform-signed transaction and sends it), fund it from the local faucet, report the
 * deposit. Runtime-neutral (fetch + kit): used by `npm start`, the benchmarks and the tests.
 */
import { address, createSolanaRpc, generateKeyPairSigner } from "@solana/kit";
import { signAndSend, transferUsdc, usdcAccount } from "../../cli/lib/chain.ts";
import { api, signIn } from "./client.ts";

export { signAndSend, signIn, transferUsdc, usdcAccount };

export async function faucet(rpcUrl: string, wallet: string, amounts: { sol?: number; usdc?: number }): Promise<void> {
  const res = await fetch(`${rpcUrl}/faucet`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ wallet, ...amounts }),
  });
  if (!res.ok) throw new Error(`faucet → ${res.status}: ${await res.text()}`);
}

/** A signed-in wallet with an active vault holding `usdc` micro-USDC, and its API key. */
export async function fundedBuyer(gateway: string, rpcUrl: string, mint: string, usdc: number) {
  const rpc = createSolanaRpc(rpcUrl);
  const signer = await generateKeyPairSigner();
  await faucet(rpcUrl, signer.address, { sol: 2_000_000_000, usdc });
  const apiKey = await signIn(gateway, signer);

  const opened = await api<{ vault: string; transaction: string }>(gateway, "/v1/vault", { body: {}, apiKey });
  await signAndSend(rpc, opened.transaction, signer);
  await api(gateway, "/v1/vault", { apiKey });

  const deposit = await transferUsdc(rpc, signer, address(opened.vault), address(mint), BigInt(usdc));
  await api(gateway, "/v1/deposits", { body: { signature: deposit }, apiKey });
  // Reservations never read the chain; the balance read refreshes the wallet's snapshot now.
  await api(gateway, "/v1/balance", { apiKey });
  return { signer, apiKey, vault: opened.vault };
}
