import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { readJson, sendJson, sleep } from "./http.ts";
import { approximateTokens, hashString, seededRandom } from "./pseudo.ts";

/** An OpenAI-compatible slice: model list, chat completions (plain and SSE), embeddings. */

export const CHAT_MODELS = ["demo-chat-1", "demo-chat-mini"] as const;
export const EMBEDDING_MODELS = ["demo-embed-1"] as const;
const CREATED = 1_735_689_600; // fixed, so /v1/models is deterministic

const ContentPart = z.object({ type: z.string(), text: z.string().optional() }).loose();
const Message = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant", "tool"]),
    content: z.union([z.string(), z.array(ContentPart), z.null()]),
  })
  .loose();
export const ChatRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(Message).min(1),
    stream: z.boolean().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullish(),
  })
  .loose();
type ChatRequest = z.infer<typeof ChatRequest>;

export const EmbeddingRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()).min(1)]),
    dimensions: z.number().int().min(1).max(4096).optional(),
    encoding_format: z.enum(["float", "base64"]).optional(),
  })
  .loose();

/** OpenAI's error envelope. */
export function openAiError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { message, type, param, code } }, headers);
}

export function listModels(res: ServerResponse): void {
  const data = [...CHAT_MODELS, ...EMBEDDING_MODELS].map((id) => ({
    id,
    object: "model",
    created: CREATED,
    owned_by: "proxygate-demo",
  }));
  sendJson(res, 200, { object: "list", data });
}

let sequence = 0;

/** `cutAfter`: a streamed answer's connection is destroyed after that many chunks (a provider failing mid-stream). */
export async function chatCompletions(
  req: IncomingMessage,
  res: ServerResponse,
  chunkDelayMs: number,
  cutAfter?: number,
): Promise<void> {
  const parsed = await parseBody(req, res, ChatRequest);
  if (!parsed) return;
  if (!(CHAT_MODELS as readonly string[]).includes(parsed.model)) return modelNotFound(res, parsed.model);

  const reply = composeReply(parsed);
  const promptTokens = countPromptTokens(parsed);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: approximateTokens(reply.content),
    total_tokens: promptTokens + approximateTokens(reply.content),
  };
  sequence += 1;
  const id = `chatcmpl-demo-${sequence}`;
  const created = Math.floor(Date.now() / 1000);

  if (!parsed.stream) {
    sendJson(res, 200, {
      id,
      object: "chat.completion",
      created,
      model: parsed.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: reply.content, refusal: null },
          logprobs: null,
          finish_reason: reply.finishReason,
        },
      ],
      usage,
      system_fingerprint: "fp_demo",
    });
    return;
  }

  const includeUsage = parsed.stream_options?.include_usage === true;
  const chunk = (delta: object, finishReason: string | null) => ({
    id,
    object: "chat.completion.chunk",
    created,
    model: parsed.model,
    system_fingerprint: "fp_demo",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
  const events: object[] = [chunk({ role: "assistant", content: "", refusal: null }, null)];
  for (const piece of reply.content.match(/\S+\s*/g) ?? []) events.push(chunk({ content: piece }, null));
  events.push(chunk({}, reply.finishReason));
  if (includeUsage) events.push({ ...chunk({}, null), choices: [], usage });
  for (const [i, event] of events.entries()) {
    if (res.destroyed) return;
    if (i === cutAfter) {
      res.destroy();
      return;
    }
    res.write(`data: ${JSON.stringify(event)}\n\n`);
    await sleep(chunkDelayMs);
  }
  if (!res.destroyed) res.end("data: [DONE]\n\n");
}

export async function embeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const parsed = await parseBody(req, res, EmbeddingRequest);
  if (!parsed) return;
  if (!(EMBEDDING_MODELS as readonly string[]).includes(parsed.model)) return modelNotFound(res, parsed.model);
  const inputs = typeof parsed.input === "string" ? [parsed.input] : parsed.input;
  const dimensions = parsed.dimensions ?? 16;
  const data = inputs.map((text, index) => {
    const vector = embed(text, dimensions);
    const embedding =
      parsed.encoding_format === "base64" ? Buffer.from(new Float32Array(vector).buffer).toString("base64") : vector;
    return { object: "embedding", index, embedding };
  });
  const tokens = inputs.reduce((sum, text) => sum + approximateTokens(text), 0);
  sendJson(res, 200, {
    object: "list",
    data,
    model: parsed.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}

/** A unit vector derived from the text's hash: same text, same vector. */
function embed(text: string, dimensions: number): number[] {
  const random = seededRandom(hashString(text));
  const raw = Array.from({ length: dimensions }, () => random() * 2 - 1);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

function textOf(content: z.infer<typeof Message>["content"]): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => part.text ?? "").join(" ");
}

/** OpenAI-like accounting: a few tokens of framing per message plus the content estimate. */
function countPromptTokens(body: ChatRequest): number {
  return 3 + body.messages.reduce((sum, m) => sum + 3 + approximateTokens(textOf(m.content)), 0);
}

/** A canned, deterministic answer that still reflects the question, cut to max_tokens. */
function composeReply(body: ChatRequest): { content: string; finishReason: "stop" | "length" } {
  const lastUser = [...body.messages].reverse().find((m) => m.role === "user");
  const text = textOf(lastUser?.content ?? null)
    .trim()
    .replace(/\s+/g, " ");
  const words = text === "" ? 0 : text.split(" ").length;
  const snippet = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  const opening = text.endsWith("?") ? "Good question." : "Noted.";
  const full =
    text === ""
      ? `Hello from ${body.model}, the demo model of proxygate's local upstream. Send a user message and I will echo it back.`
      : `${opening} You said: "${snippet}" (${words} words, ${text.length} characters). ` +
        `I am ${body.model}, a canned demo model served by proxygate's local demo upstream, so this answer is deterministic.`;
  const limit = body.max_completion_tokens ?? body.max_tokens;
  if (limit !== undefined && limit !== null && approximateTokens(full) > limit) {
    return { content: full.slice(0, limit * 4), finishReason: "length" };
  }
  return { content: full, finishReason: "stop" };
}

function modelNotFound(res: ServerResponse, model: string): void {
  openAiError(
    res,
    404,
    `The model \`${model}\` does not exist or you do not have access to it.`,
    "invalid_request_error",
    "model_not_found",
  );
}

async function parseBody<T extends z.ZodType>(
  req: IncomingMessage,
  res: ServerResponse,
  schema: T,
): Promise<z.infer<T> | undefined> {
  const body = await readJson(req);
  if (!body.ok) {
    openAiError(res, 400, body.reason, "invalid_request_error", null);
    return undefined;
  }
  const result = schema.safeParse(body.value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = issue?.path.join(".") || null;
    openAiError(res, 400, `Invalid request: ${issue?.message ?? "bad body"}`, "invalid_request_error", null, param);
    return undefined;
  }
  return result.data;
}
