/**
 * The platform's Solana keys, from Worker secrets: base58 of the 64-byte secret key (secret half ||
 * public half), the format wallets export. Parsed once per isolate; the private halves become
 * non-extractable WebCrypto keys. No error message ever contains key material.
 */
import { createKeyPairSignerFromBytes, getBase58Encoder, type KeyPairSigner } from "@solana/kit";
import { type Env, isBase58SecretKey, PLATFORM_KEY_NAMES } from "../env.ts";
import { ApiError } from "../errors.ts";

export type PlatformKeyName = (typeof PLATFORM_KEY_NAMES)[number];

export interface PlatformKeys {
  /** Second signer of every vault's 2-of-2 multisig. */
  cosigner: KeyPairSigner;
  /** Approved delegate of every vault; fee payer of settlement transactions. */
  settlement: KeyPairSigner;
  /** Owner of the treasury USDC account; signs payouts. */
  treasury: KeyPairSigner;
  /** Signs per-call receipts. */
  receipt: KeyPairSigner;
}

/** A platform key secret is malformed. The message names the secret, never its value. */
export class PlatformKeyError extends Error {
  override name = "PlatformKeyError";
  readonly keyName: string;

  constructor(keyName: string, problem: string) {
    super(`${keyName}: ${problem}`);
    this.keyName = keyName;
  }
}

/**
 * Turns one secret into a signer. Rejects anything that is not base58 of 64 bytes, and a secret
 * whose public half does not belong to its secret half (kit signs and verifies a probe to check).
 *
 * @example
 * const cosigner = await parsePlatformKey("PLATFORM_COSIGNER_KEY", env.PLATFORM_COSIGNER_KEY);
 * cosigner.address; // the base58 public key
 */
export async function parsePlatformKey(keyName: string, secret: string): Promise<KeyPairSigner> {
  if (!isBase58SecretKey(secret)) {
    throw new PlatformKeyError(keyName, "expected base58 of a 64-byte Solana secret key (secret || public)");
  }
  const bytes = getBase58Encoder().encode(secret);
  try {
    return await createKeyPairSignerFromBytes(bytes);
  } catch {
    // kit's own errors carry no key bytes, but WebCrypto's are not ours to vouch for: replace them.
    throw new PlatformKeyError(keyName, "the public half does not match the secret half");
  }
}

const FIELDS = {
  PLATFORM_COSIGNER_KEY: "cosigner",
  SETTLEMENT_KEY: "settlement",
  TREASURY_KEY: "treasury",
  RECEIPT_KEY: "receipt",
} as const satisfies Record<PlatformKeyName, keyof PlatformKeys>;

/** Per isolate, keyed by the secret itself so a rotated secret (or another test env) is parsed afresh. */
const signers = new Map<string, Promise<KeyPairSigner>>();

function cachedSigner(keyName: PlatformKeyName, secret: string): Promise<KeyPairSigner> {
  let signer = signers.get(secret);
  if (!signer) {
    signer = parsePlatformKey(keyName, secret);
    signers.set(secret, signer);
    signer.catch(() => signers.delete(secret));
  }
  return signer;
}

/**
 * The four platform signers, parsed once per isolate. A malformed secret is a deployment fault:
 * `bad_environment` naming every secret at fault (never a value).
 *
 * @example
 * const { cosigner, settlement } = await loadPlatformKeys(c.env);
 */
export async function loadPlatformKeys(env: Pick<Env, PlatformKeyName>): Promise<PlatformKeys> {
  const results = await Promise.allSettled(PLATFORM_KEY_NAMES.map((name) => cachedSigner(name, env[name])));
  const problems = results.flatMap((r, i) =>
    r.status === "rejected"
      ? [r.reason instanceof PlatformKeyError ? r.reason.message : `${PLATFORM_KEY_NAMES[i]}: unusable`]
      : [],
  );
  if (problems.length > 0) throw new ApiError("bad_environment", `Gateway misconfigured: ${problems.join("; ")}`);
  const keys = {} as Record<keyof PlatformKeys, KeyPairSigner>;
  PLATFORM_KEY_NAMES.forEach((name, i) => {
    keys[FIELDS[name]] = (results[i] as PromiseFulfilledResult<KeyPairSigner>).value;
  });
  return keys;
}
