/** `proxygate balance | usage`: the wallet's money as the gateway sees it, and its ledger. */
import { type CommandSpec, str } from "../args.ts";
import type { Context } from "../context.ts";
import { usageError } from "../errors.ts";
import { formatUsdc } from "../lib/money.ts";
import { keyValues, printJson, shortTime, table } from "../output.ts";

export interface Balance {
  wallet: string;
  available: string;
  onChain: string;
  chainSlot: number | null;
  reserved: string;
  unsettled: string;
  held: string;
  cooldownUntil: string | null;
  flagged: boolean;
}

export interface UsagePage {
  entries: {
    requestId: string;
    kind: string;
    listingId: string | null;
    taskId: string | null;
    charge: string;
    units: number | null;
    status: string;
    settlementBatchId: string | null;
    createdAt: string;
  }[];
  nextCursor: string | null;
}

export function formatBalance(b: Balance): string {
  const usdc = (micro: string) => `${formatUsdc(micro)} USDC`;
  return keyValues([
    ["wallet", b.wallet],
    ["available", usdc(b.available)],
    ["on chain", `${usdc(b.onChain)}${b.chainSlot === null ? "" : ` (slot ${b.chainSlot})`}`],
    ["reserved", usdc(b.reserved)],
    ["unsettled", usdc(b.unsettled)],
    ["held", b.held === "0" ? null : usdc(b.held)],
    ["cooldown", b.cooldownUntil ? `withdrawal in flight until ${shortTime(b.cooldownUntil)}` : null],
    ["flagged", b.flagged ? "yes: calls and withdrawals are suspended" : null],
  ]);
}

export function formatUsage(page: UsagePage): string {
  if (page.entries.length === 0) return "No usage yet.\n";
  return table(
    ["TIME (UTC)", "REQUEST", "KIND", "LISTING", "CHARGE (USDC)", "UNITS", "STATUS"],
    page.entries.map((e) => [
      shortTime(e.createdAt),
      e.requestId,
      e.kind,
      e.listingId ?? e.taskId ?? "–",
      formatUsdc(e.charge),
      e.units === null ? "–" : String(e.units),
      e.status,
    ]),
    ["left", "left", "left", "left", "right", "right", "left"],
  );
}

const balanceCommand: CommandSpec<Context> = {
  path: ["balance"],
  summary: "Show the available balance (on chain − unsettled − reserved − held)",
  async run(ctx) {
    const balance = await ctx.call<Balance>("/v1/balance");
    if (ctx.json) return printJson(ctx.io, balance);
    await ctx.io.out(formatBalance(balance));
  },
};

const usageCommand: CommandSpec<Context> = {
  path: ["usage"],
  summary: "List metered calls and other ledger entries, newest first",
  options: {
    limit: { type: "string", value: "<n>", description: "entries per page, 1–200 (default 50)" },
    cursor: { type: "string", value: "<cursor>", description: "the next page, from the previous page's cursor" },
  },
  async run(ctx, { values }) {
    const query = new URLSearchParams();
    const limit = str(values, "limit");
    if (limit !== undefined) {
      if (!/^[1-9][0-9]*$/.test(limit) || Number(limit) > 200) throw usageError("--limit must be 1–200");
      query.set("limit", limit);
    }
    const cursor = str(values, "cursor");
    if (cursor !== undefined) query.set("cursor", cursor);
    const page = await ctx.call<UsagePage>(`/v1/usage${query.size ? `?${query}` : ""}`);
    if (ctx.json) return printJson(ctx.io, page);
    await ctx.io.out(formatUsage(page));
    if (page.nextCursor) ctx.io.err(`proxygate: more entries: proxygate usage --cursor ${page.nextCursor}`);
  },
};

export const accountCommands = [balanceCommand, usageCommand];
