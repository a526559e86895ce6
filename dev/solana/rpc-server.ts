import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLoopback } from "../lib/process.ts";
import { LocalChain } from "./chain.ts";
import { createDevMint, type DevMint } from "./dev-mint.ts";
import { Faucet } from "./faucet.ts";
import { parseJson, stringifyJson } from "./json.ts";
import { handleJsonRpc } from "./json-rpc.ts";
import type { MethodContext } from "./methods/index.ts";

export interface SolanaRpcServer {
  /** JSON-RPC endpoint, e.g. `http://127.0.0.1:41234` (what `createSolanaRpc` takes). */
  url: string;
  port: number;
  /** Address of the dev USDC-like mint (6 decimals), stable across restarts. */
  mint: string;
  decimals: number;
  stop(): Promise<void>;
}

export interface SolanaRpcOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: "127.0.0.1";
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * Starts a local Solana JSON-RPC node over LiteSVM, in this process, on 127.0.0.1.
 *
 * Besides JSON-RPC on `POST /`, it serves dev-only routes: `POST /faucet`, `GET /info`,
 * `GET /health` and `POST /admin/expire-blockhash` (see dev/solana/README.md).
 *
 * @example
 * const solana = await startSolanaRpc();
 * const rpc = createSolanaRpc(solana.url);
 * await fetch(`${solana.url}/faucet`, { method: "POST", body: JSON.stringify({ wallet, usdc: 5_000_000 }) });
 * await solana.stop();
 */
export async function startSolanaRpc(options: SolanaRpcOptions = {}): Promise<SolanaRpcServer> {
  const host = options.host ?? "127.0.0.1";
  const chain = new LocalChain();
  const mint = await createDevMint(chain);
  const faucet = new Faucet(chain, mint);
  const ctx: MethodContext = { chain, airdrop: (to, lamports) => faucet.airdrop(to, lamports) };

  const deps: Deps = { chain, mint, faucet, ctx, outage: { down: false } };
  const server = createServer((req, res) => {
    route(req, res, deps).catch((error: unknown) => {
      console.error("[solana-rpc] request failed:", error);
      if (!res.headersSent) send(res, 500, { error: (error as Error).message });
      else res.destroy();
    });
  });
  const port = await listenLoopback(server, options.port);
  return {
    url: `http://${host}:${port}`,
    port,
    mint: mint.address,
    decimals: mint.decimals,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface Deps {
  chain: LocalChain;
  mint: DevMint;
  faucet: Faucet;
  ctx: MethodContext;
  /** Test hook (`POST /admin/outage`): while true, JSON-RPC answers 503 as an unreachable node would. */
  outage?: { down: boolean };
}

async function route(req: IncomingMessage, res: ServerResponse, deps: Deps): Promise<void> {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  const key = `${req.method} ${path}`;
  if (req.method === "OPTIONS") return send(res, 204, undefined);
  switch (key) {
    case "POST /": {
      if (deps.outage?.down) return send(res, 503, { error: "rpc outage (test hook)" });
      const text = await readBody(req, res);
      if (text !== undefined) send(res, 200, await handleJsonRpc(text, deps.ctx));
      return;
    }
    case "GET /health":
      return sendText(res, 200, "ok");
    case "GET /info":
      return send(res, 200, {
        mint: deps.mint.address,
        decimals: deps.mint.decimals,
        mintAuthority: deps.mint.authority.address,
        slot: deps.chain.blocks.slot,
        blockHeight: deps.chain.blocks.blockHeight,
      });
    case "POST /faucet": {
      const text = await readBody(req, res);
      if (text === undefined) return;
      let body: unknown;
      try {
        body = parseJson(text);
      } catch {
        return send(res, 400, { error: "body must be JSON: {wallet, usdc?, sol?}" });
      }
      const result = await deps.faucet.handle(body);
      return send(res, result.status, result.body);
    }
    case "POST /admin/expire-blockhash": {
      // Local-only test hook: every blockhash handed out so far stops being valid.
      deps.chain.blocks.expireAll();
      return send(res, 200, { ...deps.chain.blocks.latestBlockhash(), slot: deps.chain.blocks.slot });
    }
    case "POST /admin/outage": {
      // Local-only test hook: {"down": true} makes JSON-RPC unavailable until {"down": false}.
      const text = await readBody(req, res);
      if (text === undefined) return;
      const down = (parseJson(text) as { down?: unknown } | null)?.down;
      if (typeof down !== "boolean" || !deps.outage) return send(res, 400, { error: 'body must be {"down": boolean}' });
      deps.outage.down = down;
      return send(res, 200, { down });
    }
    default:
      return send(res, 404, { error: `no route ${key}` });
  }
}

async function readBody(req: IncomingMessage, res: ServerResponse): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      send(res, 413, { error: "request body too large" });
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

// Browsers (the dashboard) may call the RPC directly, as they do with hosted RPC providers.
const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-allow-headers": "content-type, solana-client",
};

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? "" : stringifyJson(body);
  res.writeHead(status, { ...CORS_HEADERS, "content-type": "application/json" });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...CORS_HEADERS, "content-type": "text/plain" });
  res.end(text);
}
