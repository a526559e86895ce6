/**
 * A funded buyer, set up the way a real one is: sign in with a wallet, open the vault (the buyer
 * signs the platform-signed transaction and sends it), fund it from the local faucet, report the
 * deposit. Runtime-neutral (fetch + kit): used by `npm start`, the benchmarks and the tests.
 */
import {
  type Address,
  address,
  appendTransactionMessageInstructions,
  createSolanaRpc,
  createTransactionMessage,
  type GetLatestBlockhashApi,
  generateKeyPairSigner,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  getTransactionDecoder,
  type KeyPairSigner,
  pipe,
  type Rpc,
  type SendTransactionApi,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
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
/** The USDC associated token account of `owner`. */
export async function usdcAccount(owner: Address, mint: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

/** Signs and sends `wire` (a gateway-built, platform-signed transaction) as `signer`. */
export async function signAndSend(
  rpc: Rpc<SendTransactionApi>,
  wire: string,
  signer: KeyPairSigner,
): Promise<Signature> {
  const tx = getTransactionDecoder().decode(getBase64Encoder().encode(wire));
  const signed = await signTransaction([signer.keyPair], tx);
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
  return getSignatureFromTransaction(signed);
}

/** A plain USDC transfer from the signer's own account (e.g. a deposit into a vault); returns its signature. */
export async function transferUsdc(
  rpc: Rpc<GetLatestBlockhashApi & SendTransactionApi>,
  from: KeyPairSigner,
  to: Address,
  mint: Address,
  amount: bigint,
): Promise<Signature> {
  const { value: lifetime } = await rpc.getLatestBlockhash().send();
  const source = await usdcAccount(from.address, mint);
  const signed = await signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(from, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
      (m) =>
        appendTransactionMessageInstructions(
          [getTransferCheckedInstruction({ source, mint, destination: to, authority: from, amount, decimals: 6 })],
          m,
        ),
    ),
  );
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
  return getSignatureFromTransaction(signed);
}

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
