/**
 * GET /v1/openapi.json through the Worker, and the declared response schemas hold for real
 * answers: each response is parsed with the zod schema its operation declares.
 */
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { API_OPERATIONS } from "../../workers/app.ts";
import { BASE, newWallet, post, signIn, withKey } from "./auth-helpers.ts";
import { SELF } from "./self.ts";

function schemaOf(operationId: string, status: number): z.ZodType {
  const op = API_OPERATIONS.find((o) => o.operationId === operationId);
  const schema = op?.responses[status]?.schema;
  if (!schema) throw new Error(`no ${status} schema for ${operationId}`);
  return schema;
}

async function expectShape(res: Response, operationId: string): Promise<void> {
  const body: unknown = await res.json();
  const parsed = schemaOf(operationId, res.status).safeParse(body);
  expect(parsed.success, `${operationId}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
}

describe("the OpenAPI document and the answers it describes", () => {
  it("is served as JSON, cacheable, for anyone", async () => {
    const res = await SELF.fetch(`${BASE}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/auth/challenge",
        "/v1/listings/{id}",
        "/v1/proxy/{target}/{path}",
        "/v1/apis",
        "/v1/seller/earnings",
        "/v1/tasks/{id}/claim",
        "/v1/openapi.json",
      ]),
    );
  });

  it("public, sign-in and API-key answers match their declared schemas", async () => {
    await expectShape(await SELF.fetch(`${BASE}/v1/receipts/public-key`), "receiptPublicKey");
    const health = await SELF.fetch(`${BASE}/healthz`);
    await expectShape(health, "health");

    const wallet = await newWallet();
    await expectShape(await post("/v1/auth/challenge", { wallet: wallet.address }), "signInChallenge");
    const { apiKey } = await signIn(wallet);
    await expectShape(await withKey(apiKey, "/v1/balance"), "getBalance");
    await expectShape(await withKey(apiKey, "/v1/keys"), "listKeys");
    await expectShape(await withKey(apiKey, "/v1/usage"), "listUsage");
    await expectShape(await withKey(apiKey, "/v1/deposits"), "listDeposits");
    await expectShape(await withKey(apiKey, "/v1/withdrawals"), "listWithdrawals");
    await expectShape(await withKey(apiKey, "/v1/listings"), "listListings");
    const created = await SELF.fetch(`${BASE}/v1/keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
    });
    await expectShape(created, "createKey");
  });
});
