import { describe, expect, inject, it } from "vitest";

const gateway = inject("workerUrl");

describe("the built Worker in Miniflare (black-box)", () => {
  it("GET /healthz reports Postgres, Redis and Solana healthy", async () => {
    const res = await fetch(`${gateway}/healthz`);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string; latencyMs: number }>;
    };
    expect(body).toMatchObject({
      status: "ok",
      checks: { postgres: { status: "ok" }, redis: { status: "ok" }, solana: { status: "ok" } },
    });
    expect(res.status).toBe(200);
  });

  it("serves the dashboard from static assets", async () => {
    const res = await fetch(`${gateway}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("<title>proxygate");
    expect(html).toContain('src="/app/main.js"');
  });

  it("answers unknown API routes with the error envelope", async () => {
    const res = await fetch(`${gateway}/v1/nope`);
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe("not_found");
    expect(body.error.requestId).toBe(res.headers.get("x-proxygate-request-id"));
  });

  it("runs the scheduled handler on the cron trigger", async () => {
    const res = await fetch(`${gateway}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/10 * * * *")}`);
    expect(res.status).toBe(200);
  });
});
