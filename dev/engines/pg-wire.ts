/**
 * Incremental scanner for one direction of a PostgreSQL wire-protocol (v3) byte stream.
 * It only finds message boundaries and types (plus the body of the few messages a caller asks to keep);
 * bytes are never copied or altered, so a relay can scan and forward the same chunks.
 *
 * Frontend streams open with untyped messages (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest:
 * int32 length + int32 code); everything after the startup is `type byte + int32 length + body`.
 * After an SSLRequest/GSSENCRequest the server answers with a single byte ('N' = carry on in plain text).
 */

export const SSL_REQUEST_CODE = 80877103;
export const GSSENC_REQUEST_CODE = 80877104;
export const CANCEL_REQUEST_CODE = 80877102;

export type WireEvent =
  /** StartupMessage (any protocol 3.x): the server answers with exactly one ReadyForQuery, or an error and closes. */
  | { kind: "startup" }
  /** SSLRequest / GSSENCRequest: the server answers with one byte; the client then sends another untyped message. */
  | { kind: "negotiate" }
  | { kind: "cancel" }
  /** The server's one-byte answer to a negotiate request. */
  | { kind: "byte"; value: number }
  /** A typed message; `body` is set only for types listed in `keepBodies`. */
  | { kind: "message"; type: string; body?: Buffer };

type Mode = "untyped" | "typed" | "byte" | "opaque";

export class WireScanner {
  private mode: Mode;
  private readonly keep: ReadonlySet<string>;
  private head: Buffer = Buffer.alloc(0);
  private skip = 0;
  // Set while collecting the body of a kept message.
  private keeping: { type: string; need: number; parts: Buffer[] } | undefined;

  /** @param side "frontend" streams start untyped; "backend" streams are typed from the first byte. */
  constructor(side: "frontend" | "backend", keepBodies: readonly string[] = []) {
    this.mode = side === "frontend" ? "untyped" : "typed";
    this.keep = new Set(keepBodies);
  }

  /** The next byte the peer sends is a one-byte negotiation answer (call on the backend scanner). */
  expectByte(): void {
    this.mode = "byte";
  }

  /** True when no message is partly scanned, i.e. the stream sits on a message boundary. */
  get atBoundary(): boolean {
    return this.head.length === 0 && this.skip === 0 && this.keeping === undefined;
  }

  /** False once the stream switched to something this scanner cannot follow (TLS). */
  get readable(): boolean {
    return this.mode !== "opaque";
  }

  get typed(): boolean {
    return this.mode === "typed";
  }

  push(chunk: Buffer, emit: (event: WireEvent) => void): void {
    let i = 0;
    while (i < chunk.length && this.mode !== "opaque") {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      if (this.keeping) {
        const k = this.keeping;
        const n = Math.min(k.need, chunk.length - i);
        k.parts.push(chunk.subarray(i, i + n));
        k.need -= n;
        i += n;
        if (k.need === 0) {
          this.keeping = undefined;
          emit({ kind: "message", type: k.type, body: Buffer.concat(k.parts) });
        }
        continue;
      }
      if (this.mode === "byte") {
        const value = chunk[i]!;
        i += 1;
        // 'N' means "no encryption, go on in plain text"; anything else starts TLS/GSS we cannot read.
        this.mode = value === 0x4e ? "typed" : "opaque";
        emit({ kind: "byte", value });
        continue;
      }
      const headLen = this.mode === "untyped" ? 8 : 5;
      const n = Math.min(headLen - this.head.length, chunk.length - i);
      this.head = Buffer.concat([this.head, chunk.subarray(i, i + n)]);
      i += n;
      if (this.head.length < headLen) break;
      const head = this.head;
      this.head = Buffer.alloc(0);
      if (this.mode === "untyped") this.onUntyped(head, emit);
      else this.onTyped(head, emit);
    }
  }

  private onUntyped(head: Buffer, emit: (event: WireEvent) => void): void {
    const length = head.readInt32BE(0);
    const code = head.readInt32BE(4);
    this.skip = Math.max(0, length - 8);
    if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
      emit({ kind: "negotiate" });
    } else if (code === CANCEL_REQUEST_CODE) {
      this.mode = "opaque";
      emit({ kind: "cancel" });
    } else if (code >>> 16 === 3) {
      this.mode = "typed";
      emit({ kind: "startup" });
    } else {
      this.mode = "opaque";
    }
  }

  private onTyped(head: Buffer, emit: (event: WireEvent) => void): void {
    const type = String.fromCharCode(head[0]!);
    const bodyLen = Math.max(0, head.readInt32BE(1) - 4);
    if (this.keep.has(type)) {
      if (bodyLen === 0) emit({ kind: "message", type, body: Buffer.alloc(0) });
      else this.keeping = { type, need: bodyLen, parts: [] };
      return;
    }
    this.skip = bodyLen;
    emit({ kind: "message", type });
  }
}

/** Encodes a typed frontend message: type byte, int32 length (including itself), body. */
export function encodeMessage(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** Simple-protocol Query message. */
export function queryMessage(sql: string): Buffer {
  return encodeMessage("Q", Buffer.from(`${sql}\0`, "utf8"));
}

/** Unnamed-statement Parse message without parameter types. */
export function parseMessage(sql: string): Buffer {
  return encodeMessage("P", Buffer.concat([Buffer.from(`\0${sql}\0`, "utf8"), Buffer.alloc(2)]));
}

export const SYNC_MESSAGE: Buffer = encodeMessage("S");
export const TERMINATE_MESSAGE: Buffer = encodeMessage("X");
