import bs58 from "bs58";

/**
 * Decodes base58 text into exactly `length` bytes, or null. Solana addresses are 32 bytes and
 * signatures 64: a string that merely looks base58 is not enough (leading-zero bytes and
 * 31- or 33-byte values share the same alphabet and similar lengths).
 *
 * @example
 * decodeBase58("11111111111111111111111111111111", 32); // 32 zero bytes
 */
export function decodeBase58(text: string, length: number): Uint8Array<ArrayBuffer> | null {
  // Decoding is quadratic in the text's length: refuse anything longer than `length` bytes can
  // encode to (⌈length · log 256 / log 58⌉ characters) before decoding — a 3 MiB "signature"
  // of base58 letters otherwise keeps the isolate busy for minutes.
  if (text.length > maxBase58Length(length)) return null;
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(text);
  } catch {
    return null;
  }
  if (bytes.length !== length) return null;
  // A fresh buffer-backed copy: WebCrypto wants a BufferSource over a plain ArrayBuffer.
  return new Uint8Array(bytes);
}

/** The longest base58 text `length` bytes encode to. */
export function maxBase58Length(length: number): number {
  return Math.ceil((length * Math.log(256)) / Math.log(58));
}

export function encodeBase58(bytes: Uint8Array): string {
  return bs58.encode(bytes);
}

/** `n` cryptographically random bytes as base58. */
export function randomBase58(n: number): string {
  return encodeBase58(crypto.getRandomValues(new Uint8Array(n)));
}
