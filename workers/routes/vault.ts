import { Hono } from "hono";
import { withDb } from "../lib/db.ts";
import { microUsdc } from "../lib/money.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";
import { VaultCreated, VaultView } from "../vault/interface.ts";
import { describeVault, openVault } from "../vault/vaults.ts";

export const vaultApi = [
  operation({
    method: "post",
    path: "/v1/vault",
    operationId: "openVault",
    summary: "The transaction that creates the caller's vault (2-of-2 multisig, settlement delegate)",
    tags: ["money"],
    auth: "apiKey",
    responses: { 201: { description: "Sign (as fee payer) and send it, then GET /v1/vault", schema: VaultCreated } },
    errors: ["conflict", "dependency_unavailable"],
  }),
  operation({
    method: "get",
    path: "/v1/vault",
    operationId: "getVault",
    summary: "The caller's vault and its on-chain state (the first read after creation activates it)",
    tags: ["money"],
    auth: "apiKey",
    responses: { 200: { description: "The vault", schema: VaultView } },
    errors: ["not_found", "conflict", "dependency_unavailable"],
  }),
];

/**
 * `POST /v1/vault`: the transaction that creates the caller's vault (a USDC account owned by a
 * 2-of-2 multisig [wallet, platform co-signer], the settlement key approved as delegate), already
 * signed by the platform: the wallet signs it and sends it. `GET /v1/vault`: the vault and its
 * on-chain state; the first read after the creation landed activates it.
 */
export const vault = new Hono<AuthEnv>()
  .use(requireApiKey())
  .post("/", async (c) => {
    const created = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => openVault(c.env, db, c.var.wallet),
    );
    c.header("cache-control", "no-store");
    return c.json(
      {
        vault: created.vault,
        multisig: created.multisig,
        mint: c.env.USDC_MINT,
        transaction: created.transaction,
        encoding: "base64",
        blockhash: created.blockhash,
        lastValidBlockHeight: created.lastValidBlockHeight.toString(),
        next: "Sign the transaction with your wallet (you are the fee payer) and send it; then GET /v1/vault.",
      },
      201,
    );
  })
  .get("/", async (c) => {
    const { row, state } = await withDb(
      c.env,
      (p) => c.executionCtx.waitUntil(p),
      (db) => describeVault(c.env, db, c.var.wallet),
    );
    c.header("cache-control", "no-store");
    return c.json({
      vault: row.vaultAddress,
      multisig: row.multisigAddress,
      status: row.status,
      mint: row.mint,
      coSigner: row.coSigner,
      delegate: row.delegate,
      onChain:
        state.status === "ok"
          ? { status: "ok", amount: microUsdc(state.amount), slot: Number(state.slot) }
          : state.status === "unsafe"
            ? { status: "unsafe", problems: state.problems, slot: Number(state.slot) }
            : { status: "missing", slot: Number(state.slot) },
      deposit: {
        address: row.vaultAddress,
        mint: row.mint,
        decimals: 6,
        howTo: "Transfer USDC to this address from any wallet or exchange, then POST /v1/deposits {signature}.",
      },
    });
  });
