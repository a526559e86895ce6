/**
 * Reading token usage from upstream answers: a JSON body's `usage` object, or the events of an
 * SSE stream (OpenAI's final chunk carries `usage` when `stream_options.include_usage` is set).
 * Pure functions and a small incremental SSE splitter.
 */

function count(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) && v >= 0 ? Math.ceil(v) : null;
}

/**
 * Total tokens of a parsed response or chunk: `usage.total_tokens`, else prompt + completion
 * (OpenAI) or input + output (Anthropic-style). Null when there is no usable usage object.
 *
 * @example
 * usageTokens({ usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 } }); // 42
 * usageTokens({ usage: null }); // null
 */
export function usageTokens(json: unknown): number | null {
  if (typeof json !== "object" || json === null) return null;
  const usage = (json as Record<string, unknown>).usage;
  if (typeof usage !== "object" || usage === null) return null;
  const u = usage as Record<string, unknown>;
  const total = count(u.total_tokens);
  if (total !== null) return total;
  const prompt = count(u.prompt_tokens) ?? count(u.input_tokens);
  const completion = count(u.completion_tokens) ?? count(u.output_tokens);
  if (prompt === null && completion === null) return null;
  return (prompt ?? 0) + (completion ?? 0);
}

/** Characters of generated text in a completion or chunk (`choices[].message.content`, `.delta.content`, `.text`). */
export function outputChars(json: unknown): number {
  if (typeof json !== "object" || json === null) return 0;
  const choices = (json as Record<string, unknown>).choices;
  if (!Array.isArray(choices)) return 0;
  let chars = 0;
  for (const choice of choices) {
    if (typeof choice !== "object" || choice === null) continue;
    const c = choice as Record<string, unknown>;
    for (const holder of [c.message, c.delta]) {
      const content =
        typeof holder === "object" && holder !== null ? (holder as Record<string, unknown>).content : null;
      if (typeof content === "string") chars += content.length;
    }
    if (typeof c.text === "string") chars += c.text.length;
  }
  return chars;
}

/** A chunk that only reports usage (`choices: []` and a usage object): what include_usage adds. */
export function isUsageOnlyChunk(json: unknown): boolean {
  if (typeof json !== "object" || json === null) return false;
  const j = json as Record<string, unknown>;
  return Array.isArray(j.choices) && j.choices.length === 0 && usageTokens(j) !== null;
}

export interface SseEvent {
  event: string | null;
  /** The `data:` lines joined with `\n`. */
  data: string;
}

/** Parses one complete SSE event (its raw text, terminator included or not). */
export function parseSseEvent(raw: string): SseEvent {
  let event: string | null = null;
  const data: string[] = [];
  for (const line of raw.split(/\r\n|\r|\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return { event, data: data.join("\n") };
}

const EVENT_END = /\r\n\r\n|\n\n|\r\r/;

/**
 * Cuts a text stream into complete SSE events as chunks arrive. Each returned string is one
 * event's raw text including its blank-line terminator, so passing them on unchanged reproduces
 * the stream byte for byte.
 *
 * @example
 * const s = new SseSplitter();
 * s.push("data: a\n\nda"); // ["data: a\n\n"]
 * s.push("ta: b\n\n");     // ["data: b\n\n"]
 */
export class SseSplitter {
  #buffer = "";

  push(text: string): string[] {
    this.#buffer += text;
    const events: string[] = [];
    for (;;) {
      const match = EVENT_END.exec(this.#buffer);
      if (!match) break;
      const end = match.index + match[0].length;
      events.push(this.#buffer.slice(0, end));
      this.#buffer = this.#buffer.slice(end);
    }
    return events;
  }

  /** Whatever is left without a terminator (a stream that ended mid-event). */
  rest(): string {
    return this.#buffer;
  }
}
