import { Hono } from "hono";
import { withDb } from "../lib/db.ts";
import { microUsdc } from "../lib/money.ts";
import { validate } from "../lib/validate.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";
import { listDeposits, recordDeposit } from "../vault/deposits.ts";
import { DepositBody, DepositList, DepositRecorded } from "../vault/interface.ts";

export const depositsApi = [
  operation({
    method: "post",
    path: "/v1/deposits",
    operationId: "recordDeposit",
    summary: "Report a USDC transfer into the caller's vault: verified on chain (finalized), recorded once",
    tags: ["money"],
    auth: "apiKey",
    body: DepositBody,
    responses: { 201: { description: "The recorded deposit", schema: DepositRecorded } },
    errors: ["invalid_request", "not_found", "conflict", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/deposits",
    operationId: "listDeposits",
    summary: "The caller's recorded deposits",
    tags: ["money"],
    auth: "apiKey",
    responses: { 200: { description: "Oldest first", schema: DepositList } },
    errors: ["dependency_unavailable"],
  }),
];

/** `POST /v1/deposits {signature}`: verify a transfer into the caller's vault on chain and record it. */
export const depositRoutes = new Hono<AuthEnv>()
  .use(requireApiKey())
  .post("/", validate("json", DepositBody), async (c) => {
    const { signature } = c.req.valid("json");
    const d = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => recordDeposit(c.env, db, c.var.wallet, signature),
    );
    return c.json({ ...d, amount: microUsdc(d.amount), createdAt: d.createdAt.toISOString() }, 201);
  })
  .get("/", async (c) => {
    const rows = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => listDeposits(db, c.var.wallet),
    );
    return c.json({
      deposits: rows.map((d) => ({
        id: d.id,
        signature: d.signature,
        amount: microUsdc(d.amount),
        slot: d.slot,
        createdAt: d.createdAt.toISOString(),
      })),
    });
  });
