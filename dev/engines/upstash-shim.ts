import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { listenLoopback } from "../lib/process.ts";
import { RedisPool } from "./redis-connection.ts";
import { RedisReplyError, type RespArg, type RespReply } from "./resp.ts";

/**
 * Upstash-REST-compatible HTTP front for a local redis-server, enough for `@upstash/redis`
 * (auto-pipelining, multi-exec, createScript's EVALSHA→EVAL fallback, base64 responses).
 * Routes: POST / (one command as a JSON array), POST /pipeline, POST /multi-exec (arrays of
 * commands), and path commands such as GET /set/foo/bar or POST /set/foo with the value as body.
 * Dev and tests only: one token, no read-only tokens, no SSE endpoints (monitor/subscribe).
 */

export interface UpstashShimHandle {
  url: string;
  token: string;
  port: number;
  stop(): Promise<void>;
}

type Json = null | number | string | Json[];
type Reply = { status: number; body: unknown };

const MAX_BODY_BYTES = 32 * 1024 * 1024;

// Commands that would change or block a pooled connection's state; the shared connections must stay
// stateless. Transactions go through /multi-exec instead.
const UNSUPPORTED = new Set([
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
  "select",
  "swapdb",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "sync",
  "psync",
  "quit",
  "reset",
  "hello",
  "auth",
  "client",
  "shutdown",
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "wait",
  "waitaof",
]);

/**
 * Starts the shim on 127.0.0.1 (port 0 = any free port) in front of redis-server at `redisPort`.
 *
 * @example
 * const redis = await startRedis();
 * const shim = await startUpstashShim({ redisPort: redis.port, token: "dev-token" });
 * const client = new Redis({ url: shim.url, token: shim.token, retry: false });
 */
export async function startUpstashShim(opts: {
  redisPort: number;
  token: string;
  port?: number;
}): Promise<UpstashShimHandle> {
  const pool = new RedisPool(opts.redisPort);
  const expected = Buffer.from(opts.token);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) res.destroy();
      else send(res, { status: 500, body: { error: `ERR local shim: ${message}` } });
    });
  });
  server.keepAliveTimeout = 60_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    if (!["GET", "HEAD", "POST", "PUT"].includes(method)) {
      req.resume();
      return send(res, { status: 405, body: { error: "ERR method not allowed" } });
    }
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = new URLSearchParams(queryAt === -1 ? "" : rawUrl.slice(queryAt + 1));
    if (!authorized(req, query)) {
      req.resume();
      return send(res, { status: 401, body: { error: "Unauthorized" } });
    }
    const body = await readBody(req);
    if (body === undefined) return send(res, { status: 413, body: { error: "ERR request body too large" } });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";

    if (path === "/" || path === "") return send(res, await single(parseJson(body), base64));
    if (path === "/pipeline") return send(res, await pipeline(parseJson(body), base64));
    if (path === "/multi-exec") return send(res, await multiExec(parseJson(body), base64));
    return send(res, await single(pathCommand(path, query, method === "GET" ? undefined : body), base64));
  }

  function authorized(req: IncomingMessage, query: URLSearchParams): boolean {
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : (query.get("_token") ?? "");
    const candidate = Buffer.from(given);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  }

  async function single(input: unknown, base64: boolean): Promise<Reply> {
    const args = toCommand(input);
    if (typeof args === "string") return { status: 400, body: { error: args } };
    const conn = await pool.acquireShared();
    const reply = await conn.send(args);
    if (reply instanceof RedisReplyError) return { status: 400, body: { error: reply.message } };
    return { status: 200, body: { result: toJson(reply, base64) } };
  }

  async function pipeline(input: unknown, base64: boolean): Promise<Reply> {
    if (!Array.isArray(input) || input.length === 0) {
      return { status: 400, body: { error: "ERR pipeline body must be a non-empty array of commands" } };
    }
    const commands = input.map(toCommand);
    const valid = commands.filter((c): c is RespArg[] => typeof c !== "string");
    const conn = await pool.acquireShared();
    const replies = valid.length > 0 ? await conn.sendBatch(valid) : [];
    let next = 0;
    // Invalid commands were never sent: their slot gets the validation error, in order.
    const items = commands.map((c) => (typeof c === "string" ? { error: c } : item(replies[next++] ?? null, base64)));
    return { status: 200, body: items };
  }

  async function multiExec(input: unknown, base64: boolean): Promise<Reply> {
    if (!Array.isArray(input) || input.length === 0) {
      return { status: 400, body: { error: "ERR multi-exec body must be a non-empty array of commands" } };
    }
    const commands: RespArg[][] = [];
    for (const raw of input) {
      const c = toCommand(raw);
      // Upstash discards the whole transaction when one command is malformed or unsupported.
      if (typeof c === "string") return { status: 400, body: { error: c } };
      commands.push(c);
    }
    const replies = await pool.withExclusive((conn) => conn.sendBatch([["MULTI"], ...commands, ["EXEC"]]));
    const exec = replies[replies.length - 1] ?? null;
    if (!Array.isArray(exec)) {
      const queued = replies.slice(1, -1).find((r) => r instanceof RedisReplyError);
      const error = queued ?? exec;
      const message = error instanceof RedisReplyError ? error.message : "ERR transaction aborted";
      return { status: 400, body: { error: message } };
    }
    return { status: 200, body: exec.map((r) => item(r, base64)) };
  }

  const port = await listenLoopback(server, opts.port);

  return {
    url: `http://127.0.0.1:${port}`,
    token: opts.token,
    port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await pool.close();
    },
  };
}

function item(reply: RespReply, base64: boolean): { result: Json } | { error: string } {
  return reply instanceof RedisReplyError ? { error: reply.message } : { result: toJson(reply, base64) };
}

/**
 * Upstash's JSON mapping: integers stay numbers, nil is null, arrays nest; with base64 on, every
 * string (nested too) is base64 except the status reply "OK". Without it, bytes are read as UTF-8.
 */
export function toJson(reply: RespReply, base64: boolean): Json {
  if (reply === null || typeof reply === "number") return reply;
  if (typeof reply === "string") return base64 && reply !== "OK" ? Buffer.from(reply).toString("base64") : reply;
  if (Buffer.isBuffer(reply)) return reply.toString(base64 ? "base64" : "utf8");
  if (reply instanceof RedisReplyError) return reply.message;
  return reply.map((r) => toJson(r, base64));
}

/** Validates one JSON command; returns its arguments, or an error message. */
function toCommand(input: unknown): RespArg[] | string {
  if (!Array.isArray(input) || input.length === 0) return "ERR command must be a non-empty JSON array";
  const args: RespArg[] = [];
  for (const a of input) {
    if (typeof a === "string") args.push(a);
    else if (typeof a === "number" && Number.isFinite(a)) args.push(String(a));
    else if (Buffer.isBuffer(a)) args.push(a);
    else return "ERR command arguments must be strings or numbers";
  }
  const name = String(args[0]).toLowerCase();
  if (UNSUPPORTED.has(name)) return `ERR Command is not available in the local Upstash shim: '${name}'`;
  return args;
}

/** `/set/foo/bar?EX=100` → SET foo bar EX 100; a POST body is appended as the value, before the query. */
function pathCommand(path: string, query: URLSearchParams, body: Buffer | undefined): RespArg[] {
  const args: RespArg[] = path
    .split("/")
    .filter((s) => s.length > 0)
    .map(decodeSegment);
  if (body && body.length > 0) args.push(body);
  for (const [key, value] of query) {
    if (key === "_token") continue;
    args.push(key);
    if (value !== "") args.push(value);
  }
  return args;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  res.end(payload);
}
