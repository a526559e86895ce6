import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inspectTokenRequest, readCappedBody } from "../../workers/proxy/body.ts";
import { callId } from "../../workers/proxy/idempotency.ts";
import { meterSse, type SseEnd } from "../../workers/proxy/sse.ts";
import { isUsageOnlyChunk, parseSseEvent, SseSplitter, usageTokens } from "../../workers/proxy/usage.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

function chunk(content: string, extra: object = {}) {
  return `data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [{ index: 0, delta: { content } }], ...extra })}\n\n`;
}
const usageChunk = `data: ${JSON.stringify({ object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 } })}\n\n`;
const DONE = "data: [DONE]\n\n";
const ERROR_EVENT = 'event: error\ndata: {"error":{"code":"upstream_error"}}\n\n';

/** An upstream body the test feeds by hand: push text, then end or fail it. */
function upstream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    push: (text: string) => controller.enqueue(enc.encode(text)),
    end: () => controller.close(),
    fail: () => controller.error(new Error("connection reset")),
  };
}

function metered(source: ReadableStream<Uint8Array>, dropUsageOnlyChunk = false) {
  const ends: SseEnd[] = [];
  const { body, ended } = meterSse(source, {
    dropUsageOnlyChunk,
    errorEvent: ERROR_EVENT,
    async onEnd(end) {
      ends.push(end);
      return end.kind === "complete" ? "event: proxygate\ndata: {}\n\n" : null;
    },
  });
  return { reader: body.getReader(), ended, ends };
}

async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string> {
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += dec.decode(value);
  }
}

describe("SSE metering", () => {
  it("passes each event on before the upstream has finished", async () => {
    const up = upstream();
    const { reader } = metered(up.stream);
    up.push(chunk("Hel"));
    expect(dec.decode((await reader.read()).value)).toBe(chunk("Hel"));
    up.push(chunk("lo"));
    expect(dec.decode((await reader.read()).value)).toBe(chunk("lo"));
    up.push(DONE);
    up.end();
    expect(await readAll(reader)).toBe(`${DONE}event: proxygate\ndata: {}\n\n`);
  });

  it("holds back only an incomplete event, never a complete one", async () => {
    const up = upstream();
    const { reader } = metered(up.stream);
    const full = chunk("abc");
    up.push(full.slice(0, 10));
    up.push(full.slice(10) + chunk("d").slice(0, 5));
    expect(dec.decode((await reader.read()).value)).toBe(full);
  });

  it("reads usage from the final chunk and appends the trailer after [DONE]", async () => {
    const up = upstream();
    const { reader, ends, ended } = metered(up.stream);
    up.push(chunk("a") + chunk("bc") + usageChunk + DONE);
    up.end();
    const text = await readAll(reader);
    await ended;
    expect(text.endsWith(`${DONE}event: proxygate\ndata: {}\n\n`)).toBe(true);
    expect(text).toContain(usageChunk);
    expect(ends).toEqual([{ kind: "complete", tokens: 12, outputChars: 3, done: true }]);
  });

  it("drops the usage-only chunk when the gateway asked for it (the buyer did not)", async () => {
    const up = upstream();
    const { reader, ends } = metered(up.stream, true);
    up.push(chunk("a") + usageChunk + DONE);
    up.end();
    const text = await readAll(reader);
    expect(text).not.toContain('"usage"');
    expect(ends[0]?.tokens).toBe(12);
  });

  it("a broken upstream connection ends with an error event and is reported as cut", async () => {
    const up = upstream();
    const { reader, ends } = metered(up.stream);
    up.push(chunk("a"));
    expect(dec.decode((await reader.read()).value)).toBe(chunk("a"));
    up.push(chunk("b").slice(0, 8));
    up.fail();
    expect(await readAll(reader)).toBe(ERROR_EVENT);
    expect(ends.map((e) => e.kind)).toEqual(["cut"]);
  });

  it("an OpenAI stream that closes without [DONE] is cut, not complete", async () => {
    const up = upstream();
    const { reader, ends } = metered(up.stream);
    up.push(chunk("a"));
    up.end();
    expect(await readAll(reader)).toBe(chunk("a") + ERROR_EVENT);
    expect(ends.map((e) => e.kind)).toEqual(["cut"]);
  });

  it("a generic SSE stream (no OpenAI chunks) completes at a clean close; an unterminated last event is terminated", async () => {
    const up = upstream();
    const { reader, ends } = metered(up.stream);
    up.push("event: tick\ndata: 1\n\ndata: 2");
    up.end();
    expect(await readAll(reader)).toBe("event: tick\ndata: 1\n\ndata: 2\n\nevent: proxygate\ndata: {}\n\n");
    expect(ends.map((e) => e.kind)).toEqual(["complete"]);
  });

  it("the buyer going away cancels the upstream and reports cancelled", async () => {
    const up = upstream();
    let upstreamCancelled = false;
    const source = up.stream.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform: (c, ctl) => ctl.enqueue(c),
      }),
    );
    const { reader, ends, ended } = metered(
      new ReadableStream<Uint8Array>({
        async pull(ctl) {
          const r = await source.getReader().read();
          if (r.done) ctl.close();
          else ctl.enqueue(r.value);
        },
        cancel() {
          upstreamCancelled = true;
        },
      }),
    );
    up.push(chunk("a"));
    await reader.read();
    await reader.cancel();
    await ended;
    expect(upstreamCancelled).toBe(true);
    expect(ends).toEqual([{ kind: "cancelled", tokens: null, outputChars: 1, done: false }]);
  });
});

describe("SSE parsing", () => {
  it("splits the same events whatever the chunking (property)", () => {
    const events = fc.array(
      fc.oneof(
        fc.string({ maxLength: 20 }).map((s) => `data: ${s.replace(/[\r\n]/g, "")}\n\n`),
        fc.constant("event: x\ndata: 1\r\n\r\n"),
        fc.constant(": comment\n\n"),
      ),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(events, fc.array(fc.nat(), { maxLength: 6 }), (evs, cuts) => {
        const text = evs.join("");
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const splitter = new SseSplitter();
        const out: string[] = [];
        let last = 0;
        for (const p of [...points, text.length]) {
          out.push(...splitter.push(text.slice(last, p)));
          last = p;
        }
        expect(out).toEqual(evs);
        expect(splitter.rest()).toBe("");
      }),
    );
  });

  it("parses event name and multi-line data", () => {
    expect(parseSseEvent("event: proxygate\ndata: a\ndata: b\n\n")).toEqual({ event: "proxygate", data: "a\nb" });
    expect(parseSseEvent(": hi\ndata:x\n\n")).toEqual({ event: null, data: "x" });
  });

  it("reads usage in OpenAI and Anthropic shapes", () => {
    expect(usageTokens({ usage: { total_tokens: 42 } })).toBe(42);
    expect(usageTokens({ usage: { prompt_tokens: 2, completion_tokens: 3 } })).toBe(5);
    expect(usageTokens({ usage: { input_tokens: 4, output_tokens: 6 } })).toBe(10);
    expect(usageTokens({ usage: null })).toBeNull();
    expect(usageTokens({ usage: { total_tokens: -1 } })).toBeNull();
    expect(usageTokens("x")).toBeNull();
    expect(isUsageOnlyChunk({ choices: [], usage: { total_tokens: 1 } })).toBe(true);
    expect(isUsageOnlyChunk({ choices: [{}], usage: { total_tokens: 1 } })).toBe(false);
  });
});

describe("request body", () => {
  const json = (v: unknown) => enc.encode(JSON.stringify(v));

  it("asks a streamed token-priced call for usage, remembering the buyer did not", () => {
    const r = inspectTokenRequest(json({ model: "m", stream: true, max_tokens: 50 }), "application/json");
    expect(r.stream).toBe(true);
    expect(r.maxTokens).toBe(50);
    expect(r.usageInjected).toBe(true);
    expect(JSON.parse(dec.decode(r.body!))).toEqual({
      model: "m",
      stream: true,
      max_tokens: 50,
      stream_options: { include_usage: true },
    });
  });

  it("leaves a body that already asks for usage, a non-stream call, and non-JSON untouched", () => {
    const asked = json({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 9 });
    const r = inspectTokenRequest(asked, "application/json; charset=utf-8");
    expect(r).toEqual({ body: asked, stream: true, maxTokens: 9, usageInjected: false });
    const plain = json({ max_tokens: 3 });
    expect(inspectTokenRequest(plain, "application/json")).toEqual({
      body: plain,
      stream: false,
      maxTokens: 3,
      usageInjected: false,
    });
    const text = enc.encode("{not json");
    expect(inspectTokenRequest(text, "application/json").body).toBe(text);
    expect(inspectTokenRequest(json({ stream: true }), "text/plain").usageInjected).toBe(false);
  });

  it("refuses a body above the cap, declared or streamed", async () => {
    const big = new Request("http://x.test", { method: "POST", body: "x".repeat(11) });
    await expect(readCappedBody(big, 10)).rejects.toMatchObject({ code: "payload_too_large" });
    const chunked = new Request("http://x.test", {
      method: "POST",
      body: new ReadableStream({
        start(c) {
          c.enqueue(enc.encode("12345"));
          c.enqueue(enc.encode("678901"));
          c.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    await expect(readCappedBody(chunked, 10)).rejects.toMatchObject({ code: "payload_too_large" });
    const ok = await readCappedBody(new Request("http://x.test", { method: "POST", body: "0123456789" }), 10);
    expect(dec.decode(ok!)).toBe("0123456789");
  });
});

describe("Idempotency-Key", () => {
  it("derives a stable id per wallet and key, distinct across wallets", async () => {
    const a = await callId("req_1", "walletA", "order-42");
    expect(a).toMatch(/^idk_[0-9a-f]{40}$/);
    expect(await callId("req_2", "walletA", "order-42")).toBe(a);
    expect(await callId("req_1", "walletB", "order-42")).not.toBe(a);
    expect(await callId("req_1", "walletA", null)).toBe("req_1");
  });

  it("refuses an empty, long or non-ASCII key", async () => {
    for (const bad of ["", "x".repeat(129), "naïve", "with space"]) {
      await expect(callId("req_1", "w", bad)).rejects.toMatchObject({ code: "invalid_request" });
    }
  });
});
