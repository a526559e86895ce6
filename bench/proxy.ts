/**
 * `npm run bench:proxy` — what the gateway costs on the hot path, measured through workerd
 * (Miniflare directly, never `wrangler dev`), against one local upstream reached three ways:
 *   (a) directly, (b) through a bare passthrough Worker, (c) through the full proxy path with
 *   auth, reservation, capacity fence and metering on.
 * Prints req/s, p50 and p99 for each and the c/b ratios. Options: --seconds, --concurrency.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateKeyPairSigner } from "@solana/kit";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { startHermeticEngines } from "../dev/engines-main.ts";
import { faucet, fundedBuyer, signIn } from "../dev/lib/buyer.ts";
import { stopAll } from "../dev/lib/process.ts";
import { RELAXED_LIMITS } from "../dev/limits.ts";
import { startWorker } from "../dev/worker.ts";
import { type LoadResult, runLoad } from "./lib/load.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "16" },
    warmup: { type: "string", default: "2" },
  },
});
const load = {
  seconds: Number(args.seconds),
  concurrency: Number(args.concurrency),
  warmupSeconds: Number(args.warmup),
};

/** The smallest Worker that forwards a request: the baseline any gateway Worker pays anyway. */
const PASSTHROUGH = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
  },
};`;

function row(r: LoadResult): string {
  return `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`;
}

async function main(): Promise<void> {
  const { engines, stateDir, cleanup } = await startHermeticEngines();
  const stops: Array<() => Promise<unknown>> = [cleanup];
  try {
    const gateway = await startWorker({
      vars: { ...engines.vars, ...RELAXED_LIMITS },
      outDir: join(stateDir, "build"),
      stateDir: join(stateDir, "wrangler"),
    });
    stops.unshift(gateway.stop);
    const passthrough = new Miniflare(
      convertV4MiniflareOptions({
        host: "127.0.0.1",
        port: 0,
        modules: true,
        script: PASSTHROUGH,
        compatibilityDate: "2026-08-01",
        bindings: { UPSTREAM: engines.upstreamUrl },
      } as Parameters<typeof convertV4MiniflareOptions>[0]),
    );
    const passthroughUrl = (await passthrough.ready).toString().replace(/\/$/, "");
    stops.unshift(() => passthrough.dispose());

    // A seller lists the demo data API; a buyer with a funded vault calls it.
    const seller = await generateKeyPairSigner();
    await faucet(engines.solanaRpcUrl, seller.address, { sol: 1_000_000_000 });
    const sellerKey = await signIn(gateway.url, seller);
    const created = await fetch(`${gateway.url}/v1/listings`, {
      method: "POST",
      headers: { authorization: `Bearer ${sellerKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        service: "bench-data",
        type: "proxy",
        category: "data",
        description: "benchmark listing",
        upstreamBaseUrl: engines.upstreamUrl,
        allowedMethods: ["GET"],
        allowedPaths: ["/data/quotes/*"],
        keyInjection: { kind: "header", name: "X-Api-Key" },
        price: "100",
        pricingUnit: "per_call",
        capacity: { total: 10_000_000, reservedForSelf: 0, window: "minute" },
        providerKey: engines.upstreamApiKey,
      }),
    });
    if (!created.ok) throw new Error(`creating the listing failed: ${created.status} ${await created.text()}`);
    const listing = ((await created.json()) as { id: string }).id;
    const buyer = await fundedBuyer(gateway.url, engines.solanaRpcUrl, engines.usdcMint, 1_000_000_000);

    const path = "/data/quotes/PGT";
    const upstreamHeaders = { "x-api-key": engines.upstreamApiKey };
    const probe = await fetch(`${gateway.url}/v1/proxy/${listing}${path}`, {
      headers: { authorization: `Bearer ${buyer.apiKey}` },
    });
    if (!probe.ok) throw new Error(`a proxied call failed: ${probe.status} ${await probe.text()}`);

    console.log(`load: ${load.concurrency} concurrent, ${load.seconds} s each after ${load.warmupSeconds} s warm-up\n`);
    const a = await runLoad(
      "(a) upstream directly",
      () => fetch(`${engines.upstreamUrl}${path}`, { headers: upstreamHeaders }),
      load,
    );
    const b = await runLoad(
      "(b) bare passthrough Worker",
      () => fetch(`${passthroughUrl}${path}`, { headers: upstreamHeaders }),
      load,
    );
    const c = await runLoad(
      "(c) proxygate, full path",
      () =>
        fetch(`${gateway.url}/v1/proxy/${listing}${path}`, { headers: { authorization: `Bearer ${buyer.apiKey}` } }),
      load,
    );
    console.log("| path | req/s | p50 ms | p99 ms | errors |");
    console.log("|---|---|---|---|---|");
    for (const r of [a, b, c]) console.log(row(r));
    console.log(
      `\nc/b throughput ${(c.rps / b.rps).toFixed(2)} (target ≥ 0.75) · added p50 ${(c.p50 - b.p50).toFixed(2)} ms (target ≤ 1) · added p99 ${(c.p99 - b.p99).toFixed(2)} ms (target ≤ 5)`,
    );
  } finally {
    for (const stop of stops) await stop().catch(() => {});
    await stopAll();
  }
}

main().catch(async (err: unknown) => {
  console.error("bench:proxy failed:", err instanceof Error ? err.message : err);
  await stopAll();
  process.exit(1);
});
