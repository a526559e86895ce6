/** A signed-in test party (workers tests): a fresh keypair with SOL for fees, signed in through the API. */
import { generateKeyPairSigner, type KeyPairSigner } from "@solana/kit";
import { expect } from "vitest";
import { faucet, signMessage } from "./chain-helpers.ts";
import { BASE } from "./proxy-helpers.ts";
import { SELF } from "./self.ts";

export interface Party {
  signer: KeyPairSigner;
  apiKey: string;
  wallet: string;
}

/** The body of `res` as JSON, after checking its status (the body is shown when it differs). */
export async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** A new wallet with 2 SOL, signed in with challenge → verify: its API key. */
export async function signedIn(): Promise<Party> {
  const signer = await generateKeyPairSigner();
  await faucet(signer.address, { sol: 2_000_000_000 });
  const post = (path: string, body: unknown) =>
    SELF.fetch(`${BASE}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const c = await json<{ nonce: string; message: string }>(
    await post("/v1/auth/challenge", { wallet: signer.address }),
    200,
  );
  const issued = await json<{ apiKey: string }>(
    await post("/v1/auth/verify", {
      wallet: signer.address,
      nonce: c.nonce,
      signature: await signMessage(signer, c.message),
    }),
    200,
  );
  return { signer, apiKey: issued.apiKey, wallet: signer.address };
}
