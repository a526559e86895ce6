/** `proxygate proxy <listing|service> <path>`: one metered call, body streamed to stdout, cost and receipt on stderr. */
import { readFile, writeFile } from "node:fs/promises";
import { bool, type CommandSpec, list, str } from "../args.ts";
import type { Context } from "../context.ts";
import { CliError, usageError } from "../errors.ts";
import { GatewayError, send } from "../lib/http.ts";
import { formatUsdc } from "../lib/money.ts";
import { ProxyStreamFilter, streamingBody } from "../lib/stream.ts";
import { VERSION } from "../version.ts";

/** Headers the CLI owns: the key is sent from the config, never from -H. */
const OWN_HEADERS = new Set(["authorization", "host", "content-length"]);

/** Parses `-H "Name: value"` lines into a header record; a usage error on anything malformed. */
export function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = colon < 0 ? "" : line.slice(0, colon).trim();
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) throw usageError(`-H "${line}" is not "Name: value"`);
    if (OWN_HEADERS.has(name.toLowerCase())) {
      throw usageError(`-H ${name}: set by proxygate itself (the API key comes from --key / PROXYGATE_KEY / login)`);
    }
    headers[name.toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** `/v1/proxy/<target><path>`: the path keeps its query string; the target is one path segment. */
export function proxyPath(target: string, path: string): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(target)) throw usageError(`"${target}" is not a listing id or service name`);
  if (!path.startsWith("/")) throw usageError(`the upstream path must start with "/" (got "${path}")`);
  return `/v1/proxy/${target}${path}`;
}

async function readBody(ctx: Context, data: string | undefined): Promise<string | undefined> {
  if (data === undefined) return undefined;
  if (data === "@-") return ctx.io.stdin();
  if (data.startsWith("@")) {
    try {
      return await readFile(data.slice(1), "utf8");
    } catch (err) {
      throw usageError(
        `cannot read ${data.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  }
  return data;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export const proxyCommand: CommandSpec<Context> = {
  path: ["proxy"],
  summary: "Call an API through the gateway, paid per request",
  args: "<listing|service> <path>",
  minArgs: 2,
  options: {
    method: {
      type: "string",
      short: "X",
      value: "<method>",
      description: "HTTP method (default GET, or POST with -d)",
    },
    data: { type: "string", short: "d", value: "<body|@file|@->", description: "request body, from a file, or stdin" },
    header: { type: "string", short: "H", value: "<Name: value>", multiple: true, description: "request header" },
    stream: {
      type: "boolean",
      description: 'ask for a stream: Accept: text/event-stream, and "stream": true in a JSON body',
    },
    "idempotency-key": {
      type: "string",
      value: "<key>",
      description: "a retry with the same key is never charged twice",
    },
    "save-receipt": { type: "string", value: "<file>", description: "write the call's signed receipt to a file" },
  },
  details: `The response body goes to stdout as it arrives; status, listing, cost and receipt go to stderr
(one JSON line with --json). A refused call (an error envelope) prints one line and exits 1.

Examples:
  proxygate proxy demo-data /data/weather?city=Paris
  proxygate proxy demo-llm /v1/chat/completions --stream \\
    -d '{"model":"demo-chat-1","messages":[{"role":"user","content":"hi"}]}'
  proxygate proxy <listing id> /v1/models --save-receipt call.receipt`,
  async run(ctx, { values, positionals }) {
    const [target, path] = positionals as [string, string];
    const wanted = proxyPath(target, path);
    const headers: Record<string, string> = {
      "user-agent": `proxygate-cli/${VERSION}`,
      ...parseHeaders(list(values, "header")),
    };
    let body = await readBody(ctx, str(values, "data"));
    const stream = bool(values, "stream");
    if (stream) {
      headers.accept ??= "text/event-stream";
      if (body !== undefined) body = streamingBody(body);
    }
    if (body !== undefined && !("content-type" in headers)) {
      headers["content-type"] = isJson(body) ? "application/json" : "text/plain; charset=utf-8";
    }
    const idempotencyKey = str(values, "idempotency-key");
    if (idempotencyKey !== undefined) headers["idempotency-key"] = idempotencyKey;
    headers.authorization = `Bearer ${ctx.apiKey()}`;
    const method = (str(values, "method") ?? (body === undefined ? "GET" : "POST")).toUpperCase();
    if (!/^[A-Z]+$/.test(method)) throw usageError(`-X ${method} is not an HTTP method`);

    const res = await send(`${ctx.url}${wanted}`, { method, headers, body, redirect: "manual" });
    if (res.status >= 400) throw new GatewayError(`${method} ${wanted}`, res.status, await res.text());

    const meta = {
      status: res.status,
      requestId: res.headers.get("x-proxygate-request-id"),
      listing: res.headers.get("x-proxygate-listing"),
      cost: res.headers.get("x-proxygate-cost"),
      receipt: res.headers.get("x-proxygate-receipt"),
    };
    const sse = (res.headers.get("content-type") ?? "").includes("text/event-stream");
    const filter = new ProxyStreamFilter();
    if (res.body) {
      const decoder = new TextDecoder();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        if (!sse) {
          await ctx.io.out(chunk);
          continue;
        }
        const text = filter.push(decoder.decode(chunk, { stream: true }));
        if (text) await ctx.io.out(text);
      }
      if (sse) {
        const rest = filter.push(decoder.decode()) + filter.end();
        if (rest) await ctx.io.out(rest);
      }
    }
    if (filter.trailer) {
      meta.requestId = filter.trailer.requestId;
      meta.cost = filter.trailer.cost;
      meta.receipt = filter.trailer.receipt;
    }
    const saveTo = str(values, "save-receipt");
    if (saveTo && meta.receipt) await writeFile(saveTo, `${meta.receipt}\n`);

    if (ctx.json) ctx.io.err(JSON.stringify(meta));
    else {
      const cost = meta.cost === null ? "cost unknown" : `cost ${formatUsdc(meta.cost)} USDC`;
      ctx.io.err(
        `proxygate: ${meta.status} · listing ${meta.listing ?? "?"} · ${cost} · request ${meta.requestId ?? "?"}`,
      );
      if (meta.receipt) ctx.io.err(`proxygate: receipt ${meta.receipt}`);
    }
    if (filter.error) {
      throw new CliError(filter.error.code, `the stream broke: ${filter.error.message} (not charged)`);
    }
    if (saveTo && !meta.receipt) throw new CliError("no_receipt", "the call returned no receipt to save");
  },
};
