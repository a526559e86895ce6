/**
 * `Idempotency-Key`: a retried call with the same key (same wallet) gets the same reservation id,
 * so the WalletDO refuses it as `duplicate_request` (409) instead of charging twice. Keys are
 * remembered as long as the WalletDO keeps finished request ids (24 h).
 */
import { ApiError } from "../errors.ts";

export const IDEMPOTENCY_HEADER = "idempotency-key";
/** Visible ASCII, 1–128 characters (what Stripe-style clients send: UUIDs, ULIDs, hashes). */
const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * The id under which the call is reserved, admitted, confirmed and booked in the ledger (and the
 * `requestId` of its receipt): the gateway's request id, or — with an Idempotency-Key — `idk_` +
 * 160 bits of SHA-256 over (wallet, key), so the same key from another wallet never collides.
 *
 * @example
 * await callId("req_…", "7xKX…", null);      // "req_…"
 * await callId("req_…", "7xKX…", "order-42"); // "idk_3f0c…" (40 hex), the same on every retry
 */
export async function callId(requestId: string, wallet: string, idempotencyKey: string | null): Promise<string> {
  if (idempotencyKey === null) return requestId;
  if (!KEY_PATTERN.test(idempotencyKey)) {
    throw new ApiError("invalid_request", "Idempotency-Key must be 1–128 visible ASCII characters");
  }
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(`proxygate/idempotency/v1\n${wallet}\n${idempotencyKey}`),
  );
  const hex = Array.from(new Uint8Array(digest).slice(0, 20), (b) => b.toString(16).padStart(2, "0")).join("");
  return `idk_${hex}`;
}
