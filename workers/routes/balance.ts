import { Hono } from "hono";
import { microUsdc } from "../lib/money.ts";
import { walletStub } from "../lib/wallet-stub.ts";
import { requireApiKey } from "../middleware/auth.ts";
import type { AuthEnv } from "../types.ts";

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
  });
});
