/**
 * A small client for the gateway's HTTP API as a user's script would use it (Node side): sign in
 * with a wallet key, then call the API with the issued key. Used by the dev seed and benchmarks.
 */
import { getBase58Decoder, type KeyPairSigner, signBytes } from "@solana/kit";

export class ApiCallError extends Error {
  override name = "ApiCallError";
  readonly status: number;

  constructor(what: string, status: number, body: string) {
    super(`${what} → ${status}: ${body.slice(0, 300)}`);
    this.status = status;
  }
}

/** Calls `path` on the gateway; JSON in and out; non-2xx throws an ApiCallError. */
export async function api<T>(
  gateway: string,
  path: string,
  init: { method?: string; body?: unknown; apiKey?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.apiKey) headers.authorization = `Bearer ${init.apiKey}`;
  const method = init.method ?? (init.body === undefined ? "GET" : "POST");
  const res = await fetch(`${gateway}${path}`, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (!res.ok) throw new ApiCallError(`${method} ${path}`, res.status, text);
  return JSON.parse(text) as T;
}

/** Signs in as `signer` (challenge → Ed25519 signature → verify) and returns a fresh API key. */
export async function signIn(gateway: string, signer: KeyPairSigner): Promise<string> {
  const challenge = await api<{ nonce: string; message: string }>(gateway, "/v1/auth/challenge", {
    body: { wallet: signer.address },
  });
  const signature = getBase58Decoder().decode(
    await signBytes(signer.keyPair.privateKey, new TextEncoder().encode(challenge.message)),
  );
  const issued = await api<{ apiKey: string }>(gateway, "/v1/auth/verify", {
    body: { wallet: signer.address, nonce: challenge.nonce, signature },
  });
  return issued.apiKey;
}
