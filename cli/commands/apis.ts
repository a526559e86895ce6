/** `proxygate apis [id]`: the public catalog (GET /v1/apis, GET /v1/apis/:id). */
import { type CommandSpec, str } from "../args.ts";
import type { Context } from "../context.ts";
import { CliError, usageError } from "../errors.ts";
import { GatewayError } from "../lib/http.ts";
import { formatUsdc, parseUsdc } from "../lib/money.ts";
import { keyValues, percent, printJson, table } from "../output.ts";

/** One catalog entry, as docs/contracts: amounts are micro-USDC strings. */
export interface ApiEntry {
  id: string;
  service: string;
  type: string;
  category: string;
  description: string;
  pricingUnit: "per_call" | "per_1k_tokens";
  price: string;
  sellerPrice: string;
  capacity: { window: string; resale: number; headroom: number };
  health: {
    uptime: number | null;
    errorRate: number | null;
    p50Ms: number | null;
    p95Ms: number | null;
    samples: number;
  };
  sellerCount: number;
  proxyUrl: string;
  methods?: string[];
  paths?: string[];
}

export interface Catalog {
  apis: ApiEntry[];
  services: { service: string; sellerCount: number }[];
}

/** "0.00105/call", "0.00105/1k tokens". */
export function unitPrice(price: string, unit: string): string {
  return `${formatUsdc(price)}/${unit === "per_1k_tokens" ? "1k tokens" : "call"}`;
}

/** The query string of `apis`: filters as the catalog route takes them (max price in micro-USDC). */
export function catalogQuery(filters: {
  service?: string;
  category?: string;
  type?: string;
  maxPrice?: string;
  sort?: string;
}): string {
  const query = new URLSearchParams();
  if (filters.service) query.set("service", filters.service);
  if (filters.category) query.set("category", filters.category);
  if (filters.type) query.set("type", filters.type);
  if (filters.maxPrice !== undefined) {
    try {
      query.set("maxPrice", parseUsdc(filters.maxPrice).toString());
    } catch (err) {
      throw usageError(`--max-price: ${(err as Error).message}`);
    }
  }
  if (filters.sort) {
    if (!["price", "latency", "uptime"].includes(filters.sort))
      throw usageError("--sort must be price, latency or uptime");
    query.set("sort", filters.sort);
  }
  const text = query.toString();
  return text ? `?${text}` : "";
}

/** The catalog as a table. */
export function formatCatalog(catalog: Catalog): string {
  if (catalog.apis.length === 0) return "No APIs match.\n";
  return table(
    ["ID", "SERVICE", "CATEGORY", "PRICE (USDC)", "HEADROOM", "UPTIME", "P50", "SELLERS"],
    catalog.apis.map((a) => [
      a.id,
      a.service,
      a.category,
      unitPrice(a.price, a.pricingUnit),
      percent(a.capacity.headroom),
      percent(a.health.uptime),
      a.health.p50Ms === null ? "–" : `${a.health.p50Ms} ms`,
      String(a.sellerCount),
    ]),
    ["left", "left", "left", "right", "right", "right", "right", "right"],
  );
}

export const apisCommand: CommandSpec<Context> = {
  path: ["apis"],
  summary: "Browse the catalog: APIs for sale, price, capacity, health",
  args: "[id]",
  maxArgs: 1,
  options: {
    service: { type: "string", value: "<name>", description: "only this service (e.g. openai)" },
    category: { type: "string", value: "<name>", description: "only this category (e.g. llm)" },
    type: { type: "string", value: "<type>", description: "only this listing type (e.g. proxy)" },
    "max-price": { type: "string", value: "<usdc>", description: "at most this buyer price per unit, in USDC" },
    sort: { type: "string", value: "<key>", description: "price | latency | uptime" },
  },
  details: `Prices are what you pay per unit (the seller's price + the buyer fee).
Call one with: proxygate proxy <id or service> <path>.`,
  async run(ctx, { values, positionals }) {
    const [id] = positionals;
    if (id !== undefined) {
      const entry = await ctx.callPublic<ApiEntry>(`/v1/apis/${encodeURIComponent(id)}`);
      if (ctx.json) return printJson(ctx.io, entry);
      await ctx.io.out(
        keyValues([
          ["id", entry.id],
          ["service", `${entry.service} (${entry.sellerCount} seller${entry.sellerCount === 1 ? "" : "s"})`],
          ["category", entry.category],
          ["description", entry.description || null],
          ["price", `${unitPrice(entry.price, entry.pricingUnit)} USDC (seller ${formatUsdc(entry.sellerPrice)})`],
          [
            "capacity",
            `${entry.capacity.resale}/${entry.capacity.window}, headroom ${percent(entry.capacity.headroom)}`,
          ],
          [
            "health",
            `uptime ${percent(entry.health.uptime)}, errors ${percent(entry.health.errorRate)}, p50 ${entry.health.p50Ms ?? "–"} ms, p95 ${entry.health.p95Ms ?? "–"} ms (${entry.health.samples} samples)`,
          ],
          ["methods", entry.methods?.join(", ") ?? null],
          ["paths", entry.paths?.join(", ") ?? null],
          ["call", `proxygate proxy ${entry.id} <path>`],
        ]),
      );
      return;
    }
    const query = catalogQuery({
      service: str(values, "service"),
      category: str(values, "category"),
      type: str(values, "type"),
      maxPrice: str(values, "max-price"),
      sort: str(values, "sort"),
    });
    let catalog: Catalog;
    try {
      catalog = await ctx.callPublic<Catalog>(`/v1/apis${query}`);
    } catch (err) {
      if (err instanceof GatewayError && err.status === 404) {
        throw new CliError("not_found", `${ctx.url} has no catalog (GET /v1/apis answered 404)`);
      }
      throw err;
    }
    if (ctx.json) return printJson(ctx.io, catalog);
    await ctx.io.out(formatCatalog(catalog));
  },
};
