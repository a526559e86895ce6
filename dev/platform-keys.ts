/**
 * Local platform keys (workers/solana/keys.ts): generated for the dev stack and the tests, funded on
 * the local chain — SOL for the settlement key (fee payer of settlement transactions) and the
 * co-signer, and the treasury's USDC account, so settlement has somewhere to collect into.
 */
import { randomBytes } from "node:crypto";
import {
  type Address,
  address,
  appendTransactionMessageInstructions,
  createKeyPairSignerFromBytes,
  createKeyPairSignerFromPrivateKeyBytes,
  createSolanaRpc,
  createTransactionMessage,
  getAddressEncoder,
  getBase58Decoder,
  getBase58Encoder,
  getBase64EncodedWireTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";

/** The platform key secrets, named as the Worker's env names them. */
export interface PlatformSecrets {
  PLATFORM_COSIGNER_KEY: string;
  SETTLEMENT_KEY: string;
  TREASURY_KEY: string;
  RECEIPT_KEY: string;
}

export interface PlatformAddresses {
  cosigner: Address;
  settlement: Address;
  treasury: Address;
  receipt: Address;
  /** The treasury's USDC associated token account. */
  treasuryUsdc: Address;
}

/** SOL given to each key that pays fees: plenty for a local chain. */
const FUNDING_LAMPORTS = 100_000_000_000;

/** A fresh key as a wallet exports it: base58(secret half || public half). */
export async function generateSecretKey(): Promise<string> {
  const seed = randomBytes(32);
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed);
  const bytes = new Uint8Array(64);
  bytes.set(seed, 0);
  bytes.set(getAddressEncoder().encode(signer.address), 32);
  return getBase58Decoder().decode(bytes);
}

export async function generatePlatformSecrets(): Promise<PlatformSecrets> {
  const [cosigner, settlement, treasury, receipt] = await Promise.all([
    generateSecretKey(),
    generateSecretKey(),
    generateSecretKey(),
    generateSecretKey(),
  ]);
  return { PLATFORM_COSIGNER_KEY: cosigner, SETTLEMENT_KEY: settlement, TREASURY_KEY: treasury, RECEIPT_KEY: receipt };
}

function signerOf(secret: string) {
  return createKeyPairSignerFromBytes(getBase58Encoder().encode(secret));
}

/**
 * Funds the keys on the local chain through its faucet and creates the treasury's USDC account
 * (paid by the settlement key). Idempotent: safe on every start of a fresh or running chain.
 */
export async function fundPlatformKeys(options: {
  rpcUrl: string;
  usdcMint: string;
  secrets: PlatformSecrets;
}): Promise<PlatformAddresses> {
  const { secrets } = options;
  const [cosigner, settlement, treasury, receipt] = await Promise.all([
    signerOf(secrets.PLATFORM_COSIGNER_KEY),
    signerOf(secrets.SETTLEMENT_KEY),
    signerOf(secrets.TREASURY_KEY),
    signerOf(secrets.RECEIPT_KEY),
  ]);
  for (const wallet of [settlement.address, cosigner.address]) {
    const res = await fetch(`${options.rpcUrl}/faucet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ wallet, sol: FUNDING_LAMPORTS }),
    });
    if (!res.ok) throw new Error(`funding ${wallet} failed: ${res.status} ${await res.text()}`);
  }

  const mint = address(options.usdcMint);
  const [treasuryUsdc] = await findAssociatedTokenPda({
    owner: treasury.address,
    mint,
    tokenProgram: TOKEN_PROGRAM_ADDRESS,
  });
  const rpc = createSolanaRpc(options.rpcUrl);
  const { value: lifetime } = await rpc.getLatestBlockhash().send();
  const signed = await signTransactionMessageWithSigners(
    pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(settlement, m),
      (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
      (m) =>
        appendTransactionMessageInstructions(
          [
            getCreateAssociatedTokenIdempotentInstruction({
              payer: settlement,
              ata: treasuryUsdc,
              owner: treasury.address,
              mint,
            }),
          ],
          m,
        ),
    ),
  );
  // The local chain executes on send (preflight included): a failure throws here.
  await rpc.sendTransaction(getBase64EncodedWireTransaction(signed), { encoding: "base64" }).send();

  return {
    cosigner: cosigner.address,
    settlement: settlement.address,
    treasury: treasury.address,
    receipt: receipt.address,
    treasuryUsdc,
  };
}

/**
 * `npx node dev/platform-keys.ts`: four fresh keys for a deployment, as `NAME=secret` lines for
 * `wrangler secret put NAME`, with each key's address (fund the settlement key with SOL).
 */
if (import.meta.main) {
  const secrets = await generatePlatformSecrets();
  for (const [name, secret] of Object.entries(secrets)) {
    const signer = await signerOf(secret);
    console.log(`# ${name}: address ${signer.address}\n${name}=${secret}`);
  }
}
