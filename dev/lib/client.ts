/**
 * The gateway client as a user's script would use it (Node side), shared with the CLI
 * (`cli/lib/`): sign in with a wallet key, then call the API with the issued key. Used by the dev
 * seed, the benchmarks and the tests.
 */
import type { KeyPairSigner } from "@solana/kit";
import { signIn as signInWith } from "../../cli/lib/chain.ts";

export { api, GatewayError as ApiCallError } from "../../cli/lib/http.ts";

/** Signs in as `signer` (challenge → Ed25519 signature → verify) and returns a fresh API key. */
export async function signIn(gateway: string, signer: KeyPairSigner): Promise<string> {
  return (await signInWith(gateway, signer)).apiKey;
}
