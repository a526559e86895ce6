/**
 * A funded buyer, set up the way a real one is: sign in with a wallet, open the vault (the buyer
 * signs the platform-signed transaction and sends it), fund it from the local faucet, report the
 * deposit. Node side, for benchmarks and scripts against a running gateway.
 */
import {
  address,
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  generateKeyPairSigner,
  getBase58Decoder,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  type KeyPairSigner,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signBytes,
  signTransaction,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { findAssociatedTokenPda, getTransferCheckedInstruction, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { api, signIn } from "./client.ts";

export { signIn };

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
  const tx = getTransactionDecoder().decode(getBase64Encoder().encode(opened.transaction));
  const signedVault = await signTransaction([signer.keyPair], tx);
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signedVault), { encoding: "base64" }).send();
  await api(gateway, "/v1/vault", { apiKey });

  const usdcMint = address(mint);
  const [source] = await findAssociatedTokenPda({
    owner: signer.address,
    mint: usdcMint,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  const { value: lifetime } = await rpc.getLatestBlockhash().send();
  const deposit = await signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(signer, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
      (m) =>
        appendTransactionMessageInstructions(
          [
            getTransferCheckedInstruction({
              source,
              mint: usdcMint,
              destination: address(opened.vault),
              authority: signer,
              amount: BigInt(usdc),
              decimals: 6,
            }),
          ],
          m,
        ),
    ),
  );
  await rpc.sendTransaction(getBase64EncodedWireTransaction(deposit), { encoding: "base64" }).send();
  await api(gateway, "/v1/deposits", { body: { signature: getSignatureFromTransaction(deposit) }, apiKey });
  // Reservations never read the chain; the balance read refreshes the wallet's snapshot now.
  await api(gateway, "/v1/balance", { apiKey });
  return { signer, apiKey, vault: opened.vault };
}
