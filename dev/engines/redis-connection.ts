import { connect, type Socket } from "node:net";
import { encodeCommand, type RespArg, RespParser, type RespReply } from "./resp.ts";

interface Pending {
  readonly count: number;
  readonly replies: RespReply[];
  resolve(replies: RespReply[]): void;
  reject(error: Error): void;
}

/**
 * One pipelined TCP connection to redis-server: commands are written as they come and replies are
 * matched to callers in FIFO order, so many HTTP requests can share a connection without waiting.
 */
export class RedisConnection {
  private readonly socket: Socket;
  private readonly pending: Pending[] = [];
  private closedWith: Error | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    const parser = new RespParser((reply) => this.deliver(reply));
    socket.on("data", (chunk: Buffer) => {
      try {
        parser.push(chunk);
      } catch (error) {
        socket.destroy(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.on("error", (error) => this.fail(error));
    socket.on("close", () => this.fail(new Error("redis connection closed")));
  }

  static open(port: number, host = "127.0.0.1"): Promise<RedisConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, noDelay: true });
      const onError = (error: Error) => reject(error);
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(new RedisConnection(socket));
      });
    });
  }

  get usable(): boolean {
    return this.closedWith === undefined;
  }

  /** Sends one command; an error reply resolves as a RedisReplyError value. */
  async send(args: readonly RespArg[]): Promise<RespReply> {
    const [reply] = await this.sendBatch([args]);
    return reply ?? null;
  }

  /** Writes all commands in a single socket write and resolves with their replies in order. */
  sendBatch(commands: readonly (readonly RespArg[])[]): Promise<RespReply[]> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.pending.push({ count: commands.length, replies: [], resolve, reject });
      const payload = commands.length === 1 ? encodeCommand(commands[0]!) : Buffer.concat(commands.map(encodeCommand));
      this.socket.write(payload);
    });
  }

  close(): void {
    this.fail(new Error("redis connection closed"));
    this.socket.destroy();
  }

  private deliver(reply: RespReply): void {
    const head = this.pending[0];
    if (!head) return;
    head.replies.push(reply);
    if (head.replies.length === head.count) {
      this.pending.shift();
      head.resolve(head.replies);
    }
  }

  private fail(error: Error): void {
    this.closedWith ??= error;
    for (const p of this.pending.splice(0)) p.reject(this.closedWith);
  }
}

/**
 * A few shared pipelined connections for ordinary commands, plus exclusively leased ones for
 * MULTI/EXEC so a transaction never shares its connection with anything else.
 */
export class RedisPool {
  private readonly port: number;
  private readonly host: string;
  private readonly shared: Array<Promise<RedisConnection> | undefined>;
  private next = 0;
  private readonly idle: RedisConnection[] = [];
  private readonly leased = new Set<RedisConnection>();
  private closed = false;

  constructor(port: number, host = "127.0.0.1", sharedSize = 4) {
    this.port = port;
    this.host = host;
    this.shared = new Array(sharedSize).fill(undefined);
  }

  /** A shared connection, round-robin; broken ones are replaced lazily. */
  async acquireShared(): Promise<RedisConnection> {
    if (this.closed) throw new Error("redis pool closed");
    const slot = this.next;
    this.next = (this.next + 1) % this.shared.length;
    const existing = this.shared[slot];
    if (existing) {
      const conn = await existing.catch(() => undefined);
      if (conn?.usable) return conn;
    }
    const opening = RedisConnection.open(this.port, this.host);
    this.shared[slot] = opening;
    opening.catch(() => {
      if (this.shared[slot] === opening) this.shared[slot] = undefined;
    });
    return opening;
  }

  /** Runs `fn` with a connection nobody else uses meanwhile. */
  async withExclusive<T>(fn: (conn: RedisConnection) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error("redis pool closed");
    let conn = this.idle.pop();
    while (conn && !conn.usable) conn = this.idle.pop();
    conn ??= await RedisConnection.open(this.port, this.host);
    this.leased.add(conn);
    try {
      return await fn(conn);
    } finally {
      this.leased.delete(conn);
      if (conn.usable && !this.closed && this.idle.length < 8) this.idle.push(conn);
      else conn.close();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const shared = await Promise.all(this.shared.map((p) => p?.catch(() => undefined)));
    for (const conn of [...shared, ...this.idle.splice(0), ...this.leased]) conn?.close();
  }
}
