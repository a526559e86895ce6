import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app.ts";

const app = createApp();

async function call(path: string, bindings: Record<string, unknown>) {
  const ctx = createExecutionContext();
  const res = await app.request(path, {}, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("GET /healthz when a dependency is down", () => {
  it("answers 503 degraded, naming the failed dependency without leaking its address or credentials", async () => {
    const token = env.UPSTASH_REDIS_REST_TOKEN;
    const res = await call("/healthz", {
      ...env,
      // Port 9 (discard) on loopback: nothing listens there, so the round trip fails fast.
      SOLANA_RPC_URL: "http://127.0.0.1:9/secret-path-canary",
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9/",
    });
    expect(res.status).toBe(503);
    const body = await res.json<{ status: string; checks: Record<string, { status: string; error?: string }> }>();
    expect(body.status).toBe("degraded");
    expect(body.checks.postgres?.status).toBe("ok");
    expect(body.checks.solana?.status).toBe("error");
    expect(body.checks.redis?.status).toBe("error");
    const text = JSON.stringify(body);
    expect(text).not.toContain("secret-path-canary");
    expect(text).not.toContain("127.0.0.1:9");
    expect(text).not.toContain(token);
  });
});

describe("misconfigured deployment", () => {
  it("answers 500 bad_environment naming each missing or invalid binding, never a value", async () => {
    const canary = "postgres-password-canary-8d1f";
    const { DATABASE_URL: _omitted, ...rest } = env;
    const res = await call("/healthz", { ...rest, SOLANA_RPC_URL: `ftp://${canary}@example` });
    expect(res.status).toBe(500);
    const body = await res.json<{ error: { code: string; message: string; requestId: string } }>();
    expect(body.error.code).toBe("bad_environment");
    expect(body.error.message).toContain("DATABASE_URL: missing");
    expect(body.error.message).toContain("SOLANA_RPC_URL");
    expect(body.error.requestId).toMatch(/^req_/);
    expect(JSON.stringify(body)).not.toContain(canary);
    expect(JSON.stringify(body)).not.toContain(env.UPSTASH_REDIS_REST_TOKEN);
  });

  it("refuses the local Postgres relay and plain-http dependencies in production mode", async () => {
    const res = await call("/healthz", { ...env, GATEWAY_MODE: "production" });
    expect(res.status).toBe(500);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("bad_environment");
    expect(body.error.message).toContain("PG_WS_PROXY: must be unset in production");
    expect(body.error.message).toContain("SOLANA_RPC_URL: must be https in production");
  });
});
