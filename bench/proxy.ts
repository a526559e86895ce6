/**
 * `npm run bench:proxy` — what the gateway costs on the hot path, measured through workerd
 * (Miniflare directly, never `wrangler dev`), against one local upstream reached these ways:
 *   (a)  directly;
 *   (b)  through a bare passthrough Worker (no compatibility flags, no assets);
 *   (f₀) through the passthrough plus three empty Durable Object calls (two before the upstream
 *        request, in parallel, one after the response): what the RPCs alone cost;
 *   (f)  the same with each call writing one SQLite row: the floor of DESIGN §2 (see FLOOR);
 *   (c)  through the full proxy path with auth, reservation, capacity fence and metering on, in
 *        the bare shape of (b): no static-assets router in front;
 *   (b′) through the passthrough deployed in the gateway's shape (its compatibility flags, its
 *        static-assets router with `run_worker_first`);
 *   (c′) through the full proxy path in that shape, as `npm start` runs it.
 * c/b and c′/b′ compare like with like; f/b bounds c/b (no implementation of the design costs
 * less than its floor); c − f is what the gateway's own code costs beyond the floor.
 *
 * Fair play: every Worker runs in its own Miniflare with the same options; the engines (demo
 * upstream, Redis, Postgres) run in a child process, never in the load generator's event loop;
 * the paths take turns, round after round, and the table shows per-path medians over the rounds.
 * Durable Object storage lives on a RAM disk (--storage ram, the default): see README
 * "Benchmark" for why that is the fair local stand-in for production storage.
 *
 * Options: --seconds, --concurrency, --warmup, --rounds, --storage ram|disk, --only (e.g. "b,c"),
 * --inspect-port (the bare-shape gateway's V8 inspector, to take CPU profiles while it runs).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateKeyPairSigner } from "@solana/kit";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { faucet, fundedBuyer, signIn } from "../dev/lib/buyer.ts";
import { RELAXED_LIMITS } from "../dev/limits.ts";
import { ROOT, startWorker } from "../dev/worker.ts";
import { descendants, totalCpuMs } from "./lib/cpu.ts";
import { spawnEngines } from "./lib/engines.ts";
import { type LoadResult, runLoad, type Target } from "./lib/load.ts";

const { values: args } = parseArgs({
  options: {
    seconds: { type: "string", default: "8" },
    concurrency: { type: "string", default: "16" },
    warmup: { type: "string", default: "2" },
    rounds: { type: "string", default: "3" },
    storage: { type: "string", default: "ram" },
    only: { type: "string", default: "a,b,f0,f,c,b',c'" },
    "inspect-port": { type: "string" },
  },
});
const load = {
  seconds: Number(args.seconds),
  concurrency: Number(args.concurrency),
  warmupSeconds: Number(args.warmup),
};
const rounds = Math.max(1, Number(args.rounds));
if (args.storage !== "ram" && args.storage !== "disk") throw new Error("--storage is ram or disk");

/** The smallest Worker that forwards a request: the baseline any gateway Worker pays anyway. */
const PASSTHROUGH = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    return fetch(env.UPSTREAM + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
  },
};`;

/**
 * The floor of DESIGN §2 on this runtime: a passthrough plus exactly the Durable Object work the
 * design requires of every call, and nothing else — reserve (one wallet object) and admit (one
 * fence object) in parallel before the upstream request, confirm after the response, each one
 * RPC that writes one SQLite row (with WRITES = "0": the same three calls writing nothing). No
 * auth, pricing, key vault, receipt, outbox or telemetry. No implementation of the design can
 * beat it here, so (f)/(b) bounds what (c)/(b) can reach.
 */
const FLOOR = `import { DurableObject } from "cloudflare:workers";
class Counter extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS calls (id TEXT PRIMARY KEY, state INTEGER NOT NULL)");
  }
  write(id, state) {
    if (this.env.WRITES === "0") return true;
    this.ctx.storage.sql.exec("INSERT INTO calls (id, state) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state", id, state);
    return true;
  }
}
export class Wallet extends Counter {}
export class Fence extends Counter {}
export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    const id = crypto.randomUUID();
    const wallet = env.WALLET.get(env.WALLET.idFromName("buyer"));
    const fence = env.FENCE.get(env.FENCE.idFromName("listing"));
    await Promise.all([wallet.write(id, 1), fence.write(id, 1)]);
    const response = await fetch(env.UPSTREAM + url.pathname + url.search, { headers: request.headers });
    ctx.waitUntil(wallet.write(id, 2));
    return response;
  },
};`;

type MiniflareInput = Parameters<typeof convertV4MiniflareOptions>[0];

interface PathResult extends LoadResult {
  /** CPU milliseconds per request of the workerd serving this path; null where /proc is absent. */
  serverCpu: number | null;
  /** CPU milliseconds per request of everything else this benchmark runs (engines, load generator). */
  restCpu: number | null;
}

function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2;
}

function fmt(n: number | null, digits: number): string {
  return n === null || !Number.isFinite(n) ? "–" : n.toFixed(digits);
}

/** Processes this benchmark started after `before` was taken (the workerd of one Miniflare). */
function newChildren(before: ReadonlySet<number>, exclude: ReadonlySet<number>): number[] {
  return descendants(process.pid).filter((p) => p !== process.pid && !before.has(p) && !exclude.has(p));
}

async function main(): Promise<void> {
  const stops: Array<() => Promise<unknown>> = [];
  const scratch = mkdtempSync(join(tmpdir(), "proxygate-bench-"));
  stops.push(async () => rmSync(scratch, { recursive: true, force: true }));
  // DO storage (and Miniflare's other state) on a RAM disk: see the header and README "Benchmark".
  const ramRoot = existsSync("/dev/shm") ? "/dev/shm" : null;
  if (args.storage === "ram" && ramRoot === null) console.warn("no /dev/shm here: storage stays on disk");
  const persistRoot = mkdtempSync(join(args.storage === "ram" && ramRoot ? ramRoot : tmpdir(), "proxygate-bench-do-"));
  stops.push(async () => rmSync(persistRoot, { recursive: true, force: true }));
  const miniflareCommon = (name: string) => ({
    host: "127.0.0.1",
    port: 0,
    resourcePersistencePath: join(persistRoot, name),
  });
  try {
    const engines = await spawnEngines();
    stops.unshift(engines.stop);
    const { info } = engines;
    const enginePids = () => descendants(engines.pid);
    const vars = info.vars;

    let before = new Set(descendants(process.pid));
    const excluded = () => new Set(enginePids());
    const path = "/data/quotes/PGT";

    /**
     * The gateway in workerd, with a seller's listing of the demo data API and a buyer with a
     * funded vault calling it. `shaped`: behind Miniflare's static-assets router, as deployed.
     */
    const startGateway = async (name: string, shaped: boolean) => {
      before = new Set(descendants(process.pid));
      const gateway = await startWorker({
        vars: { ...vars, ...RELAXED_LIMITS },
        outDir: join(scratch, `build-${name}`),
        stateDir: join(scratch, `wrangler-${name}`),
        persistDir: join(persistRoot, name),
        assets: shaped,
        ...(args["inspect-port"] === undefined || shaped ? {} : { inspectorPort: Number(args["inspect-port"]) }),
      });
      stops.unshift(gateway.stop);
      const pids = newChildren(before, excluded());
      const seller = await generateKeyPairSigner();
      await faucet(info.solanaRpcUrl, seller.address, { sol: 1_000_000_000 });
      const sellerKey = await signIn(gateway.url, seller);
      const created = await fetch(`${gateway.url}/v1/listings`, {
        method: "POST",
        headers: { authorization: `Bearer ${sellerKey}`, "content-type": "application/json" },
        body: JSON.stringify({
          service: `bench-data-${name}`,
          type: "proxy",
          category: "data",
          description: "benchmark listing",
          upstreamBaseUrl: info.upstreamUrl,
          allowedMethods: ["GET"],
          allowedPaths: ["/data/quotes/*"],
          keyInjection: { kind: "header", name: "X-Api-Key" },
          price: "100",
          pricingUnit: "per_call",
          capacity: { total: 10_000_000, reservedForSelf: 0, window: "minute" },
          providerKey: info.upstreamApiKey,
        }),
      });
      if (!created.ok) throw new Error(`creating the listing failed: ${created.status} ${await created.text()}`);
      const listing = ((await created.json()) as { id: string }).id;
      const buyer = await fundedBuyer(gateway.url, info.solanaRpcUrl, vars.USDC_MINT, 1_000_000_000);
      const target: Target = {
        url: `${gateway.url}/v1/proxy/${listing}${path}`,
        headers: { authorization: `Bearer ${buyer.apiKey}` },
      };
      const probe = await fetch(target.url, { headers: target.headers });
      if (!probe.ok) throw new Error(`a proxied call failed: ${probe.status} ${await probe.text()}`);
      await probe.arrayBuffer();
      return { target, pids };
    };

    // The gateway's compatibility date for every script Worker; its flags and assets for the shaped one.
    const { compatibilityDate, compatibilityFlags, assets } = unstable_getMiniflareWorkerOptions(
      join(ROOT, "wrangler.toml"),
    ).workerOptions;
    /** A small script Worker in a Miniflare of its own, on the gateway's compatibility date. */
    const startScript = async (name: string, options: Record<string, unknown>) => {
      before = new Set(descendants(process.pid));
      const mf = new Miniflare(
        convertV4MiniflareOptions({
          ...miniflareCommon(name),
          modules: true,
          compatibilityDate,
          ...options,
        } as MiniflareInput),
      );
      const url = (await mf.ready).toString().replace(/\/$/, "");
      stops.unshift(() => mf.dispose());
      return { url, pids: newChildren(before, excluded()) };
    };
    const startPassthrough = (name: string, shaped: boolean) =>
      startScript(name, {
        name: "passthrough",
        script: PASSTHROUGH,
        ...(shaped ? { compatibilityFlags, assets } : {}),
        bindings: { UPSTREAM: info.upstreamUrl },
      });
    const bare = await startPassthrough("bare", false);
    const startFloor = (name: string, writes: boolean) =>
      startScript(name, {
        name: "floor",
        script: FLOOR,
        durableObjects: {
          WALLET: { className: "Wallet", useSQLite: true },
          FENCE: { className: "Fence", useSQLite: true },
        },
        bindings: { UPSTREAM: info.upstreamUrl, WRITES: writes ? "1" : "0" },
      });
    const calls = await startFloor("floor-calls", false);
    const floor = await startFloor("floor", true);
    const shaped = await startPassthrough("shaped", true);
    const gateway = await startGateway("gateway", false);
    const gatewayShaped = await startGateway("gateway-shaped", true);

    const upstreamHeaders = { "x-api-key": info.upstreamApiKey };
    const paths: Array<{ key: string; name: string; target: Target; pids: number[] }> = [
      {
        key: "a",
        name: "(a) upstream directly",
        target: { url: `${info.upstreamUrl}${path}`, headers: upstreamHeaders },
        pids: [],
      },
      {
        key: "b",
        name: "(b) bare passthrough Worker",
        target: { url: `${bare.url}${path}`, headers: upstreamHeaders },
        pids: bare.pids,
      },
      {
        key: "f0",
        name: "(f₀) three empty DO calls",
        target: { url: `${calls.url}${path}`, headers: upstreamHeaders },
        pids: calls.pids,
      },
      {
        key: "f",
        name: "(f) the design's floor",
        target: { url: `${floor.url}${path}`, headers: upstreamHeaders },
        pids: floor.pids,
      },
      { key: "c", name: "(c) proxygate, full path", target: gateway.target, pids: gateway.pids },
      {
        key: "b'",
        name: "(b′) passthrough, gateway's shape",
        target: { url: `${shaped.url}${path}`, headers: upstreamHeaders },
        pids: shaped.pids,
      },
      {
        key: "c'",
        name: "(c′) proxygate, gateway's shape",
        target: gatewayShaped.target,
        pids: gatewayShaped.pids,
      },
    ];
    const selected = paths.filter((p) => args.only.split(",").includes(p.key));

    console.log(
      `load: ${load.concurrency} concurrent, ${load.seconds} s per path after ${load.warmupSeconds} s warm-up, ${rounds} round(s); DO storage: ${args.storage}\n`,
    );
    const results = new Map<string, PathResult[]>();
    for (let round = 1; round <= rounds; round++) {
      for (const p of selected) {
        let serverAt = 0;
        let allAt = 0;
        let serverCpu: number | null = null;
        let restCpu: number | null = null;
        const everything = () => [process.pid, ...enginePids(), ...paths.flatMap((q) => q.pids)];
        const r = await runLoad(p.name, p.target, load, {
          start() {
            serverAt = totalCpuMs(p.pids) ?? 0;
            allAt = totalCpuMs(everything()) ?? 0;
          },
          stop() {
            const server = totalCpuMs(p.pids);
            const all = totalCpuMs(everything());
            serverCpu = server === null ? null : server - serverAt;
            restCpu = all === null ? null : all - allAt - (serverCpu ?? 0);
          },
        });
        const per = (ms: number | null) => (ms === null || r.requests === 0 ? null : ms / r.requests);
        const result: PathResult = { ...r, serverCpu: p.pids.length ? per(serverCpu) : null, restCpu: per(restCpu) };
        results.set(p.key, [...(results.get(p.key) ?? []), result]);
        console.log(
          `round ${round} ${p.name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, errors ${r.errors}, CPU ms/req workerd ${fmt(result.serverCpu, 2)} rest ${fmt(result.restCpu, 2)}`,
        );
      }
    }

    const med = (key: string, f: (r: PathResult) => number | null) =>
      median((results.get(key) ?? []).map((r) => f(r) ?? Number.NaN));
    console.log(`\nmedians over ${rounds} round(s):\n`);
    console.log("| path | req/s | p50 ms | p99 ms | errors | workerd CPU ms/req | other CPU ms/req |");
    console.log("|---|---|---|---|---|---|---|");
    for (const p of selected) {
      const errors = (results.get(p.key) ?? []).reduce((n, r) => n + r.errors, 0);
      console.log(
        `| ${p.name} | ${fmt(
          med(p.key, (r) => r.rps),
          0,
        )} | ${fmt(
          med(p.key, (r) => r.p50),
          2,
        )} | ${fmt(
          med(p.key, (r) => r.p99),
          2,
        )} | ${errors} | ${fmt(
          med(p.key, (r) => r.serverCpu),
          2,
        )} | ${fmt(
          med(p.key, (r) => r.restCpu),
          2,
        )} |`,
      );
    }
    // Ratios per round (each pair ran back to back), then the median.
    const ratio = (top: string, bottom: string, f: (t: PathResult, b: PathResult) => number) => {
      const t = results.get(top) ?? [];
      const b = results.get(bottom) ?? [];
      return median(t.map((x, i) => (b[i] ? f(x, b[i]) : Number.NaN)));
    };
    for (const [top, base] of [
      ["f0", "b"],
      ["f", "b"],
      ["c", "b"],
      ["c'", "b'"],
      ["c", "f"],
    ] as const) {
      if (!results.has(base) || !results.has(top)) continue;
      // The targets are stated against the passthrough; against the floor the line only says how far off it is.
      const target = (text: string) => (base === "f" ? "" : ` (target ${text})`);
      const throughput = fmt(
        ratio(top, base, (c, b) => c.rps / b.rps),
        2,
      );
      const p50 = fmt(
        ratio(top, base, (c, b) => c.p50 - b.p50),
        2,
      );
      const p99 = fmt(
        ratio(top, base, (c, b) => c.p99 - b.p99),
        2,
      );
      console.log(
        `\n${top}/${base}: throughput ${throughput}${target("≥ 0.75")} · added p50 ${p50} ms${target("≤ 1")} · added p99 ${p99} ms${target("≤ 5")}`,
      );
    }
  } finally {
    for (const stop of stops) await stop().catch(() => {});
  }
}

main().catch((err: unknown) => {
  console.error("bench:proxy failed:", err instanceof Error ? err.message : err);
  process.exit(1);
});
