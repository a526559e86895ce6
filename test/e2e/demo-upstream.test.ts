import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type DemoUpstreamHandle, startDemoUpstream } from "../../dev/demo-upstream.ts";

let demo: DemoUpstreamHandle;

beforeAll(async () => {
  demo = await startDemoUpstream({ apiKey: "sk-test-demo", chunkDelayMs: 5 });
});

afterAll(async () => {
  await demo?.stop();
});

beforeEach(() => {
  demo.setBehaviour({ latencyMs: 0, failRate: 0, rateLimitRate: 0 });
});

function chat(body: unknown, key = demo.apiKey) {
  return fetch(`${demo.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const question = { model: "demo-chat-1", messages: [{ role: "user", content: "What is the capital of France?" }] };

interface Chunk {
  object: string;
  choices: { delta: { role?: string; content?: string }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

describe("demo upstream: OpenAI-compatible API", () => {
  it("answers a chat completion with a deterministic reply and usage", async () => {
    const res = await chat(question);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      object: string;
      model: string;
      choices: { message: { role: string; content: string }; finish_reason: string }[];
      usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("demo-chat-1");
    const content = body.choices[0]?.message.content ?? "";
    expect(body.choices[0]?.message.role).toBe("assistant");
    expect(content).toContain("What is the capital of France?");
    expect(body.choices[0]?.finish_reason).toBe("stop");
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBe(Math.ceil(content.length / 4));
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    const again = (await (await chat(question)).json()) as typeof body;
    expect(again.choices[0]?.message.content).toBe(content);
    expect(again.usage).toEqual(body.usage);
  });

  it("cuts the reply at max_tokens with finish_reason length", async () => {
    const body = (await (await chat({ ...question, max_tokens: 5 })).json()) as {
      choices: { message: { content: string }; finish_reason: string }[];
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]?.finish_reason).toBe("length");
    expect(body.usage.completion_tokens).toBe(5);
  });

  it("streams chunks, then a usage chunk, then [DONE]", async () => {
    const res = await chat({ ...question, stream: true, stream_options: { include_usage: true } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const text = await res.text();
    const events = text
      .split("\n\n")
      .filter((e) => e.length > 0)
      .map((e) => {
        expect(e.startsWith("data: ")).toBe(true);
        return e.slice(6);
      });
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as Chunk);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const usageChunk = chunks.at(-1)!;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    const streamed = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    const plain = (await (await chat(question)).json()) as { choices: { message: { content: string } }[] };
    expect(streamed).toBe(plain.choices[0]?.message.content);
    expect(usageChunk.usage?.completion_tokens).toBe(Math.ceil(streamed.length / 4));
    expect(chunks.length).toBeGreaterThan(5);
  });

  it("streams without a usage chunk unless asked", async () => {
    const text = await (await chat({ ...question, stream: true })).text();
    const chunks = text
      .split("\n\n")
      .filter((e) => e.startsWith("data: {"))
      .map((e) => JSON.parse(e.slice(6)) as Chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
  });

  it("rejects a wrong key with 401 in OpenAI's error shape", async () => {
    const res = await chat(question, "sk-wrong");
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { message: expect.any(String), type: "invalid_request_error", param: null, code: "invalid_api_key" },
    });
    const missing = await fetch(`${demo.url}/v1/models`);
    expect(missing.status).toBe(401);
  });

  it("rejects bad bodies with 400 in OpenAI's error shape", async () => {
    const noMessages = await chat({ model: "demo-chat-1", messages: [] });
    expect(noMessages.status).toBe(400);
    expect(await noMessages.json()).toEqual({
      error: { message: expect.any(String), type: "invalid_request_error", param: "messages", code: null },
    });
    const notJson = await fetch(`${demo.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${demo.apiKey}` },
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    const unknownModel = await chat({ ...question, model: "gpt-99" });
    expect(unknownModel.status).toBe(404);
    expect(((await unknownModel.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
  });

  it("lists models and makes deterministic embeddings", async () => {
    const auth = { authorization: `Bearer ${demo.apiKey}`, "content-type": "application/json" };
    const models = (await (await fetch(`${demo.url}/v1/models`, { headers: auth })).json()) as {
      data: { id: string }[];
    };
    expect(models.data.map((m) => m.id)).toContain("demo-chat-1");
    const embed = async () =>
      (await (
        await fetch(`${demo.url}/v1/embeddings`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ model: "demo-embed-1", input: ["a", "b"], dimensions: 8 }),
        })
      ).json()) as { data: { embedding: number[] }[]; usage: { total_tokens: number } };
    const first = await embed();
    expect(first.data).toHaveLength(2);
    expect(first.data[0]?.embedding).toHaveLength(8);
    expect(first.data[0]?.embedding).not.toEqual(first.data[1]?.embedding);
    expect((await embed()).data).toEqual(first.data);
    expect(first.usage.total_tokens).toBe(2);
  });
});

describe("demo upstream: data API", () => {
  it("serves weather and quotes with the X-Api-Key header", async () => {
    const headers = { "x-api-key": demo.apiKey };
    const weather = await fetch(`${demo.url}/data/weather?city=Lisbon`, { headers });
    expect(weather.status).toBe(200);
    const w = (await weather.json()) as { city: string; temperatureC: number; condition: string };
    expect(w.city).toBe("Lisbon");
    expect(typeof w.temperatureC).toBe("number");
    expect(await (await fetch(`${demo.url}/data/weather?city=Lisbon`, { headers })).json()).toEqual(w);

    const quote = await fetch(`${demo.url}/data/quotes/acme`, { headers });
    expect(quote.status).toBe(200);
    const q = (await quote.json()) as { symbol: string; price: number; previousClose: number; change: number };
    expect(q.symbol).toBe("ACME");
    expect(q.price).toBeCloseTo(q.previousClose + q.change, 2);
  });

  it("accepts the key as ?api_key= and rejects a missing or wrong key", async () => {
    expect((await fetch(`${demo.url}/data/quotes/XYZ?api_key=${demo.apiKey}`)).status).toBe(200);
    const missing = await fetch(`${demo.url}/data/quotes/XYZ`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    // The data API does not take the bearer style: keys are injected differently per API.
    const bearer = await fetch(`${demo.url}/data/quotes/XYZ`, { headers: { authorization: `Bearer ${demo.apiKey}` } });
    expect(bearer.status).toBe(401);
    expect((await fetch(`${demo.url}/data/weather`, { headers: { "x-api-key": demo.apiKey } })).status).toBe(400);
  });
});

describe("demo upstream: fault injection", () => {
  const control = (body: unknown, token = demo.controlToken) =>
    fetch(`${demo.url}/__control`, {
      method: "POST",
      headers: { "x-control-token": token, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("changes behaviour at runtime through POST /__control", async () => {
    const res = await control({ failRate: 1 });
    expect(await res.json()).toEqual({ latencyMs: 0, failRate: 1, rateLimitRate: 0 });
    const failed = await chat(question);
    expect(failed.status).toBe(503);
    expect(((await failed.json()) as { error: { type: string } }).error.type).toBe("server_error");
    expect((await fetch(`${demo.url}/data/quotes/A`, { headers: { "x-api-key": demo.apiKey } })).status).toBe(503);

    await control({ failRate: 0, rateLimitRate: 1 });
    const limited = await chat(question);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");

    await control({ rateLimitRate: 0, latencyMs: 150 });
    const started = performance.now();
    expect((await chat(question)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it("needs the control token and valid settings", async () => {
    expect((await control({ failRate: 1 }, "guess")).status).toBe(401);
    expect((await control({ failRate: 2 })).status).toBe(400);
    expect((await control({ surprise: true })).status).toBe(400);
    expect(demo.behaviour()).toEqual({ latencyMs: 0, failRate: 0, rateLimitRate: 0 });
  });

  it("checks the key before injecting faults", async () => {
    demo.setBehaviour({ failRate: 1 });
    expect((await chat(question, "sk-wrong")).status).toBe(401);
  });

  it("takes fault settings as start options", async () => {
    const flaky = await startDemoUpstream({ rateLimitRate: 1 });
    try {
      const res = await fetch(`${flaky.url}/data/weather?city=Oslo`, { headers: { "x-api-key": flaky.apiKey } });
      expect(res.status).toBe(429);
    } finally {
      await flaky.stop();
    }
  });
});
