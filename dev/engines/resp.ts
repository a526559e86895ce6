/**
 * Minimal RESP2 (Redis serialization protocol) encoder and incremental parser.
 * Binary safe: bulk strings stay Buffers; simple strings (status replies such as "OK") are JS strings
 * so callers can tell them apart.
 */

/** An error reply from Redis (`-ERR ...`). Returned as a value, not thrown, so pipelines keep going. */
export class RedisReplyError extends Error {
  override name = "RedisReplyError";
}

export type RespReply = Buffer | string | number | null | RedisReplyError | RespReply[];

export type RespArg = string | Buffer;

const CRLF = "\r\n";

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  let head = `*${args.length}${CRLF}`;
  if (args.every((a) => typeof a === "string")) {
    // Fast path: one string, one allocation.
    for (const a of args as readonly string[]) head += `$${Buffer.byteLength(a)}${CRLF}${a}${CRLF}`;
    return Buffer.from(head, "utf8");
  }
  const parts: Buffer[] = [];
  for (const a of args) {
    if (typeof a === "string") {
      head += `$${Buffer.byteLength(a)}${CRLF}${a}${CRLF}`;
      continue;
    }
    head += `$${a.length}${CRLF}`;
    parts.push(Buffer.from(head, "utf8"), a);
    head = CRLF;
  }
  parts.push(Buffer.from(head, "utf8"));
  return Buffer.concat(parts);
}

const INCOMPLETE: unique symbol = Symbol("incomplete");

/** Feeds socket chunks in, hands complete replies out in order. */
export class RespParser {
  /** Unparsed bytes; always starts at a reply boundary. */
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks received while waiting for `need` bytes, merged once enough have arrived. */
  private parts: Buffer[] = [];
  private size = 0;
  private need = 0;
  /** Set by parseValue when it runs out of bytes: the buffer length at which a retry can get further. */
  private wanted = 0;
  private readonly onReply: (reply: RespReply) => void;

  constructor(onReply: (reply: RespReply) => void) {
    this.onReply = onReply;
  }

  push(chunk: Buffer): void {
    this.parts.push(chunk);
    this.size += chunk.length;
    // A large bulk string arrives in many chunks: wait until it is all here instead of re-parsing
    // (and re-copying) on every chunk, which would be quadratic.
    if (this.size < this.need) return;
    this.buf = this.buf.length === 0 && this.parts.length === 1 ? chunk : Buffer.concat([this.buf, ...this.parts]);
    this.parts = [];
    this.pos = 0;
    for (;;) {
      const start = this.pos;
      this.wanted = 0;
      const reply = this.parseValue();
      if (reply === INCOMPLETE) {
        this.buf = this.buf.subarray(start);
        this.size = this.buf.length;
        this.need = Math.max(this.wanted - start, this.size + 1);
        return;
      }
      this.onReply(reply);
      if (this.pos >= this.buf.length) {
        this.buf = Buffer.alloc(0);
        this.size = 0;
        this.need = 0;
        return;
      }
    }
  }

  /** Reads up to CRLF from pos; returns the line without CRLF, or INCOMPLETE. */
  private readLine(): string | typeof INCOMPLETE {
    const end = this.buf.indexOf(13, this.pos);
    if (end === -1 || end + 1 >= this.buf.length) return INCOMPLETE;
    const line = this.buf.toString("utf8", this.pos, end);
    this.pos = end + 2;
    return line;
  }

  private parseValue(): RespReply | typeof INCOMPLETE {
    if (this.pos >= this.buf.length) return INCOMPLETE;
    const type = this.buf[this.pos];
    this.pos += 1;
    const line = this.readLine();
    if (line === INCOMPLETE) return INCOMPLETE;
    switch (type) {
      case 43: // '+'
        return line;
      case 45: // '-'
        return new RedisReplyError(line);
      case 58: // ':'
        return Number(line);
      case 36: {
        // '$'
        const len = Number(line);
        if (len < 0) return null;
        if (this.pos + len + 2 > this.buf.length) {
          this.wanted = this.pos + len + 2;
          return INCOMPLETE;
        }
        // Copy so the reply does not pin the whole socket chunk in memory.
        const value = Buffer.from(this.buf.subarray(this.pos, this.pos + len));
        this.pos += len + 2;
        return value;
      }
      case 42: {
        // '*'
        const count = Number(line);
        if (count < 0) return null;
        const items: RespReply[] = new Array(count);
        for (let i = 0; i < count; i++) {
          const item = this.parseValue();
          if (item === INCOMPLETE) return INCOMPLETE;
          items[i] = item;
        }
        return items;
      }
      default:
        throw new Error(`RESP protocol error: unexpected type byte ${type}`);
    }
  }
}
