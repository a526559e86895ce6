/**
 * Streams an upstream SSE body to the buyer without buffering it: each upstream chunk's complete
 * events go out as soon as they arrive, while the usage object of the final chunk is picked up on
 * the way. How the stream ended decides the money (docs/decisions/010-proxy.md):
 * - `complete`: the upstream closed cleanly (OpenAI streams: after `data: [DONE]`) → charged, and
 *   the `onEnd` trailer (our `event: proxygate` with cost and receipt) is appended;
 * - `cut`: the upstream connection broke mid-stream, or an OpenAI-style stream closed without
 *   `[DONE]` → an `event: error` ends the stream, refunded;
 * - `cancelled`: the buyer went away → the caller decides (served output is charged).
 */
import { isUsageOnlyChunk, outputChars, parseSseEvent, SseSplitter, usageTokens } from "./usage.ts";

export interface SseEnd {
  kind: "complete" | "cut" | "cancelled";
  /** Tokens from the last usage object seen, if any. */
  tokens: number | null;
  /** Characters of generated text passed on (for an estimate when no usage came). */
  outputChars: number;
  /** Whether `data: [DONE]` was seen. */
  done: boolean;
}

export interface SseMeterOptions {
  /** Drop the usage-only chunk (`choices: []`): the buyer did not ask for it, we did. */
  dropUsageOnlyChunk: boolean;
  /** The SSE text that ends a cut stream (an `event: error` with our envelope). */
  errorEvent: string;
  /** Called once when the stream ends; for `complete`, its result is appended as the last event. */
  onEnd(end: SseEnd): Promise<string | null>;
}

function isOpenAiChunk(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  const object = (json as Record<string, unknown>).object;
  return object === "chat.completion.chunk" || object === "text_completion";
}

/**
 * Wraps an upstream SSE body. Returns the body for the buyer and a promise that settles after
 * `onEnd` ran (for `waitUntil`), whichever way the stream ended.
 */
export function meterSse(
  upstream: ReadableStream<Uint8Array>,
  options: SseMeterOptions,
): { body: ReadableStream<Uint8Array>; ended: Promise<void> } {
  const reader = upstream.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const splitter = new SseSplitter();
  const state: SseEnd = { kind: "complete", tokens: null, outputChars: 0, done: false };
  let finished = false;
  let openAiStyle = false;
  let resolveEnded!: () => void;
  const ended = new Promise<void>((resolve) => {
    resolveEnded = resolve;
  });

  const finish = async (kind: SseEnd["kind"]): Promise<string | null> => {
    if (finished) return null;
    finished = true;
    try {
      return await options.onEnd({ ...state, kind });
    } finally {
      resolveEnded();
    }
  };

  /** Passes on what the buyer should see of these events, noting usage and [DONE]. */
  const scan = (events: string[]): string => {
    let out = "";
    for (const raw of events) {
      const { data } = parseSseEvent(raw);
      if (data === "[DONE]") state.done = true;
      else if (data.startsWith("{")) {
        let json: unknown;
        try {
          json = JSON.parse(data);
        } catch {
          json = null;
        }
        if (isOpenAiChunk(json)) openAiStyle = true;
        const tokens = usageTokens(json);
        if (tokens !== null) state.tokens = tokens;
        state.outputChars += outputChars(json);
        if (options.dropUsageOnlyChunk && isUsageOnlyChunk(json)) continue;
      }
      out += raw;
    }
    return out;
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch {
          await finish("cut");
          controller.enqueue(encoder.encode(options.errorEvent));
          controller.close();
          return;
        }
        if (chunk.done) {
          let out = scan(splitter.push(decoder.decode()));
          const rest = splitter.rest();
          if (rest.trim() !== "") {
            // An unterminated last event is terminated, so nothing we append can merge into it.
            const last = scan([rest]);
            out += last === "" || /(\r\n|\n|\r){2}$/.test(last) ? last : `${last}\n\n`;
          }
          // An OpenAI-style stream that closes without [DONE] broke off, even if the close was clean.
          const kind = openAiStyle && !state.done ? "cut" : "complete";
          const trailer = await finish(kind);
          const text = out + (kind === "cut" ? options.errorEvent : (trailer ?? ""));
          if (text !== "") controller.enqueue(encoder.encode(text));
          controller.close();
          return;
        }
        const out = scan(splitter.push(decoder.decode(chunk.value, { stream: true })));
        if (out !== "") {
          controller.enqueue(encoder.encode(out));
          return;
        }
      }
    },
    async cancel(reason) {
      await reader.cancel(reason).catch(() => {});
      await finish("cancelled");
    },
  });
  return { body, ended };
}
