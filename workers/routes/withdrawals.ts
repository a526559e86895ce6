import { Hono } from "hono";
import type { Withdrawal } from "../../db/schema.ts";
import { withDb } from "../lib/db.ts";
import { microUsdc } from "../lib/money.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";
import {
  WithdrawalBody,
  WithdrawalConfirmBody,
  WithdrawalList,
  WithdrawalParams,
  WithdrawalStarted,
  WithdrawalView,
} from "../vault/interface.ts";
import { confirmWithdrawal, listWithdrawals, startWithdrawal } from "../vault/withdrawals.ts";

export const withdrawalsApi = [
  operation({
    method: "post",
    path: "/v1/withdrawals",
    operationId: "startWithdrawal",
    summary: "Withdraw to the wallet: a co-signed transaction; new calls wait until it lands or expires",
    tags: ["money"],
    auth: "apiKey",
    body: WithdrawalBody,
    responses: { 201: { description: "Sign and send it, then confirm", schema: WithdrawalStarted } },
    errors: [
      "invalid_request",
      "insufficient_credit",
      "withdrawal_cooldown",
      "wallet_flagged",
      "not_found",
      "conflict",
      "dependency_unavailable",
    ],
  }),
  operation({
    method: "post",
    path: "/v1/withdrawals/:id/confirm",
    operationId: "confirmWithdrawal",
    summary: "Report the sent withdrawal's signature: verified on chain",
    tags: ["money"],
    auth: "apiKey",
    params: WithdrawalParams,
    body: WithdrawalConfirmBody,
    responses: { 200: { description: "The withdrawal", schema: WithdrawalView } },
    errors: ["invalid_request", "not_found", "conflict", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/withdrawals",
    operationId: "listWithdrawals",
    summary: "The caller's withdrawals",
    tags: ["money"],
    auth: "apiKey",
    responses: { 200: { description: "Every withdrawal", schema: WithdrawalList } },
    errors: ["dependency_unavailable"],
  }),
];

function view(w: Withdrawal) {
  return {
    id: w.id,
    amount: microUsdc(w.amount),
    destination: w.destination,
    status: w.status,
    signature: w.signature,
    confirmedSlot: w.confirmedSlot,
    lastValidBlockHeight: String(w.lastValidBlockHeight),
    createdAt: w.createdAt.toISOString(),
  };
}

/**
 * `POST /v1/withdrawals {amount}` → a co-signed transaction (vault → the wallet's USDC account) for
 * the wallet to sign and send; new reservations wait until it lands or expires.
 * `POST /v1/withdrawals/:id/confirm {signature}` → verified on chain. `GET /v1/withdrawals`.
 */
export const withdrawalRoutes = new Hono<AuthEnv>()
  .use(requireApiKey())
  .post("/", validate("json", WithdrawalBody), async (c) => {
    const { amount } = c.req.valid("json");
    const w = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => startWithdrawal(c.env, db, c.var.wallet, amount),
    );
    c.header("cache-control", "no-store");
    return c.json(
      {
        id: w.id,
        amount: microUsdc(w.amount),
        destination: w.built.destination,
        transaction: w.built.transaction,
        encoding: "base64",
        lastValidBlockHeight: w.built.lastValidBlockHeight.toString(),
        cooldownUntil: new Date(w.cooldownUntil).toISOString(),
        next: `Sign and send the transaction, then POST /v1/withdrawals/${w.id}/confirm {signature}.`,
      },
      201,
    );
  })
  .post("/:id/confirm", validate("param", WithdrawalParams), validate("json", WithdrawalConfirmBody), async (c) => {
    const { id } = c.req.valid("param");
    const { signature } = c.req.valid("json");
    const w = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => confirmWithdrawal(c.env, db, c.var.wallet, id, signature),
    );
    return c.json(view(w));
  })
  .get("/", async (c) => {
    const rows = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => listWithdrawals(db, c.var.wallet),
    );
    return c.json({ withdrawals: rows.map(view) });
  });
