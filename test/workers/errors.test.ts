import { describe, expect, it } from "vitest";
import { SELF } from "./self.ts";

describe("the error envelope", () => {
  it("answers an unknown API route with 404 not_found in the envelope", async () => {
    const res = await SELF.fetch("http://gateway.test/v1/does-not-exist", { method: "POST" });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await res.json<{ error: { code: string; message: string; requestId: string } }>();
    expect(body.error.code).toBe("not_found");
    expect(body.error.message).toContain("POST /v1/does-not-exist");
    expect(body.error.requestId).toBe(res.headers.get("x-proxygate-request-id"));
  });
});
