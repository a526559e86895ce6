/**
 * WebSocket → TCP relay that lets the Neon serverless driver (Postgres wire protocol inside a WebSocket)
 * talk to a local Postgres, like Neon's own wsproxy: `ws://127.0.0.1:<port>/v2?address=host:port`.
 *
 * With `serialize: true` (for PGlite, whose connections all share ONE session) it also serializes whole
 * transactions across connections: a connection takes a global lock with its first forwarded message and
 * keeps it until the server has answered everything it sent with ReadyForQuery status 'I' (idle, not in a
 * transaction block). Other connections' frames queue meanwhile. Limitation: a connection that stays
 * idle inside a transaction (or awaits another pooled connection from inside one) blocks everyone else.
 *
 * A lock holder whose client goes away is cleaned up before the lock moves on: the relay itself sends a
 * Parse that fails (aborts an implicit extended-protocol transaction instead of letting a Sync commit it),
 * Sync, then ROLLBACK, waits for the answers, and only then closes TCP and releases the lock. If the client
 * vanished mid-message, the stream cannot be completed, so TCP is closed and the server's own disconnect
 * handling rolls back (Postgres; pglite-socket rolls back an open transaction on disconnect too).
 */
import { createServer, type IncomingMessage } from "node:http";
import { connect, isIP, type Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { listenLoopback } from "../lib/process.ts";
import { parseMessage, queryMessage, SYNC_MESSAGE, TERMINATE_MESSAGE, WireScanner } from "./pg-wire.ts";

export interface PgRelay {
  port: number;
  /** Open client connections (for diagnostics and tests that wait for clients to finish closing). */
  readonly connections: number;
  stop(): Promise<void>;
}

export interface PgRelayOptions {
  /** Port on 127.0.0.1; 0 or absent picks a free one. */
  port?: number;
  /** Serialize transactions across connections (PGlite). */
  serialize?: boolean;
}

const CLEANUP_TIMEOUT_MS = 5000;
// Commands that make the server answer with one ReadyForQuery each.
const ANSWERED_BY_READY = new Set(["Q", "S", "F"]);
// Extended-protocol messages that open a sequence only a Sync ends.
const EXTENDED = new Set(["P", "B", "E", "D", "C", "H"]);

interface Conn {
  ws: WebSocket;
  tcp: Socket;
  connected: boolean;
  /** Client frames not yet forwarded (TCP still connecting, or waiting for the lock). */
  pending: Buffer[];
  front: WireScanner;
  back: WireScanner;
  /** ReadyForQuery answers still owed by the server for what was forwarded. */
  outstanding: number;
  /** Transaction status from the last ReadyForQuery: 'I' idle, 'T' in transaction, 'E' failed transaction. */
  status: string;
  extendedOpen: boolean;
  clientGone: boolean;
  /** The relay is aborting what a vanished lock holder left open. */
  cleaningUp: boolean;
  tcpClosed: boolean;
}

/**
 * Starts the relay on 127.0.0.1. Only loopback targets are allowed, and no browser handshakes (else 403).
 *
 * @example
 * const relay = await startPgRelay({ serialize: true });
 * // neonConfig.wsProxy = (h, p) => `127.0.0.1:${relay.port}/v2?address=${h}:${p}`
 * await relay.stop();
 */
export async function startPgRelay(opts: PgRelayOptions = {}): Promise<PgRelay> {
  const serialize = opts.serialize ?? false;
  const conns = new Set<Conn>();
  let holder: Conn | undefined;
  const waiters: Conn[] = [];

  const http = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required\n");
  });
  const wss = new WebSocketServer({ noServer: true });

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const target = parseTarget(req.url);
    // Browsers always send Origin on a WebSocket handshake; the driver in Node or workerd does not. Refusing
    // it keeps web pages open on this machine from reaching the (for PGlite, passwordless) database.
    if (!target || req.headers.origin !== undefined) {
      socket.end("HTTP/1.1 403 Forbidden\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, target.host, target.port));
  });

  function attach(ws: WebSocket, host: string, port: number): void {
    const tcp = connect({ host, port, noDelay: true });
    const conn: Conn = {
      ws,
      tcp,
      connected: false,
      pending: [],
      front: new WireScanner("frontend"),
      back: new WireScanner("backend", ["Z"]),
      outstanding: 0,
      status: "I",
      extendedOpen: false,
      clientGone: false,
      cleaningUp: false,
      tcpClosed: false,
    };
    conns.add(conn);

    tcp.on("connect", () => {
      conn.connected = true;
      pump(conn);
    });
    tcp.on("data", (chunk: Buffer) => onServerData(conn, chunk));
    tcp.on("error", () => tcp.destroy());
    tcp.on("close", () => {
      conn.tcpClosed = true;
      conns.delete(conn);
      dequeue(conn);
      if (ws.readyState === ws.OPEN) ws.close();
      release(conn);
    });

    ws.on("message", (data: RawData) => {
      conn.pending.push(toBuffer(data));
      pump(conn);
    });
    ws.on("error", () => ws.terminate());
    ws.on("close", () => onClientGone(conn));
  }

  /** Forwards a connection's pending frames if it is connected and (when serializing) may hold the lock. */
  function pump(conn: Conn): void {
    if (!conn.connected || conn.tcpClosed || conn.pending.length === 0) return;
    if (serialize) {
      if (holder === undefined) holder = conn;
      else if (holder !== conn) {
        if (!waiters.includes(conn)) waiters.push(conn);
        return;
      }
    }
    const frames = conn.pending;
    conn.pending = [];
    let terminate = false;
    for (const frame of frames) {
      conn.front.push(frame, (event) => {
        if (event.kind === "startup") conn.outstanding += 1;
        else if (event.kind === "negotiate") conn.back.expectByte();
        else if (event.kind === "message") {
          if (ANSWERED_BY_READY.has(event.type)) conn.outstanding += 1;
          if (event.type === "S") conn.extendedOpen = false;
          else if (EXTENDED.has(event.type)) conn.extendedOpen = true;
          else if (event.type === "X") terminate = true;
        }
      });
      conn.tcp.write(frame);
    }
    // Postgres closes after Terminate; PGlite's socket server does not, and Client.end() waits for the close.
    if (terminate) conn.tcp.end();
  }

  function onServerData(conn: Conn, chunk: Buffer): void {
    conn.back.push(chunk, (event) => {
      if (event.kind === "message" && event.type === "Z") {
        conn.outstanding = Math.max(0, conn.outstanding - 1);
        conn.status = String.fromCharCode(event.body?.[0] ?? 0x49);
      }
    });
    if (conn.cleaningUp) {
      if (conn.outstanding === 0) conn.tcp.end(TERMINATE_MESSAGE);
      return;
    }
    if (!conn.clientGone && conn.ws.readyState === conn.ws.OPEN) conn.ws.send(chunk);
    if (holder === conn && isSettled(conn)) release(conn);
  }

  function isSettled(conn: Conn): boolean {
    return conn.outstanding === 0 && conn.status === "I" && !conn.extendedOpen && conn.front.atBoundary;
  }

  function release(conn: Conn): void {
    if (holder !== conn) return;
    holder = undefined;
    while (holder === undefined && waiters.length > 0) pump(waiters.shift()!);
  }

  function dequeue(conn: Conn): void {
    const at = waiters.indexOf(conn);
    if (at >= 0) waiters.splice(at, 1);
  }

  function onClientGone(conn: Conn): void {
    if (conn.clientGone) return;
    conn.clientGone = true;
    conn.pending = [];
    dequeue(conn);
    if (conn.tcpClosed) return;
    const { tcp, front } = conn;
    if (!conn.connected || !front.readable || !front.atBoundary) {
      tcp.destroy();
      return;
    }
    if (holder !== conn || !front.typed) {
      // Nothing of ours is in flight on the server: a polite Terminate avoids "unexpected EOF" log noise.
      if (front.typed) tcp.end(TERMINATE_MESSAGE);
      else tcp.end();
      return;
    }
    // Abort whatever the client left open, then Terminate once the server has answered (see file header).
    conn.cleaningUp = true;
    conn.outstanding += 2;
    tcp.write(Buffer.concat([parseMessage("relay: client went away, aborting"), SYNC_MESSAGE]));
    tcp.write(queryMessage("ROLLBACK"));
    setTimeout(() => tcp.destroy(), CLEANUP_TIMEOUT_MS).unref();
  }

  const port = await listenLoopback(http, opts.port);

  return {
    port,
    get connections() {
      return conns.size;
    },
    async stop() {
      for (const conn of conns) {
        conn.ws.terminate();
        conn.tcp.destroy();
      }
      for (const ws of wss.clients) ws.terminate();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await closed;
      wss.close();
    },
  };
}

/** `/v2?address=host:port` with a loopback host, else undefined. `localhost` maps to 127.0.0.1. */
export function parseTarget(url: string | undefined): { host: string; port: number } | undefined {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url, "http://relay");
  } catch {
    return undefined;
  }
  if (parsed.pathname !== "/v2") return undefined;
  const address = parsed.searchParams.get("address");
  if (!address) return undefined;
  const colon = address.lastIndexOf(":");
  if (colon <= 0) return undefined;
  let host = address.slice(0, colon);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "localhost") host = "127.0.0.1";
  const loopback = (isIP(host) === 4 && host.startsWith("127.")) || host === "::1";
  return loopback ? { host, port } : undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
