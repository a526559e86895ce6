/**
 * `proxygate listings …`: the seller side. List, show, create, pause, unpause, rotate the
 * provider key, delete. A provider key is read from a file, stdin or PROXYGATE_PROVIDER_KEY —
 * never from the command line (shell history, process lists) — and never printed back.
 */
import { readFile } from "node:fs/promises";
import { type CommandSpec, list, type OptionValues, str } from "../args.ts";
import type { Context } from "../context.ts";
import { usageError } from "../errors.ts";
import { parsePositiveUsdc } from "../lib/money.ts";
import { keyValues, printJson, shortTime, table } from "../output.ts";
import { unitPrice } from "./apis.ts";

export interface OwnerListing {
  id: string;
  service: string;
  type: string;
  category: string;
  description: string;
  status: string;
  allowedMethods: string[];
  allowedPaths: string[];
  price: string;
  pricingUnit: string;
  capacity: { total: number; reservedForSelf: number; resale: number; window: string };
  upstreamBaseUrl: string;
  keyInjection: { kind: string; name?: string; template?: string };
  keyLast4: string;
  keyVersion: number;
  configVersion: number;
  createdAt: string;
  updatedAt: string;
}

export function formatListings(listings: OwnerListing[]): string {
  if (listings.length === 0) return 'No listings yet: see "proxygate listings create --help".\n';
  return table(
    ["ID", "SERVICE", "STATUS", "PRICE (USDC)", "CAPACITY", "KEY"],
    listings.map((l) => [
      l.id,
      l.service,
      l.status,
      unitPrice(l.price, l.pricingUnit),
      `${l.capacity.resale}/${l.capacity.window}`,
      `…${l.keyLast4} v${l.keyVersion}`,
    ]),
    ["left", "left", "left", "right", "right", "left"],
  );
}

export function formatListing(l: OwnerListing): string {
  const injection =
    l.keyInjection.kind === "bearer"
      ? "Authorization: Bearer <key>"
      : l.keyInjection.kind === "header"
        ? `header ${l.keyInjection.name}: ${l.keyInjection.template ?? "{key}"}`
        : `query ?${l.keyInjection.name}=<key>`;
  return keyValues([
    ["id", l.id],
    ["service", `${l.service} (${l.type}, ${l.category})`],
    ["status", l.status],
    ["description", l.description || null],
    ["upstream", l.upstreamBaseUrl],
    ["methods", l.allowedMethods.join(", ")],
    ["paths", l.allowedPaths.join(", ")],
    ["price", `${unitPrice(l.price, l.pricingUnit)} USDC`],
    [
      "capacity",
      `${l.capacity.resale}/${l.capacity.window} for resale (total ${l.capacity.total}, ${l.capacity.reservedForSelf} kept)`,
    ],
    ["key", `…${l.keyLast4} (version ${l.keyVersion}), sent as ${injection}`],
    ["updated", shortTime(l.updatedAt)],
  ]);
}

/** The provider key from --provider-key-file (a file, or "-" for stdin) or PROXYGATE_PROVIDER_KEY. */
async function providerKey(ctx: Context, values: OptionValues): Promise<string> {
  const file = str(values, "provider-key-file");
  let key: string | undefined;
  if (file === "-") key = await ctx.io.stdin();
  else if (file !== undefined) {
    try {
      key = await readFile(file, "utf8");
    } catch (err) {
      throw usageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else key = ctx.io.env.PROXYGATE_PROVIDER_KEY;
  key = key?.trim();
  if (!key) throw usageError("the provider key: --provider-key-file <file|-> or PROXYGATE_PROVIDER_KEY");
  return key;
}

function int(values: OptionValues, name: string): number | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  if (!/^[0-9]{1,15}$/.test(text)) throw usageError(`--${name} must be a whole number`);
  return Number(text);
}

/** Comma-separated or repeated values: `--method GET,POST` = `--method GET --method POST`. */
function items(values: OptionValues, name: string): string[] | undefined {
  const all = list(values, name).flatMap((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  return all.length > 0 ? all : undefined;
}

/**
 * The `POST /v1/listings` body from --file (the API's own JSON) and the flags, flags winning.
 * Prices are taken in USDC and sent as micro-USDC. Validation beyond shape is the gateway's.
 */
export function listingBody(base: Record<string, unknown>, values: OptionValues): Record<string, unknown> {
  const body: Record<string, unknown> = { ...base };
  const set = (field: string, value: unknown) => {
    if (value !== undefined) body[field] = value;
  };
  set("service", str(values, "service"));
  set("category", str(values, "category"));
  set("description", str(values, "description"));
  set("upstreamBaseUrl", str(values, "upstream"));
  set(
    "allowedMethods",
    items(values, "method")?.map((m) => m.toUpperCase()),
  );
  set("allowedPaths", items(values, "path"));
  const price = str(values, "price");
  if (price !== undefined) {
    try {
      body.price = parsePositiveUsdc(price).toString();
    } catch (err) {
      throw usageError(`--price: ${(err as Error).message}`);
    }
  }
  set("pricingUnit", str(values, "unit"));
  const total = int(values, "capacity");
  const reserved = int(values, "reserved");
  const window = str(values, "window");
  if (total !== undefined || reserved !== undefined || window !== undefined) {
    const capacity = { ...(body.capacity as Record<string, unknown> | undefined) };
    if (total !== undefined) capacity.total = total;
    if (reserved !== undefined) capacity.reservedForSelf = reserved;
    if (window !== undefined) capacity.window = window;
    body.capacity = capacity;
  }
  const header = str(values, "key-header");
  const query = str(values, "key-query");
  if (header !== undefined && query !== undefined) throw usageError("--key-header and --key-query exclude each other");
  const template = str(values, "key-template");
  if (header !== undefined) {
    body.keyInjection = { kind: "header", name: header, ...(template !== undefined ? { template } : {}) };
  } else if (query !== undefined) body.keyInjection = { kind: "query", name: query };
  else if (template !== undefined) throw usageError("--key-template needs --key-header");
  const missing = [
    "service",
    "category",
    "upstreamBaseUrl",
    "allowedMethods",
    "allowedPaths",
    "price",
    "capacity",
  ].filter((f) => body[f] === undefined);
  if (missing.length > 0) throw usageError(`missing for a listing: ${missing.join(", ")} (see --help)`);
  return body;
}

async function specFile(values: OptionValues): Promise<Record<string, unknown>> {
  const file = str(values, "file");
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw usageError(`--file ${file}: ${(err as NodeJS.ErrnoException).code ?? "not JSON"}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw usageError(`--file ${file}: expected a JSON object`);
  }
  if ("providerKey" in parsed)
    throw usageError(`--file ${file}: keep the provider key out of it (--provider-key-file)`);
  return parsed as Record<string, unknown>;
}

const PROVIDER_KEY_FILE = {
  type: "string",
  value: "<file|->",
  description: "the upstream API key, from a file or stdin (or env PROXYGATE_PROVIDER_KEY)",
} as const;

const listCommand: CommandSpec<Context> = {
  path: ["listings"],
  summary: "List your listings",
  async run(ctx) {
    const { listings } = await ctx.call<{ listings: OwnerListing[] }>("/v1/listings");
    if (ctx.json) return printJson(ctx.io, { listings });
    await ctx.io.out(formatListings(listings));
  },
};

const listAlias: CommandSpec<Context> = { ...listCommand, path: ["listings", "list"], hidden: true };

const showCommand: CommandSpec<Context> = {
  path: ["listings", "show"],
  summary: "Show one listing",
  args: "<id>",
  minArgs: 1,
  async run(ctx, { positionals }) {
    const listing = await ctx.call<OwnerListing>(`/v1/listings/${encodeURIComponent(positionals[0] as string)}`);
    if (ctx.json) return printJson(ctx.io, listing);
    await ctx.io.out(formatListing(listing));
  },
};

const createCommand: CommandSpec<Context> = {
  path: ["listings", "create"],
  summary: "Sell capacity of an upstream API",
  options: {
    file: { type: "string", value: "<spec.json>", description: "the listing as the API's JSON (flags override it)" },
    service: { type: "string", value: "<slug>", description: "service name buyers route by, e.g. openai" },
    category: { type: "string", value: "<name>", description: "e.g. llm, data" },
    description: { type: "string", value: "<text>", description: "what buyers get" },
    upstream: { type: "string", value: "<url>", description: "upstream base URL (https)" },
    method: { type: "string", value: "<GET,POST>", multiple: true, description: "allowed methods" },
    path: {
      type: "string",
      value: "<pattern>",
      multiple: true,
      description: "allowed paths, e.g. /v1/chat/completions, /data/*",
    },
    price: { type: "string", value: "<usdc>", description: "your price per unit, in USDC (buyers pay + fee)" },
    unit: { type: "string", value: "<unit>", description: "per_call (default) | per_1k_tokens" },
    capacity: { type: "string", value: "<n>", description: "calls per window you have in total" },
    reserved: { type: "string", value: "<n>", description: "of those, kept for yourself (default 0)" },
    window: { type: "string", value: "<window>", description: "second | minute (default) | hour | day | month" },
    "key-header": { type: "string", value: "<name>", description: "inject the key in this header (default: bearer)" },
    "key-template": {
      type: "string",
      value: "<tpl>",
      description: 'header value template containing {key}, e.g. "Token {key}"',
    },
    "key-query": { type: "string", value: "<name>", description: "inject the key as this query parameter" },
    "provider-key-file": PROVIDER_KEY_FILE,
  },
  details: `Example:
  echo "$UPSTREAM_KEY" | proxygate listings create --service weather --category data \\
    --upstream https://api.example.com --method GET --path /v1/forecast --path "/v1/cities/*" \\
    --price 0.0002 --capacity 600 --window minute --key-header X-Api-Key --provider-key-file -`,
  async run(ctx, { values }) {
    const body = listingBody(await specFile(values), values);
    body.providerKey = await providerKey(ctx, values);
    const listing = await ctx.call<OwnerListing>("/v1/listings", { body });
    if (ctx.json) return printJson(ctx.io, listing);
    await ctx.io.out(formatListing(listing));
  },
};

function statusCommand(action: "pause" | "unpause" | "delete", summary: string): CommandSpec<Context> {
  return {
    path: ["listings", action],
    summary,
    args: "<id>",
    minArgs: 1,
    async run(ctx, { positionals }) {
      const id = encodeURIComponent(positionals[0] as string);
      const listing = await ctx.call<OwnerListing>(
        action === "delete" ? `/v1/listings/${id}` : `/v1/listings/${id}/${action}`,
        action === "delete" ? { method: "DELETE" } : { method: "POST", body: {} },
      );
      if (ctx.json) return printJson(ctx.io, listing);
      await ctx.io.out(`Listing ${listing.id} is ${listing.status}.\n`);
    },
  };
}

const rotateCommand: CommandSpec<Context> = {
  path: ["listings", "rotate-key"],
  summary: "Replace the provider key (takes effect on the next call)",
  args: "<id>",
  minArgs: 1,
  options: { "provider-key-file": PROVIDER_KEY_FILE },
  async run(ctx, { values, positionals }) {
    const providerKeyValue = await providerKey(ctx, values);
    const listing = await ctx.call<OwnerListing>(
      `/v1/listings/${encodeURIComponent(positionals[0] as string)}/rotate-key`,
      { body: { providerKey: providerKeyValue } },
    );
    if (ctx.json) return printJson(ctx.io, listing);
    await ctx.io.out(`Listing ${listing.id}: key …${listing.keyLast4} (version ${listing.keyVersion}).\n`);
  },
};

export const listingCommands = [
  listCommand,
  listAlias,
  showCommand,
  createCommand,
  statusCommand("pause", "Stop selling at once (the next call is refused)"),
  statusCommand("unpause", "Sell again"),
  rotateCommand,
  statusCommand("delete", "Delete a listing for good"),
];
