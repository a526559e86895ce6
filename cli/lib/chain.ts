/**
 * What a wallet does on chain in proxygate's flows, runtime-neutral (fetch + @solana/kit): sign in
 * with its key, sign and send a transaction the gateway built, transfer USDC into a vault, wait
 * for a signature to land. Used by the CLI, the dev stack, the benchmarks and the tests.
 */
import {
  type Address,
  appendTransactionMessageInstructions,
  type Commitment,
  createTransactionMessage,
  type GetBlockHeightApi,
  type GetLatestBlockhashApi,
  type GetSignatureStatusesApi,
  getBase58Decoder,
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
  signBytes,
  signTransaction,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { findAssociatedTokenPda, getTransferCheckedInstruction, TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { api } from "./http.ts";

/** USDC has 6 decimals on every cluster. */
export const USDC_DECIMALS = 6;

/** Signs in as `signer` (challenge → Ed25519 signature over the message → verify) and returns the issued key. */
export async function signIn(
  gateway: string,
  signer: KeyPairSigner,
): Promise<{ apiKey: string; keyId: string; prefix: string; wallet: string }> {
  const challenge = await api<{ nonce: string; message: string }>(gateway, "/v1/auth/challenge", {
    body: { wallet: signer.address },
  });
  const signature = getBase58Decoder().decode(
    await signBytes(signer.keyPair.privateKey, new TextEncoder().encode(challenge.message)),
  );
  return api(gateway, "/v1/auth/verify", { body: { wallet: signer.address, nonce: challenge.nonce, signature } });
}

/** The USDC associated token account of `owner`. */
export async function usdcAccount(owner: Address, mint: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

/** Signs and sends `wire` (a gateway-built, platform-signed transaction, base64) as `signer`. */
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
          [
            getTransferCheckedInstruction({
              source,
              mint,
              destination: to,
              authority: from,
              amount,
              decimals: USDC_DECIMALS,
            }),
          ],
          m,
        ),
    ),
  );
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();
  return getSignatureFromTransaction(signed);
}

export type Landing = { status: "landed"; slot: bigint } | { status: "failed"; error: string } | { status: "expired" };

const RANK: Record<Commitment, number> = { processed: 0, confirmed: 1, finalized: 2 };

/**
 * Polls the signature's status until it reached `commitment`, failed on chain, or can no longer
 * land (the block height passed `lastValidBlockHeight`, when known). `timeoutMs` bounds the wait
 * when the lifetime is unknown.
 */
export async function waitForSignature(
  rpc: Rpc<GetSignatureStatusesApi & GetBlockHeightApi>,
  signature: Signature,
  options: { commitment?: Commitment; lastValidBlockHeight?: bigint; timeoutMs?: number; pollMs?: number } = {},
): Promise<Landing> {
  const want = RANK[options.commitment ?? "confirmed"];
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    const { value } = await rpc.getSignatureStatuses([signature]).send();
    const status = value[0];
    if (status?.err) return { status: "failed", error: JSON.stringify(status.err, bigintJson) };
    if (status?.confirmationStatus && RANK[status.confirmationStatus] >= want) {
      return { status: "landed", slot: status.slot };
    }
    if (options.lastValidBlockHeight !== undefined && !status) {
      const height = await rpc.getBlockHeight().send();
      if (height > options.lastValidBlockHeight) return { status: "expired" };
    }
    if (Date.now() > deadline) return { status: "expired" };
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}

function bigintJson(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
