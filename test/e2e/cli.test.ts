/**
 * The `proxygate` CLI as a new user runs it: the bundled binary (cli/dist/proxygate.js, built
 * here with `npm run build:cli`'s script) as a child process against the built Worker and the
 * hermetic engines. A fresh Solana keypair, funded by the dev faucet → login → vault open →
 * deposit → apis → a streamed proxied call → balance → usage → receipt verify → withdraw; and the
 * exit codes and one-line errors of what goes wrong.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { address, createKeyPairSignerFromPrivateKeyBytes, createSolanaRpc, getAddressEncoder } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { faucet, usdcAccount } from "../../dev/lib/buyer.ts";
import { sellerWithListing, settledBalance } from "./helpers.ts";
import { type Run, runNode } from "./run-node.ts";

const gateway = inject("workerUrl");
const engines = inject("engines");
const root = join(import.meta.dirname, "..", "..");
const bin = join(root, "cli", "dist", "proxygate.js");

let dir: string;
let env: Record<string, string>;

/** Runs the installed-style binary with Node (the same Node 22 that runs the tests). */
function cli(args: string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<Run> {
  return runNode([bin, ...args], { env: { ...env, ...extraEnv }, cwd: dir, ...(stdin === undefined ? {} : { stdin }) });
}

/** Runs a command that must succeed and returns its stdout as JSON. */
async function cliJson<T>(args: string[]): Promise<T> {
  const run = await cli([...args, "--json"]);
  expect(run.code, `proxygate ${args.join(" ")}: ${run.stderr}`).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** One error line on stderr, no stack trace. */
function expectOneLineError(run: Run, code: number, pattern: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

let wallet: string;
let listingId: string;
let apiKey: string;

beforeAll(async () => {
  const build = await runNode([join(root, "cli", "build.ts")], { cwd: root });
  expect(build.code, build.stdout + build.stderr).toBe(0);

  dir = mkdtempSync(join(tmpdir(), "proxygate-cli-"));
  // A Solana CLI keypair file, as `solana-keygen new` writes it: 32 secret bytes then 32 public.
  const seed = crypto.getRandomValues(new Uint8Array(32));
  const signer = await createKeyPairSignerFromPrivateKeyBytes(seed);
  wallet = signer.address;
  const publicKey = getAddressEncoder().encode(signer.address);
  writeFileSync(join(dir, "id.json"), JSON.stringify([...seed, ...publicKey]));
  await faucet(engines.solanaRpcUrl, wallet, { sol: 2_000_000_000, usdc: 5_000_000 });

  env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    PROXYGATE_URL: gateway,
    PROXYGATE_CONFIG: join(dir, "config", "proxygate.json"),
    PROXYGATE_RPC_URL: engines.solanaRpcUrl,
  };

  const { listing } = await sellerWithListing(gateway, engines.solanaRpcUrl, {
    service: "e2e-cli-llm",
    category: "llm",
    upstreamBaseUrl: engines.upstreamUrl,
    allowedMethods: ["GET", "POST"],
    allowedPaths: ["/v1/chat/completions", "/v1/models"],
    keyInjection: { kind: "bearer" },
    price: "1000",
    pricingUnit: "per_1k_tokens",
    capacity: { total: 1000, reservedForSelf: 0, window: "minute" },
    providerKey: engines.upstreamApiKey,
  });
  listingId = listing.id;
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("proxygate CLI, end to end as a new user", { timeout: 120_000 }, () => {
  it("login signs the challenge with the keypair and stores the key in a 0600 config file", async () => {
    const run = await cli(["login", "--keypair", "id.json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`as ${wallet}`);
    const file = join(dir, "config", "proxygate.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(file, "utf8")) as {
      current: string;
      gateways: Record<string, { apiKey: string; wallet: string }>;
    };
    const profile = config.gateways[config.current];
    expect(profile?.wallet).toBe(wallet);
    apiKey = profile?.apiKey ?? "";
    expect(apiKey).toMatch(new RegExp(`^pgk_${wallet}_`));
    // The key is stored, never printed.
    expect(run.stdout + run.stderr).not.toContain(apiKey);
    const who = await cliJson<{ wallet: string }>(["whoami"]);
    expect(who.wallet).toBe(wallet);
  });

  it("vault open signs and sends the creation transaction; the vault is active", async () => {
    const vault = await cliJson<{ status: string; vault: string; created: boolean }>(["vault", "open"]);
    expect(vault).toMatchObject({ status: "active", created: true });
    // Running it again is harmless.
    const again = await cliJson<{ status: string; vault: string; created: boolean }>(["vault", "open"]);
    expect(again).toMatchObject({ status: "active", created: false, vault: vault.vault });
  });

  it("deposit sends 2.5 USDC into the vault and the gateway credits exactly that", async () => {
    const result = await cliJson<{ deposit: { amount: string }; balance: { available: string } }>(["deposit", "2.5"]);
    expect(result.deposit.amount).toBe("2500000");
    expect(result.balance.available).toBe("2500000");
    const human = await cli(["balance"]);
    expect(human.stdout).toMatch(/available\s+2\.50 USDC/);
  });

  it("apis lists the catalog, including the seller's listing", async (test) => {
    const run = await cli(["apis", "--json", "--service", "e2e-cli-llm"]);
    if (run.code === 1 && run.stderr.includes("no catalog")) {
      // TODO(issue 5): GET /v1/apis is built on another branch; until it is merged the route 404s.
      test.skip();
      return;
    }
    expect(run.code, run.stderr).toBe(0);
    const catalog = JSON.parse(run.stdout) as { apis: { id: string; price: string }[] };
    expect(catalog.apis.map((a) => a.id)).toContain(listingId);
    const table = await cli(["apis", "--service", "e2e-cli-llm"]);
    expect(table.stdout).toContain(listingId);
  });

  let requestId: string;
  let cost: bigint;

  it("proxy streams the completion to stdout as it arrives; cost and receipt go to stderr", async () => {
    const body = JSON.stringify({ model: "demo-chat-1", messages: [{ role: "user", content: "hello from the CLI" }] });
    const run = await cli([
      "proxy",
      listingId,
      "/v1/chat/completions",
      "--stream",
      "-d",
      body,
      "--save-receipt",
      "call.receipt",
      "--json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("chat.completion.chunk");
    expect(run.stdout).toContain("data: [DONE]");
    // Our trailer is for the CLI, not for stdout.
    expect(run.stdout).not.toContain("event: proxygate");
    const meta = JSON.parse(run.stderr.trim()) as {
      status: number;
      listing: string;
      cost: string;
      receipt: string;
      requestId: string;
    };
    expect(meta).toMatchObject({ status: 200, listing: listingId });
    expect(meta.receipt).toMatch(/^pgr1\./);
    expect(readFileSync(join(dir, "call.receipt"), "utf8").trim()).toBe(meta.receipt);
    requestId = meta.requestId;
    cost = BigInt(meta.cost);
    expect(cost).toBeGreaterThan(0n);
  });

  it("balance shows the deposit minus exactly the call's cost", async () => {
    const expected = 2_500_000n - cost;
    await settledBalance(gateway, apiKey, (b) => b.reserved === "0" && BigInt(b.available) === expected, 10_000);
    const balance = await cliJson<{ available: string; reserved: string }>(["balance"]);
    expect({ available: BigInt(balance.available), reserved: balance.reserved }).toEqual({
      available: expected,
      reserved: "0",
    });
  });

  it("usage lists the call once the ledger has it", async () => {
    let entries: { requestId: string; charge: string }[] = [];
    for (let i = 0; i < 60 && !entries.some((e) => e.requestId === requestId); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      entries = (await cliJson<{ entries: { requestId: string; charge: string }[] }>(["usage"])).entries;
    }
    expect(entries.find((e) => e.requestId === requestId)?.charge).toBe(cost.toString());
    const table = await cli(["usage"]);
    expect(table.stdout).toContain(requestId);
  });

  it("receipt verify checks the saved receipt and the one fetched by request id; a forged one fails", async () => {
    const fromFile = await cliJson<{ valid: boolean; requestId: string; charge: string; wallet: string }>([
      "receipt",
      "verify",
      "call.receipt",
    ]);
    expect(fromFile).toMatchObject({ valid: true, requestId, charge: cost.toString(), wallet });
    const byId = await cliJson<{ valid: boolean; requestId: string }>(["receipt", "verify", requestId]);
    expect(byId).toMatchObject({ valid: true, requestId });

    const receipt = readFileSync(join(dir, "call.receipt"), "utf8").trim();
    const parts = receipt.split(".");
    parts[4] = (BigInt(parts[4] as string) - 1n).toString(); // a cheaper charge than was signed
    writeFileSync(join(dir, "forged.receipt"), parts.join("."));
    expectOneLineError(await cli(["receipt", "verify", "forged.receipt"]), 1, /does NOT verify/);
  });

  it("withdraw 1 USDC: the gateway co-signs, the wallet signs and sends, the USDC arrives", async () => {
    const rpc = createSolanaRpc(engines.solanaRpcUrl);
    const ata = await usdcAccount(address(wallet), address(engines.vars.USDC_MINT));
    const before = BigInt((await rpc.getTokenAccountBalance(ata).send()).value.amount);
    const result = await cliJson<{ withdrawal: { status: string; amount: string }; balance: { available: string } }>([
      "withdraw",
      "1",
    ]);
    expect(result.withdrawal).toMatchObject({ status: "confirmed", amount: "1000000" });
    const after = BigInt((await rpc.getTokenAccountBalance(ata).send()).value.amount);
    expect(after - before).toBe(1_000_000n);
    expect(BigInt(result.balance.available)).toBe(1_500_000n - cost);
  });

  it("refusals: one line on stderr and a meaningful exit code", async () => {
    // The gateway refuses (more than available): 1.
    expectOneLineError(await cli(["withdraw", "100"]), 1, /insufficient_credit/);
    // Bad arguments: 2, before anything is sent.
    expectOneLineError(await cli(["deposit", "1.2345678"]), 2, /more than 6 decimals/);
    expectOneLineError(await cli(["proxy", listingId]), 2, /missing argument/);
    expectOneLineError(await cli(["balance", "--bogus"]), 2, /bogus/);
    // No key: 3.
    expectOneLineError(await cli(["balance"], { PROXYGATE_CONFIG: join(dir, "none.json") }), 3, /not signed in/);
    // A key the gateway does not know: 3.
    const unknown = `pgk_${wallet}_${"1".repeat(44)}`;
    expectOneLineError(await cli(["balance", "--key", unknown]), 3, /unauthorized/);
    // The stored key belongs to the gateway that issued it: never sent to another one.
    expectOneLineError(
      await cli(["balance", "--url", "http://127.0.0.1:9"]),
      3,
      /not signed in to http:\/\/127\.0\.0\.1:9/,
    );
    // Nothing listening: 4.
    expectOneLineError(await cli(["balance", "--url", "http://127.0.0.1:9", "--key", apiKey]), 4, /cannot reach/);
    // --json errors are one JSON line.
    const json = await cli(["withdraw", "100", "--json"]);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: "insufficient_credit", exitCode: 1 } });
  });
});

describe("proxygate CLI, the seller side and API keys", { timeout: 120_000 }, () => {
  let sellerEnv: Record<string, string>;
  let sold: string;

  beforeAll(async () => {
    const seed = crypto.getRandomValues(new Uint8Array(32));
    const signer = await createKeyPairSignerFromPrivateKeyBytes(seed);
    writeFileSync(join(dir, "seller.json"), JSON.stringify([...seed, ...getAddressEncoder().encode(signer.address)]));
    sellerEnv = { PROXYGATE_CONFIG: join(dir, "seller-config.json"), PROXYGATE_KEYPAIR: join(dir, "seller.json") };
    const login = await cli(["login"], sellerEnv);
    expect(login.code, login.stderr).toBe(0);
  });

  it("listings create takes flags and the provider key on stdin; the key never comes back", async () => {
    const run = await cli(
      [
        "listings",
        "create",
        "--service",
        "e2e-cli-models",
        "--category",
        "llm",
        "--upstream",
        engines.upstreamUrl,
        "--method",
        "GET",
        "--path",
        "/v1/models",
        "--price",
        "0.0002",
        "--capacity",
        "100",
        "--provider-key-file",
        "-",
        "--json",
      ],
      sellerEnv,
      `${engines.upstreamApiKey}\n`,
    );
    expect(run.code, run.stderr).toBe(0);
    const listing = JSON.parse(run.stdout) as { id: string; price: string; status: string; keyLast4: string };
    expect(listing).toMatchObject({ price: "200", status: "active", keyLast4: engines.upstreamApiKey.slice(-4) });
    expect(run.stdout + run.stderr).not.toContain(engines.upstreamApiKey);
    sold = listing.id;
    const table = await cli(["listings"], sellerEnv);
    expect(table.stdout).toContain(sold);
    expect(table.stdout).toContain("0.0002/call");
  });

  it("a buyer's plain call: JSON body to stdout, price + buyer fee on stderr", async () => {
    const run = await cli(["proxy", sold, "/v1/models"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveProperty("data");
    expect(run.stderr).toContain(`listing ${sold}`);
    expect(run.stderr).toContain("cost 0.00021 USDC");
    expect(run.stderr).toMatch(/receipt pgr1\./);
  });

  it("pause refuses the next call, unpause sells again, rotate-key bumps the key, delete ends it", async () => {
    expect((await cli(["listings", "pause", sold], sellerEnv)).stdout).toContain("is paused");
    expectOneLineError(await cli(["proxy", sold, "/v1/models"]), 1, /no_capacity/);
    expect((await cli(["listings", "unpause", sold], sellerEnv)).stdout).toContain("is active");
    expect((await cli(["proxy", sold, "/v1/models"])).code).toBe(0);
    const rotated = await cli(["listings", "rotate-key", sold, "--json"], {
      ...sellerEnv,
      PROXYGATE_PROVIDER_KEY: engines.upstreamApiKey,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ keyVersion: 2 });
    expectOneLineError(await cli(["listings", "rotate-key", sold], sellerEnv), 2, /provider key/);
    expect((await cli(["listings", "delete", sold], sellerEnv)).stdout).toContain("is deleted");
    expectOneLineError(await cli(["proxy", sold, "/v1/models"]), 1, /not_found/);
  });

  it("keys create prints a new key once; revoke kills it at once; logout revokes the stored one", async () => {
    const created = await cli(["keys", "create"], sellerEnv);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^pgk_/);
    expect((await cli(["balance", "--json"], { ...sellerEnv, PROXYGATE_KEY: key })).code).toBe(0);
    const { keys } = await cliJson<{ keys: { id: string; prefix: string; current: boolean }[] }>([
      "keys",
      "list",
      "--key",
      key,
    ]);
    const mine = keys.find((k) => k.current);
    expect(mine).toBeDefined();
    expect((await cli(["keys", "revoke", mine?.id ?? ""], sellerEnv)).code).toBe(0);
    expectOneLineError(await cli(["balance"], { ...sellerEnv, PROXYGATE_KEY: key }), 3, /unauthorized/);

    const stored = (
      JSON.parse(readFileSync(sellerEnv.PROXYGATE_CONFIG as string, "utf8")) as {
        gateways: Record<string, { apiKey: string }>;
      }
    ).gateways[gateway]?.apiKey;
    expect((await cli(["logout"], sellerEnv)).stdout).toContain("key revoked");
    expectOneLineError(await cli(["balance"], sellerEnv), 3, /not signed in/);
    expectOneLineError(await cli(["balance"], { ...sellerEnv, PROXYGATE_KEY: stored ?? "" }), 3, /unauthorized/);
  });
});
