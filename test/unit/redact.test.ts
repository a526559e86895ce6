import { describe, expect, it } from "vitest";
import { redactError } from "../../workers/lib/redact.ts";

describe("redactError", () => {
  it("removes known secrets and any URL", () => {
    const err = new Error("connect to postgres://app:hunter2-canary@db.internal:5432/x failed; token tok_canary_123");
    const text = redactError(err, ["tok_canary_123"]);
    expect(text).not.toContain("hunter2-canary");
    expect(text).not.toContain("db.internal");
    expect(text).not.toContain("tok_canary_123");
    expect(text).toContain("[url]");
    expect(text).toContain("[redacted]");
    expect(text.startsWith("Error: connect to")).toBe(true);
  });

  it("truncates long messages", () => {
    expect(redactError("x".repeat(1000), []).length).toBeLessThanOrEqual(201);
  });
});
