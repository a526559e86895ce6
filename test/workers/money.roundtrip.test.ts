/**
 * The money round trip as a new user lives it, through the HTTP API and the real chain (LiteSVM):
 * sign in → open a vault → deposit → the balance shows it → withdraw (co-signed) → balance and
 * chain agree. Plus the refusals on the way: replayed deposit, withdrawal above available.
 */
import { type Address, address, generateKeyPairSigner, type KeyPairSigner } from "@solana/kit";
import { beforeAll, describe, expect, it } from "vitest";
import { faucet, signAndSend, signMessage, tokenBalance, transferUsdc, usdcAccount } from "./chain-helpers.ts";
import { SELF } from "./self.ts";

const BASE = "http://gateway.test";

interface BalanceBody {
  available: string;
  onChain: string;
  reserved: string;
  unsettled: string;
  held: string;
  cooldownUntil: string | null;
  flagged: boolean;
}

let buyer: KeyPairSigner;
let apiKey: string;
let vault: Address;

function call(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

async function balance(): Promise<BalanceBody> {
  return json<BalanceBody>(await call("/v1/balance"), 200);
}

beforeAll(async () => {
  buyer = await generateKeyPairSigner();
  await faucet(buyer.address, { sol: 2_000_000_000, usdc: 10_000_000 });
  const challenge = await json<{ nonce: string; message: string }>(
    await SELF.fetch(`${BASE}/v1/auth/challenge`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ wallet: buyer.address }),
    }),
    200,
  );
  const issued = await json<{ apiKey: string }>(
    await SELF.fetch(`${BASE}/v1/auth/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        wallet: buyer.address,
        nonce: challenge.nonce,
        signature: await signMessage(buyer, challenge.message),
      }),
    }),
    200,
  );
  apiKey = issued.apiKey;
});

describe("money round trip", () => {
  it("opens a vault: the platform-signed transaction, signed and sent by the buyer, lands in the safe shape", async () => {
    expect((await call("/v1/vault")).status).toBe(404);
    const opened = await json<{ vault: string; transaction: string }>(await call("/v1/vault", { body: {} }), 201);
    vault = address(opened.vault);
    await signAndSend(opened.transaction, buyer);
    const described = await json<{ status: string; onChain: { status: string; amount: string } }>(
      await call("/v1/vault"),
      200,
    );
    expect(described.status).toBe("active");
    expect(described.onChain).toMatchObject({ status: "ok", amount: "0" });
    expect((await call("/v1/vault", { body: {} })).status).toBe(409);
  });

  it("credits a deposit once, from the chain's numbers, and refuses its replay", async () => {
    const signature = await transferUsdc(buyer, vault, 4_000_000n);
    const recorded = await json<{ amount: string }>(await call("/v1/deposits", { body: { signature } }), 201);
    expect(recorded.amount).toBe("4000000");
    const replay = await json<{ error: { code: string; message: string } }>(
      await call("/v1/deposits", { body: { signature } }),
      409,
    );
    expect(replay.error.code).toBe("conflict");
    expect(replay.error.message).toBe("This deposit was already recorded.");
    const b = await balance();
    expect(b).toMatchObject({ onChain: "4000000", available: "4000000", reserved: "0", unsettled: "0" });
  });

  it("credits one signature posted concurrently exactly once", async () => {
    const signature = await transferUsdc(buyer, vault, 500_000n);
    const results = await Promise.all(Array.from({ length: 8 }, () => call("/v1/deposits", { body: { signature } })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    const listed = await json<{ deposits: Array<{ signature: string }> }>(await call("/v1/deposits"), 200);
    expect(listed.deposits.filter((d) => d.signature === signature)).toHaveLength(1);
    expect((await balance()).onChain).toBe("4500000");
  });

  it("refuses a deposit into another wallet's vault with a clear error", async () => {
    // Someone else's transfer into their own account, reported against this wallet's vault.
    const other = await generateKeyPairSigner();
    await faucet(other.address, { sol: 1_000_000_000, usdc: 1_000_000 });
    const elsewhere = await transferUsdc(other, await usdcAccount(buyer.address), 250_000n);
    const res = await json<{ error: { code: string; message: string } }>(
      await call("/v1/deposits", { body: { signature: elsewhere } }),
      400,
    );
    expect(res.error.code).toBe("invalid_request");
    expect(res.error.message).toContain("did not transfer USDC into this wallet's vault");
    // Refused, so not claimed: it could be reported again (and be refused again), never credited.
    expect((await call("/v1/deposits", { body: { signature: elsewhere } })).status).toBe(400);
  });

  it("refuses a withdrawal above available and co-signs nothing", async () => {
    const res = await call("/v1/withdrawals", { body: { amount: 4_500_001 } });
    const body = await json<{ error: { code: string }; transaction?: string }>(res, 402);
    expect(body.error.code).toBe("insufficient_credit");
    expect(body.transaction).toBeUndefined();
    expect((await balance()).cooldownUntil).toBeNull();
  });

  it("withdraws with the platform's co-signature; balance and chain agree afterwards", async () => {
    const destination = await usdcAccount(buyer.address);
    const before = await tokenBalance(destination);
    const started = await json<{ id: string; transaction: string; cooldownUntil: string }>(
      await call("/v1/withdrawals", { body: { amount: "1500000" } }),
      201,
    );
    const during = await balance();
    expect(during.cooldownUntil).not.toBeNull();
    expect(BigInt(during.available)).toBeLessThanOrEqual(3_000_000n);

    const signature = await signAndSend(started.transaction, buyer);
    const confirmed = await json<{ status: string }>(
      await call(`/v1/withdrawals/${started.id}/confirm`, { body: { signature } }),
      200,
    );
    expect(confirmed.status).toBe("confirmed");

    expect(await tokenBalance(destination)).toBe(before + 1_500_000n);
    expect(await tokenBalance(vault)).toBe(3_000_000n);
    const after = await balance();
    expect(after.cooldownUntil).toBeNull();
    expect(after.onChain).toBe("3000000");
    expect(after.available).toBe("3000000");
    const list = await json<{ withdrawals: Array<{ id: string; status: string }> }>(await call("/v1/withdrawals"), 200);
    expect(list.withdrawals).toEqual([expect.objectContaining({ id: started.id, status: "confirmed" })]);
  });
});
