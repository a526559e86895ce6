import { Hono } from "hono";
import { z } from "zod";
import { MicroUsdc, microUsdc } from "../lib/money.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { requireApiKey } from "../middleware/auth.ts";
import { operation } from "../openapi/registry.ts";
import type { AuthEnv } from "../types.ts";

export const BalanceView = z.object({
  wallet: z.string(),
  /** What calls can spend now: on chain − unsettled − reserved − held; never overstated. */
  available: MicroUsdc,
  onChain: MicroUsdc,
  chainSlot: z.number().nullable(),
  reserved: MicroUsdc,
  unsettled: MicroUsdc,
  held: MicroUsdc,
  cooldownUntil: z.iso.datetime().nullable(),
  flagged: z.boolean(),
});

export const balanceApi = [
  operation({
    method: "get",
    path: "/v1/balance",
    operationId: "getBalance",
    summary: "The wallet's credit as its WalletDO sees it",
    tags: ["money"],
    auth: "apiKey",
    responses: { 200: { description: "Amounts in micro-USDC", schema: BalanceView } },
    errors: [],
  }),
];

/** `GET /v1/balance`: the wallet's money as its WalletDO sees it; amounts are micro-USDC strings. */
export const balance = new Hono<AuthEnv>().get("/v1/balance", requireApiKey(), async (c) => {
  const b = await walletStub(c.env, c.var.wallet).balance();
  c.header("cache-control", "no-store");
  return c.json({
    wallet: c.var.wallet,
    available: microUsdc(b.available),
    onChain: microUsdc(b.onChain),
    chainSlot: b.chainSlot,
    reserved: microUsdc(b.reserved),
    unsettled: microUsdc(b.unsettled),
    held: microUsdc(b.held),
    cooldownUntil: b.cooldownUntil === null ? null : new Date(b.cooldownUntil).toISOString(),
    flagged: b.flagged,
  } satisfies z.infer<typeof BalanceView>);
});
