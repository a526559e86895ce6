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

async function api<T>(gateway: string, path: string, init: RequestInit & { apiKey?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`;
  const res = await fetch(`${gateway}${path}`, { ...init, headers });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** Signs in as `signer` and returns a fresh API key. */
export async function signIn(gateway: string, signer: KeyPairSigner): Promise<string> {
  const challenge = await api<{ nonce: string; message: string }>(gateway, "/v1/auth/challenge", {
    method: "POST",
    body: JSON.stringify({ wallet: signer.address }),
  });
  const signature = getBase58Decoder().decode(
    await signBytes(signer.keyPair.privateKey, new TextEncoder().encode(challenge.message)),
  );
  const issued = await api<{ apiKey: string }>(gateway, "/v1/auth/verify", {
    method: "POST",
    body: JSON.stringify({ wallet: signer.address, nonce: challenge.nonce, signature }),
  });
  return issued.apiKey;
}

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

  const opened = await api<{ vault: string; transaction: string }>(gateway, "/v1/vault", {
    method: "POST",
    body: "{}",
    apiKey,
  });
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
  await api(gateway, "/v1/deposits", {
    method: "POST",
    body: JSON.stringify({ signature: getSignatureFromTransaction(deposit) }),
    apiKey,
  });
  return { signer, apiKey, vault: opened.vault };
}
