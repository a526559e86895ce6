/** Solana CLI keypair files (`solana-keygen new -o id.json`): a JSON array of 64 bytes, secret then public half. */

/**
 * The 64 bytes of a Solana CLI keypair file's text; throws a RangeError naming what is wrong.
 *
 * @example
 * parseKeypairJson("[12,34,…64 numbers…]"); // Uint8Array(64)
 */
export function parseKeypairJson(text: string): Uint8Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new RangeError("not JSON (expected a Solana CLI keypair: an array of 64 numbers)");
  }
  if (!Array.isArray(parsed) || parsed.length !== 64) {
    throw new RangeError("expected a Solana CLI keypair: a JSON array of 64 numbers");
  }
  if (!parsed.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) {
    throw new RangeError("a keypair holds bytes: integers from 0 to 255");
  }
  return Uint8Array.from(parsed as number[]);
}
