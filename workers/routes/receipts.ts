import { Hono } from "hono";
import { z } from "zod";
import { ApiError } from "../errors.ts";
import { withDb } from "../lib/db.ts";
import { MicroUsdc, microUsdc } from "../lib/money.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import { ledgerReceipt } from "../receipts/ledger.ts";
import { issueReceipt, receiptPublicKey } from "../receipts/signer.ts";
import type { AuthEnv } from "../types.ts";

const ReceiptParams = z.object({ requestId: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "not a request id") });

export const ReceiptPublicKeyView = z.object({
  algorithm: z.literal("Ed25519"),
  /** The raw 32-byte public key in base58 (a Solana address). */
  publicKey: z.string(),
  publicKeyBase64: z.string(),
  publicKeyHex: z.string(),
});

export const ReceiptView = z.object({
  requestId: z.string(),
  wallet: z.string(),
  listing: z.string(),
  charge: MicroUsdc,
  /** Epoch ms the call was metered (signed into the receipt). */
  timestamp: z.int(),
  /** `pgr1.<requestId>.<wallet>.<listing>.<charge>.<timestamp>.<signature base58>` */
  receipt: z.string(),
  publicKey: z.string(),
});

export const receiptsApi = [
  operation({
    method: "get",
    path: "/v1/receipts/public-key",
    operationId: "receiptPublicKey",
    summary: "The Ed25519 key every call receipt verifies against",
    tags: ["receipts"],
    auth: "public",
    responses: { 200: { description: "The gateway's receipt public key", schema: ReceiptPublicKeyView } },
    errors: [],
  }),
  operation({
    method: "get",
    path: "/v1/receipts/:requestId",
    operationId: "getReceipt",
    summary: "Re-issue a confirmed call's receipt from the ledger (its buyer or seller only)",
    tags: ["receipts"],
    auth: "apiKey",
    params: ReceiptParams,
    responses: { 200: { description: "The receipt", schema: ReceiptView } },
    errors: ["invalid_request", "not_found", "dependency_unavailable"],
  }),
];

/**
 * Receipts: `GET /v1/receipts/public-key` (public) is the key every receipt verifies against;
 * `GET /v1/receipts/:requestId` re-issues a confirmed call's receipt from the ledger, for its buyer
 * or its seller (anyone else gets 404, as for an unknown id). A call's entry reaches the ledger
 * within seconds of the call (WalletDO outbox); before that the answer is 404.
 */
export const receipts = new Hono<AuthEnv>()
  .get("/public-key", async (c) => {
    c.header("cache-control", "public, max-age=300");
    return c.json(await receiptPublicKey(c.env));
  })
  .get("/:requestId", requireApiKey(), validate("param", ReceiptParams), async (c) => {
    const { requestId } = c.req.valid("param");
    const found = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => ledgerReceipt(db, requestId),
    );
    if (!found || (found.fields.wallet !== c.var.wallet && found.payeeWallet !== c.var.wallet)) {
      throw new ApiError("not_found", "No receipt for this request id (yet)");
    }
    const { fields } = found;
    return c.json({
      requestId: fields.requestId,
      wallet: fields.wallet,
      listing: fields.listing,
      charge: microUsdc(fields.charge),
      timestamp: fields.timestamp,
      receipt: await issueReceipt(c.env, fields),
      publicKey: (await receiptPublicKey(c.env)).publicKey,
    } satisfies z.infer<typeof ReceiptView>);
  });
