import { describe, expect, it } from "vitest";
import { ApiError, ERROR_CODES, errorResponse, statusOf } from "../../workers/errors.ts";

describe("error codes", () => {
  it("maps every code to a 4xx or 5xx status", () => {
    for (const code of ERROR_CODES) {
      const status = statusOf(code);
      expect(status, code).toBeGreaterThanOrEqual(400);
      expect(status, code).toBeLessThan(600);
    }
  });

  it("keeps client faults 4xx and gateway faults 5xx", () => {
    expect(statusOf("invalid_request")).toBe(400);
    expect(statusOf("insufficient_credit")).toBe(402);
    expect(statusOf("rate_limited")).toBe(429);
    expect(statusOf("no_capacity")).toBe(503);
    expect(statusOf("bad_environment")).toBe(500);
  });
});

describe("errorResponse", () => {
  it("builds the one envelope, with Retry-After when given", async () => {
    const res = errorResponse("rate_limited", "Slow down", "req_1", 7);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("x-proxygate-request-id")).toBe("req_1");
    expect(await res.json()).toEqual({
      error: { code: "rate_limited", message: "Slow down", requestId: "req_1", retryAfter: 7 },
    });
  });

  it("omits retryAfter when not given", async () => {
    const res = errorResponse("not_found", "Nope", "req_2");
    expect(res.headers.has("retry-after")).toBe(false);
    expect(await res.json()).toEqual({ error: { code: "not_found", message: "Nope", requestId: "req_2" } });
  });

  it("ApiError carries its code and retry hint", () => {
    const err = new ApiError("no_capacity", "All sellers busy", { retryAfter: 3 });
    expect(err.code).toBe("no_capacity");
    expect(err.retryAfter).toBe(3);
    expect(err).toBeInstanceOf(Error);
  });
});
