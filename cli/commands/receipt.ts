/**
 * `proxygate receipt verify <file|requestId|receipt>`: checks a call's Ed25519 receipt locally
 * against the gateway's published receipt key (or one given with --public-key: fully offline).
 */
import { readFile } from "node:fs/promises";
import { parseReceipt, type ReceiptFields, verifyReceipt } from "../../workers/receipts/receipt.ts";
import { type CommandSpec, str } from "../args.ts";
import type { Context } from "../context.ts";
import { CliError, usageError } from "../errors.ts";
import { formatUsdc } from "../lib/money.ts";
import { keyValues, printJson } from "../output.ts";

const REQUEST_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The compact receipt in a file's text: the receipt itself (what `proxy --save-receipt` writes),
 * or JSON carrying a `receipt` field (what `GET /v1/receipts/:id` and `proxy --json` print).
 */
export function receiptFromText(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed.startsWith("pgr1.")) return trimmed;
  try {
    const json = JSON.parse(trimmed) as { receipt?: unknown };
    if (typeof json.receipt === "string") return json.receipt.trim();
  } catch {
    // Not JSON either.
  }
  return null;
}

async function readIfFile(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENAMETOOLONG") return null;
    throw usageError(`cannot read ${path}: ${code ?? (err as Error).message}`);
  }
}

export function receiptView(fields: ReceiptFields, publicKey: string) {
  return {
    valid: true,
    requestId: fields.requestId,
    wallet: fields.wallet,
    listing: fields.listing,
    charge: fields.charge.toString(),
    timestamp: new Date(fields.timestamp).toISOString(),
    publicKey,
  };
}

const verifyCommand: CommandSpec<Context> = {
  path: ["receipt", "verify"],
  summary: "Verify a call's signed receipt against the gateway's public key",
  args: "<file|requestId|receipt>",
  minArgs: 1,
  options: {
    "public-key": {
      type: "string",
      value: "<base58>",
      description: "the gateway's receipt key (default: fetched from GET /v1/receipts/public-key)",
    },
  },
  details: `<file> holds a receipt (proxy --save-receipt) or JSON with a "receipt" field; a request id fetches
the receipt from the gateway (your API key; seconds after the call). The signature is checked here,
with Ed25519, over proxygate-receipt/v1, request id, wallet, listing, charge and timestamp.
Exit 0 when it verifies, 1 when it does not.`,
  async run(ctx, { values, positionals }) {
    const [given] = positionals as [string];
    let receipt: string | null;
    const text = given.startsWith("pgr1.") ? given : await readIfFile(given);
    if (text !== null) {
      receipt = receiptFromText(text);
      if (!receipt) throw usageError(`${given} holds no proxygate receipt (pgr1.…)`);
    } else if (REQUEST_ID.test(given)) {
      receipt = (await ctx.call<{ receipt: string }>(`/v1/receipts/${given}`)).receipt;
    } else {
      throw usageError(`"${given}" is neither a file, a receipt nor a request id`);
    }
    if (!parseReceipt(receipt)) throw new CliError("invalid_receipt", "the receipt is malformed");
    const publicKey =
      str(values, "public-key") ?? (await ctx.callPublic<{ publicKey: string }>("/v1/receipts/public-key")).publicKey;
    const fields = await verifyReceipt(receipt, publicKey);
    if (!fields) throw new CliError("invalid_receipt", `the receipt does NOT verify against ${publicKey}`);
    const view = receiptView(fields, publicKey);
    if (ctx.json) return printJson(ctx.io, view);
    await ctx.io.out(
      keyValues([
        ["receipt", "valid"],
        ["request", view.requestId],
        ["wallet", view.wallet],
        ["listing", view.listing],
        ["charge", `${formatUsdc(fields.charge)} USDC`],
        ["time", view.timestamp],
        ["signed by", publicKey],
      ]),
    );
  },
};

export const receiptCommands = [verifyCommand];
