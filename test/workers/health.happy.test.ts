import { describe, expect, it } from "vitest";
import { SELF } from "./self.ts";

describe("GET /healthz", () => {
  it("reports every dependency healthy after a real round trip", async () => {
    const res = await SELF.fetch("http://gateway.test/healthz");
    const body = await res.json<{
      status: string;
      mode: string;
      checks: Record<string, { status: string; latencyMs: number; slot?: number; error?: string }>;
    }>();
    expect(body.checks.postgres?.error).toBeUndefined();
    expect(body.checks.redis?.error).toBeUndefined();
    expect(body.checks.solana?.error).toBeUndefined();
    expect(res.status).toBe(200);
    expect(body.status).toBe("ok");
    expect(body.mode).toBe("local");
    for (const name of ["postgres", "redis", "solana"]) {
      expect(body.checks[name]?.status).toBe("ok");
      expect(body.checks[name]?.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(body.checks.solana?.slot).toBeTypeOf("number");
    expect(res.headers.get("x-proxygate-request-id")).toMatch(/^req_[0-9a-f]{28}$/);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("gives every request its own id", async () => {
    const [a, b] = await Promise.all([
      SELF.fetch("http://gateway.test/healthz"),
      SELF.fetch("http://gateway.test/healthz"),
    ]);
    expect(a.headers.get("x-proxygate-request-id")).not.toBe(b.headers.get("x-proxygate-request-id"));
  });
});
