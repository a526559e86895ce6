import { decodeBase58 } from "./base58.ts";

/**
 * Checks a wallet's Ed25519 signature over `message` (signed as its UTF-8 bytes, as Solana wallets
 * do for `signMessage`). The wallet address is the raw 32-byte public key in base58. Any malformed
 * input, or a key WebCrypto refuses, is simply "does not verify".
 *
 * @example
 * await verifyWalletSignature(wallet, message, signatureBase58); // true | false
 */
export async function verifyWalletSignature(wallet: string, message: string, signature: string): Promise<boolean> {
  const publicKey = decodeBase58(wallet, 32);
  const sig = decodeBase58(signature, 64);
  if (!publicKey || !sig) return false;
  try {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify("Ed25519", key, sig, new TextEncoder().encode(message));
  } catch {
    return false;
  }
}
