/**
 * `npm run bench:load -- --agents N --calls M` — the books balance under load (issue 10, item 1).
 *
 * Against the local stack (engines in a child process, the built Worker in Miniflare), two sellers
 * list the demo upstream: each a per-call data listing, and both the same per-1k-token chat service
 * (so calls by service name are routed between them). N agents — each a signed-in wallet with a
 * funded multisig vault — make M calls each, concurrently, cycling through: per-call data (either
 * seller), chat by service (token-priced), a streamed chat by service, an upstream failure (HTTP
 * 500 → 502, refunded) and a stream cut midway (refunded). Every receipt is verified against the
 * gateway's published key. Then the WalletDO outboxes flush to Postgres, the settlement cron runs
 * through the Worker's scheduled handler (thresholds 0 via env, so everything is due), and the run
 * is reconciled exactly from the agents' receipts, the ledger, the chain and the WalletDOs
 * (bench/lib/reconcile.ts). Prints throughput and the reconciliation table; exits 1 on any mismatch.
 *
 * Options: --agents (default 16), --calls (default 36 per agent), --deposit (micro-USDC per agent).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Address, address, createSolanaRpc, generateKeyPairSigner } from "@solana/kit";
import { createNodePool } from "../db/node.ts";
import { faucet, fundedBuyer, signIn, usdcAccount } from "../dev/lib/buyer.ts";
import { RELAXED_LIMITS } from "../dev/limits.ts";
import { startWorker } from "../dev/worker.ts";
import { verifyReceipt } from "../workers/receipts/receipt.ts";
import { loadPlatformKeys } from "../workers/solana/keys.ts";
import { spawnEngines } from "./lib/engines.ts";
import {
  type CallOutcome,
  type Delta,
  type EntryStatus,
  formatReconciliation,
  type LedgerRow,
  type ReconcileInput,
  reconcile,
} from "./lib/reconcile.ts";

const { values: args } = parseArgs({
  options: {
    agents: { type: "string", default: "16" },
    calls: { type: "string", default: "36" },
    deposit: { type: "string", default: "20000000" },
  },
});
const AGENTS = Number(args.agents);
const CALLS = Number(args.calls);
const DEPOSIT = Number(args.deposit);
if (!(AGENTS >= 1 && CALLS >= 1 && DEPOSIT >= 1_000_000))
  throw new Error("--agents ≥ 1, --calls ≥ 1, --deposit ≥ 1000000");

const CRON = "*/10 * * * *";
const SERVICE = "load-llm";

interface Agent {
  wallet: string;
  apiKey: string;
  vault: string;
}

interface CallPlan {
  kind: string;
  expectCharged: boolean;
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  stream?: boolean;
}

function chatBody(stream: boolean, i: number) {
  return {
    model: "demo-chat-1",
    messages: [{ role: "user", content: `Load call ${i}: how many tokens is this question?` }],
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

/** The mix, one kind per call, cycled with an offset per agent so every kind runs concurrently. */
function planFor(listings: { dataA: string; dataB: string }, faultQuery: (kind: string) => string) {
  return (i: number): CallPlan => {
    switch (i % 6) {
      case 0:
        return { kind: "data-seller-a", expectCharged: true, method: "GET", path: `${listings.dataA}/data/quotes/PGT` };
      case 1:
        return {
          kind: "data-seller-b",
          expectCharged: true,
          method: "GET",
          path: `${listings.dataB}/data/quotes/ACME`,
        };
      case 2:
        return {
          kind: "chat-routed",
          expectCharged: true,
          method: "POST",
          path: `${SERVICE}/chat/completions`,
          body: chatBody(false, i),
        };
      case 3:
        return {
          kind: "chat-stream-routed",
          expectCharged: true,
          method: "POST",
          path: `${SERVICE}/chat/completions`,
          body: chatBody(true, i),
          stream: true,
        };
      case 4:
        return {
          kind: "upstream-500",
          expectCharged: false,
          method: "GET",
          path: `${listings.dataA}/data/quotes/PGT?${faultQuery("500")}`,
        };
      default:
        return {
          kind: "stream-cut",
          expectCharged: false,
          method: "POST",
          path: `${SERVICE}/chat/completions?${faultQuery("cut")}`,
          body: chatBody(true, i),
          stream: true,
        };
    }
  };
}

/** The `event: proxygate` trailer of an SSE answer (cost and receipt), or null (e.g. a cut stream). */
function sseTrailer(text: string): string | null {
  for (const block of text.split(/\n\n/)) {
    const lines = block.split("\n");
    if (!lines.includes("event: proxygate")) continue;
    const data = lines.find((l) => l.startsWith("data: "));
    if (data) return (JSON.parse(data.slice(6)) as { receipt: string }).receipt;
  }
  return null;
}

async function call(gateway: string, agent: Agent, plan: CallPlan, publicKey: string): Promise<CallOutcome> {
  const res = await fetch(`${gateway}/v1/proxy/${plan.path}`, {
    method: plan.method,
    headers: {
      authorization: `Bearer ${agent.apiKey}`,
      ...(plan.body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: plan.body === undefined ? undefined : JSON.stringify(plan.body),
  });
  const text = await res.text();
  const rawReceipt = res.ok ? (plan.stream ? sseTrailer(text) : res.headers.get("x-proxygate-receipt")) : null;
  let receipt: CallOutcome["receipt"] = null;
  if (rawReceipt !== null) {
    const fields = await verifyReceipt(rawReceipt, publicKey);
    if (fields === null) throw new Error(`a receipt did not verify: ${rawReceipt}`);
    receipt = { requestId: fields.requestId, wallet: fields.wallet, listing: fields.listing, charge: fields.charge };
  }
  return {
    wallet: agent.wallet,
    kind: plan.kind,
    expectCharged: plan.expectCharged,
    requestId: res.headers.get("x-proxygate-request-id"),
    receipt,
    status: res.status,
  };
}

async function until(what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await done()) return true;
    if (Date.now() > deadline) {
      console.error(`gave up waiting: ${what}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<number> {
  const stops: Array<() => Promise<unknown>> = [];
  const scratch = mkdtempSync(join(tmpdir(), "proxygate-load-"));
  stops.push(async () => rmSync(scratch, { recursive: true, force: true }));
  try {
    const engines = await spawnEngines();
    stops.unshift(engines.stop);
    const { info } = engines;
    const vars = info.vars;
    const mint = address(vars.USDC_MINT);
    const rpc = createSolanaRpc(info.solanaRpcUrl);
    const pool = createNodePool(vars, { max: 2 });
    stops.unshift(() => pool.end());
    const sql = async <T>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as T[];

    const gateway = await startWorker({
      vars: {
        ...vars,
        ...RELAXED_LIMITS,
        // Everything is due at once: the cron settles every entry of the run.
        SETTLEMENT_MIN_PAYOUT: "0",
        SETTLEMENT_MIN_COLLECTION: "0",
        SETTLEMENT_MAX_AGE_SECONDS: "0",
      },
      outDir: join(scratch, "build"),
      stateDir: join(scratch, "wrangler"),
    });
    stops.unshift(gateway.stop);
    const url = gateway.url;
    const publicKey = ((await (await fetch(`${url}/v1/receipts/public-key`)).json()) as { publicKey: string })
      .publicKey;

    // Two sellers, each with a per-call data listing and an offer of the same token-priced chat service.
    const sellers = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    const listingIds: string[][] = [];
    for (const [n, seller] of sellers.entries()) {
      await faucet(info.solanaRpcUrl, seller.address, { sol: 1_000_000_000 });
      const key = await signIn(url, seller);
      const create = async (body: Record<string, unknown>) => {
        const res = await fetch(`${url}/v1/listings`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ type: "proxy", providerKey: info.upstreamApiKey, ...body }),
        });
        if (!res.ok) throw new Error(`creating a listing failed: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { id: string }).id;
      };
      listingIds.push([
        await create({
          service: `load-data-${n}`,
          category: "data",
          description: "load benchmark data API",
          upstreamBaseUrl: info.upstreamUrl,
          allowedMethods: ["GET"],
          allowedPaths: ["/data/quotes/*"],
          keyInjection: { kind: "header", name: "X-Api-Key" },
          price: n === 0 ? "200" : "333",
          pricingUnit: "per_call",
          capacity: { total: 10_000_000, reservedForSelf: 0, window: "minute" },
        }),
        await create({
          service: SERVICE,
          category: "llm",
          description: "load benchmark chat API",
          upstreamBaseUrl: `${info.upstreamUrl}/v1`,
          allowedMethods: ["POST"],
          allowedPaths: ["/chat/completions"],
          keyInjection: { kind: "bearer" },
          price: n === 0 ? "1000" : "1500",
          pricingUnit: "per_1k_tokens",
          capacity: { total: 10_000_000, reservedForSelf: 0, window: "minute" },
        }),
      ]);
    }
    const dataA = listingIds[0]?.[0] as string;
    const dataB = listingIds[1]?.[0] as string;

    const setupStarted = performance.now();
    const agents: Agent[] = [];
    // A few at a time: each opening and deposit is a couple of chain round trips.
    for (let i = 0; i < AGENTS; i += 4) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(4, AGENTS - i) }, () =>
          fundedBuyer(url, info.solanaRpcUrl, vars.USDC_MINT, DEPOSIT),
        ),
      );
      for (const b of batch) agents.push({ wallet: b.signer.address, apiKey: b.apiKey, vault: b.vault });
    }
    console.error(`${AGENTS} agents funded in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    const faultQuery = (kind: string) =>
      new URLSearchParams({ demo_fault: kind, demo_token: info.upstreamControlToken, demo_cut_after: "2" }).toString();
    const plan = planFor({ dataA, dataB }, faultQuery);

    // The calls: every agent in its own loop, all at once.
    const outcomes: CallOutcome[] = [];
    const started = performance.now();
    await Promise.all(
      agents.map(async (agent, a) => {
        for (let i = 0; i < CALLS; i++) outcomes.push(await call(url, agent, plan(a + i), publicKey));
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const charged = outcomes.filter((o) => o.receipt !== null).length;
    console.log(
      `\n${outcomes.length} calls (${AGENTS} agents × ${CALLS}) in ${seconds.toFixed(2)} s: ${(outcomes.length / seconds).toFixed(1)} calls/s; ${charged} charged, ${outcomes.length - charged} failed and refunded`,
    );

    // The outboxes flush by alarm: wait until Postgres holds every charged call and nothing is reserved.
    const wallets = agents.map((a) => a.wallet);
    const flushStarted = performance.now();
    await until("the outboxes to flush", 60_000, async () => {
      const [row] = await sql<{ n: number }>(
        "SELECT count(*)::int AS n FROM ledger_entries WHERE buyer_wallet = ANY($1)",
        [wallets],
      );
      if ((row?.n ?? 0) < charged) return false;
      const views = await Promise.all(
        agents.map(async (a) => {
          const res = await fetch(`${url}/v1/balance`, { headers: { authorization: `Bearer ${a.apiKey}` } });
          return ((await res.json()) as { reserved: string }).reserved;
        }),
      );
      return views.every((r) => r === "0");
    });
    console.log(`outboxes flushed in ${((performance.now() - flushStarted) / 1000).toFixed(1)} s`);

    // Balances on chain before the settlement.
    const keys = await loadPlatformKeys(vars);
    const treasuryAccount = await usdcAccount(keys.treasury.address, mint);
    const payeeWallets = sellers.map((s) => s.address as string);
    const payeeAccounts = await Promise.all(payeeWallets.map((w) => usdcAccount(address(w), mint)));
    const balanceOf = async (account: string): Promise<bigint> => {
      try {
        const { value } = await rpc.getTokenAccountBalance(account as Address, { commitment: "confirmed" }).send();
        return BigInt(value.amount);
      } catch {
        return 0n; // not created yet
      }
    };
    const snapshot = async () => ({
      vaults: await Promise.all(agents.map((a) => balanceOf(a.vault))),
      payees: await Promise.all(payeeAccounts.map(balanceOf)),
      treasury: await balanceOf(treasuryAccount),
    });
    const before = await snapshot();

    // The settlement: the cron, through the Worker's scheduled handler, until nothing is open
    // (a run that leaves a batch pending finishes it on the next tick).
    const settleStarted = performance.now();
    let runs = 0;
    await until("the settlement", 120_000, async () => {
      runs += 1;
      const res = await fetch(`${url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(CRON)}`);
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`the scheduled handler answered ${res.status}`);
      const [row] = await sql<{ open: number; pending: number }>(
        `SELECT (SELECT count(*)::int FROM ledger_entries WHERE buyer_wallet = ANY($1) AND status IN ('unsettled', 'in_batch')) AS open,
                (SELECT count(*)::int FROM settlement_batches WHERE status IN ('planned', 'executing')) AS pending`,
        [wallets],
      );
      return row?.open === 0 && row.pending === 0;
    });
    const batches = await sql<{ id: string; status: string }>(
      "SELECT id, status FROM settlement_batches ORDER BY created_at",
    );
    console.log(
      `settlement: ${runs} cron run(s) in ${((performance.now() - settleStarted) / 1000).toFixed(1)} s; batches ${batches.map((b) => `${b.id.slice(0, 8)} ${b.status}`).join(", ")}`,
    );
    const after = await snapshot();

    const ledger = (
      await sql<{
        request_id: string;
        buyer_wallet: string;
        payee_wallet: string;
        listing_id: string | null;
        charge: string;
        seller_payout: string;
        platform_fee: string;
        status: EntryStatus;
      }>(
        `SELECT request_id, buyer_wallet, payee_wallet, listing_id, charge::text, seller_payout::text, platform_fee::text, status::text
           FROM ledger_entries WHERE buyer_wallet = ANY($1)`,
        [wallets],
      )
    ).map(
      (r): LedgerRow => ({
        requestId: r.request_id,
        buyer: r.buyer_wallet,
        payee: r.payee_wallet,
        listing: r.listing_id,
        charge: BigInt(r.charge),
        payout: BigInt(r.seller_payout),
        fee: BigInt(r.platform_fee),
        status: r.status,
      }),
    );
    const walletUnsettled = new Map<string, bigint>();
    for (const a of agents) {
      const res = await fetch(`${url}/v1/balance`, { headers: { authorization: `Bearer ${a.apiKey}` } });
      walletUnsettled.set(a.wallet, BigInt(((await res.json()) as { unsettled: string }).unsettled));
    }
    const delta = (i: number, k: "vaults" | "payees"): Delta => ({
      before: before[k][i] as bigint,
      after: after[k][i] as bigint,
    });
    const input: ReconcileInput = {
      calls: outcomes,
      ledger,
      vaults: new Map(agents.map((a, i) => [a.wallet, delta(i, "vaults")])),
      payees: new Map(payeeWallets.map((w, i) => [w, delta(i, "payees")])),
      treasury: { before: before.treasury, after: after.treasury },
      walletUnsettled,
      expectAllSettled: true,
    };
    const result = reconcile(input);
    // Self-check: the same real data, corrupted the ways a fault would, must fail the reconciliation.
    const corruptions: Array<[string, ReconcileInput]> = [
      ["one ledger entry lost", { ...input, ledger: ledger.slice(1) }],
      ["one ledger entry duplicated", { ...input, ledger: [...ledger, ...ledger.slice(0, 1)] }],
      ["treasury off by 1", { ...input, treasury: { ...input.treasury, after: input.treasury.after + 1n } }],
      [
        "one payout 1 lower, fee 1 higher",
        {
          ...input,
          ledger: ledger.map((r, i) => (i === 0 ? { ...r, payout: r.payout - 1n, fee: r.fee + 1n } : r)),
        },
      ],
    ];
    const missed =
      ledger.length === 0 ? ["(no entries)"] : corruptions.filter(([, c]) => reconcile(c).ok).map(([n]) => n);

    const names = new Map(
      listingIds.flatMap((ids, n) =>
        ids.map((id, j) => [id, `seller ${n === 0 ? "A" : "B"} ${j === 0 ? "data" : "chat"}`]),
      ),
    );
    const kinds = new Map<string, { n: number; charged: number; served: Map<string, number> }>();
    for (const o of outcomes) {
      const k = kinds.get(o.kind) ?? { n: 0, charged: 0, served: new Map<string, number>() };
      k.n += 1;
      if (o.receipt) {
        k.charged += 1;
        const name = names.get(o.receipt.listing) ?? o.receipt.listing;
        k.served.set(name, (k.served.get(name) ?? 0) + 1);
      }
      kinds.set(o.kind, k);
    }
    console.log("\n| call kind | calls | charged | charged by listing |\n|---|---:|---:|---|");
    for (const [kind, k] of kinds) {
      const served = [...k.served].map(([name, n]) => `${name}: ${n}`).join(", ") || "–";
      console.log(`| ${kind} | ${k.n} | ${k.charged} | ${served} |`);
    }
    const t = result.totals;
    console.log(
      `\nledger: ${t.entries} entries; Σ charge ${t.charges}, Σ payout ${t.payouts}, Σ fee ${t.fees} micro-USDC; on chain: collected ${t.collected}, paid out ${t.paidOut}, treasury Δ ${after.treasury - before.treasury}; open ${t.open}, forfeited ${t.forfeited}\n`,
    );
    console.log(formatReconciliation(result));
    console.log(
      `\nself-check: ${missed.length === 0 ? `all ${corruptions.length} corrupted copies of this run's data were caught` : `NOT CAUGHT: ${missed.join(", ")}`}`,
    );
    console.log(`reconciliation: ${result.ok ? "OK — the books balance exactly" : "MISMATCH"}`);
    return result.ok && missed.length === 0 ? 0 : 1;
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error("bench:load failed:", err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
