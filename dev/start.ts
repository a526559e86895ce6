/**
 * `npm start`: the whole of proxygate on this machine, on real engines bound to 127.0.0.1 —
 * Postgres (embedded PGlite by default, `--postgres=system` for Debian's PostgreSQL), redis-server
 * behind the Upstash REST shim, Solana (LiteSVM) behind JSON-RPC, a demo upstream, and the Worker
 * in workerd via Miniflare. Migrates, seeds a demo seller, prints how to use it. Ctrl-C stops
 * every process it started.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fundedBuyer } from "./lib/buyer.ts";
import { MissingDependencyError, stopAll } from "./lib/process.ts";
import { generatePlatformSecrets, type PlatformSecrets } from "./platform-keys.ts";
import { seedDemo } from "./seed.ts";
import { type Engines, startEngines } from "./stack.ts";
import { ROOT, type RunningWorker, startWorker } from "./worker.ts";

const TEN_MINUTES = 10 * 60_000;

const { values: args } = parseArgs({
  options: {
    postgres: { type: "string", default: process.env.PROXYGATE_POSTGRES ?? "embedded" },
    port: { type: "string", default: process.env.PROXYGATE_PORT ?? "8787" },
    /** Free ports and a throwaway state folder: runs beside another instance, leaves nothing behind. */
    ephemeral: { type: "boolean", default: false },
  },
});

const FIXED_PORTS = { postgres: 15432, relay: 15433, redis: 16379, redisRest: 18079, solana: 18899, upstream: 18080 };

interface LocalSecrets {
  vaultMasterKeys: string;
  upstreamApiKey: string;
  platform: PlatformSecrets;
  /** The demo seller's API key, reused across restarts while it works. */
  demoSellerApiKey?: string;
}

/**
 * Secrets of the local install, kept across restarts so sealed keys and DO state stay readable.
 * A file from an older version gains whatever it lacks (e.g. the platform keys) and keeps the rest.
 */
async function localSecrets(stateDir: string): Promise<LocalSecrets> {
  const file = join(stateDir, "local-secrets.json");
  const stored: Partial<LocalSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const secrets: LocalSecrets = {
    vaultMasterKeys: stored.vaultMasterKeys ?? `local1:${randomBytes(32).toString("base64")}`,
    upstreamApiKey: stored.upstreamApiKey ?? `demo-sk-${randomBytes(16).toString("hex")}`,
    platform: stored.platform ?? (await generatePlatformSecrets()),
    ...(stored.demoSellerApiKey ? { demoSellerApiKey: stored.demoSellerApiKey } : {}),
  };
  saveSecrets(stateDir, secrets, stored);
  return secrets;
}

function saveSecrets(stateDir: string, secrets: LocalSecrets, stored: Partial<LocalSecrets>): void {
  if (JSON.stringify(secrets) === JSON.stringify(stored)) return;
  writeFileSync(join(stateDir, "local-secrets.json"), JSON.stringify(secrets, null, 2), { mode: 0o600 });
}

async function main(): Promise<void> {
  const postgresKind = args.postgres;
  if (postgresKind !== "embedded" && postgresKind !== "system") {
    throw new UsageError(`--postgres must be "embedded" or "system", not "${postgresKind}"`);
  }
  const port = args.ephemeral ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError("--port must be a TCP port");

  const stateDir = args.ephemeral ? mkdtempSync(join(tmpdir(), "proxygate-dev-")) : join(ROOT, ".dev-state");
  mkdirSync(stateDir, { recursive: true });
  // Postgres runs as the unprivileged `postgres` user when we are root: it must reach its data folder.
  chmodSync(stateDir, 0o755);
  const secrets = await localSecrets(stateDir);

  let engines: Engines | undefined;
  let worker: RunningWorker | undefined;
  let cron: NodeJS.Timeout | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    clearInterval(cron);
    console.log("\nStopping proxygate…");
    await worker?.stop().catch(() => {});
    await engines?.stop().catch(() => {});
    await stopAll();
    if (args.ephemeral) rmSync(stateDir, { recursive: true, force: true });
    process.exit(code);
  };
  const onSignal = () => void shutdown(0);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  onFailure = () => shutdown(1);

  console.log(`Starting engines (Postgres: ${postgresKind})…`);
  engines = await startEngines({
    postgres: postgresKind,
    stateDir,
    ports: args.ephemeral ? {} : FIXED_PORTS,
    upstreamApiKey: secrets.upstreamApiKey,
    vaultMasterKeys: secrets.vaultMasterKeys,
    platformSecrets: secrets.platform,
  });

  console.log("Building and starting the Worker…");
  worker = await startWorker({
    vars: engines.vars,
    outDir: join(stateDir, "build"),
    stateDir: join(stateDir, "wrangler"),
    persistDir: join(stateDir, "worker"),
    port,
  });
  // Miniflare installs exit hooks that end the process on SIGINT/SIGTERM before our asynchronous
  // shutdown has stopped the engines; ours must be the only handlers.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.removeAllListeners(signal);
    process.on(signal, onSignal);
  }
  const gateway = worker.url;
  const health = await fetch(`${gateway}/healthz`).then((r) => r.json() as Promise<{ status: string }>);

  console.log("Seeding the demo seller and a funded demo buyer…");
  const seeded = await seedDemo(gateway, {
    upstreamUrl: engines.upstreamUrl,
    upstreamApiKey: engines.upstreamApiKey,
    sellerApiKey: secrets.demoSellerApiKey,
  });
  saveSecrets(stateDir, { ...secrets, demoSellerApiKey: seeded.sellerApiKey }, secrets);
  // A fresh buyer each start: the local chain (LiteSVM) starts empty every time.
  const buyer = await fundedBuyer(gateway, engines.solanaRpcUrl, engines.usdcMint, 5_000_000);
  const dataListing = seeded.listings.find((l) => l.service === "demo-data");
  const chatListing = seeded.listings.find((l) => l.service === "demo-llm");

  // Crons never fire by themselves locally: tick the scheduled handler on the same schedule.
  cron = setInterval(() => {
    fetch(`${gateway}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/10 * * * *")}`).catch(() => {});
  }, TEN_MINUTES);

  const listingLines = seeded.listings
    .map((l) => `    ${l.service.padEnd(10)} listing ${l.id}  ${l.price} micro-USDC ${l.pricingUnit}`)
    .join("\n");
  console.log(`
proxygate is running — local mode, health: ${health.status}

  Gateway + dashboard  ${gateway}
  Health               ${gateway}/healthz
  Postgres             127.0.0.1:${engines.postgres.port} (${engines.postgres.kind}; Neon WebSocket relay on 127.0.0.1:${engines.relayPort})
  Redis (Upstash REST) ${engines.redisRestUrl}
  Solana JSON-RPC      ${engines.solanaRpcUrl}  (USDC mint ${engines.usdcMint})
  Platform keys        co-signer ${engines.platform.cosigner}, settlement ${engines.platform.settlement},
                       treasury ${engines.platform.treasury} (USDC ${engines.platform.treasuryUsdc})
  Demo upstream        ${engines.upstreamUrl}

  Demo seller ${seeded.sellerWallet} lists:
${listingLines}

  Demo buyer ${buyer.signer.address}: vault ${buyer.vault} funded with 5 USDC
  API key (shown once): ${buyer.apiKey}
  Dashboard: ${gateway}/#/signin — paste that key (or sign in with a Solana browser wallet)

Try:
  curl -s ${gateway}/healthz
  curl -s ${gateway}/v1/proxy/${dataListing?.id}/data/quotes/AAPL -H 'Authorization: Bearer ${buyer.apiKey}'
  curl -s ${gateway}/v1/apis
  curl -s ${gateway}/v1/proxy/${chatListing?.service}/v1/chat/completions -H 'Authorization: Bearer ${buyer.apiKey}' \\
       -H 'content-type: application/json' -d '{"model":"demo-chat-1","messages":[{"role":"user","content":"Hello!"}]}'
  curl -s ${gateway}/v1/balance -H 'Authorization: Bearer ${buyer.apiKey}'
  curl -s -X POST ${engines.solanaRpcUrl}/faucet -H 'content-type: application/json' \\
       -d '{"wallet":"${buyer.signer.address}","usdc":5000000,"sol":1000000000}'
  OpenAI SDK: new OpenAI({ baseURL: "${gateway}/v1/proxy/${chatListing?.service}/v1", apiKey: "${buyer.apiKey}" })
  (a call by service name is routed among its sellers; X-Proxygate-Listing names the one that served)

${args.ephemeral ? "State is temporary and removed on exit." : "State lives in .dev-state/ (delete it to start over)."} Ctrl-C stops everything.`);
}

class UsageError extends Error {}

/** Set once startup has something to stop: stops it all and exits 1. */
let onFailure: () => Promise<void> = async () => {
  await stopAll();
  process.exit(1);
};

main().catch(async (err: unknown) => {
  if (err instanceof MissingDependencyError || err instanceof UsageError) {
    console.error(`proxygate: ${err.message}`);
  } else {
    console.error("proxygate: failed to start:", err instanceof Error ? err.message : err);
  }
  await onFailure();
});
