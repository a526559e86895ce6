import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Keeps wrangler offline and its state out of $HOME (LOCAL-STACK.md). */
export function wranglerEnv(stateDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    XDG_CONFIG_HOME: join(stateDir, "config"),
    WRANGLER_LOG_PATH: join(stateDir, "logs"),
  };
}

/** The string bindings (vars and secrets) the Worker validates at its entry (workers/env.ts). */
export interface WorkerVars {
  GATEWAY_MODE: "local" | "production";
  DATABASE_URL: string;
  PG_WS_PROXY?: string;
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
  SOLANA_RPC_URL: string;
  USDC_MINT: string;
  VAULT_MASTER_KEYS: string;
  PLATFORM_COSIGNER_KEY: string;
  SETTLEMENT_KEY: string;
  TREASURY_KEY: string;
  RECEIPT_KEY: string;
  /** Optional rate limits (workers/env.ts RateLimitSchema); unset → the production defaults. */
  RATE_LIMIT_PUBLIC_PER_MINUTE?: string;
  RATE_LIMIT_SIGNIN_PER_MINUTE?: string;
  RATE_LIMIT_WALLET_CALLS_PER_SECOND?: string;
  RATE_LIMIT_WALLET_CALLS_BURST?: string;
  RATE_LIMIT_WALLET_API_PER_SECOND?: string;
  RATE_LIMIT_WALLET_API_BURST?: string;
  /** Optional settlement thresholds (workers/settlement/run.ts): micro-USDC and seconds. */
  SETTLEMENT_MIN_PAYOUT?: string;
  SETTLEMENT_MIN_COLLECTION?: string;
  SETTLEMENT_MAX_AGE_SECONDS?: string;
}

/**
 * Bundles the Worker exactly as `wrangler deploy` would (`--dry-run`), into `outDir`.
 * Returns the path of the entry module.
 */
export async function buildWorker(outDir: string, stateDir: string): Promise<string> {
  // Start clean: emitted module files are named by content hash, so old ones would linger.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const wrangler = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const child = spawn(process.execPath, [wrangler, "deploy", "--dry-run", "--outdir", outDir], {
    cwd: ROOT,
    env: wranglerEnv(stateDir),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  if (code !== 0) throw new Error(`wrangler build failed:\n${output}`);
  return join(outDir, "index.js");
}

export interface RunningWorker {
  url: string;
  miniflare: Miniflare;
  stop(): Promise<void>;
}

/**
 * Runs the built Worker in workerd through Miniflare directly (no `wrangler dev` proxy layer):
 * the same bindings, Durable Objects, assets and cron trigger as wrangler.toml, with `vars` as
 * the bindings. `persistDir` keeps Durable Object storage across restarts (dev); omit it in tests.
 */
export async function startWorker(options: {
  vars: WorkerVars;
  outDir: string;
  stateDir: string;
  port?: number;
  persistDir?: string;
  /** Opens the V8 inspector of every isolate on this loopback port (CPU profiles in the benchmark). */
  inspectorPort?: number;
  /** Sees every console line of the Worker and its Durable Objects (still printed as usual). */
  onLog?: (line: string) => void;
  /**
   * false: no static-assets router in front of the Worker (no dashboard; the API is unchanged).
   * The benchmark's bare-shape gateway, compared with the bare passthrough.
   */
  assets?: boolean;
}): Promise<RunningWorker> {
  const scriptPath = await buildWorker(options.outDir, options.stateDir);
  const fromConfig = unstable_getMiniflareWorkerOptions(join(ROOT, "wrangler.toml"));
  // The build emits the entry plus one file per Text module (the Lua scripts); list them explicitly.
  const { modulesRules: _rules, assets, ...workerOptions } = fromConfig.workerOptions;
  const modules = [
    { type: "ESModule" as const, path: scriptPath },
    ...readdirSync(options.outDir)
      .filter((f) => f.endsWith(".lua"))
      .map((f) => ({ type: "Text" as const, path: join(options.outDir, f) })),
  ];
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      host: "127.0.0.1",
      port: options.port ?? 0,
      unsafeTriggerHandlers: true,
      ...(options.inspectorPort === undefined ? {} : { inspectorPort: options.inspectorPort }),
      ...(options.persistDir ? { resourcePersistencePath: options.persistDir } : {}),
      ...(options.onLog ? { handleStructuredLogs: printAnd(options.onLog) } : {}),
      ...workerOptions,
      // Without the router the Worker still needs its ASSETS binding (workers/env.ts): a 404 stands in.
      ...(options.assets === false
        ? {
            serviceBindings: {
              ...(workerOptions.serviceBindings ?? {}),
              ASSETS: () => new Response(null, { status: 404 }),
            },
          }
        : { assets }),
      name: "proxygate",
      modules,
      modulesRoot: options.outDir,
      bindings: { ...(workerOptions.bindings ?? {}), ...options.vars },
    } as Parameters<typeof convertV4MiniflareOptions>[0]),
  );
  const url = (await miniflare.ready).toString().replace(/\/$/, "");
  return { url, miniflare, stop: () => miniflare.dispose() };
}

/** Miniflare's default handling of the runtime's console lines, after handing each to `onLog`. */
function printAnd(onLog: (line: string) => void) {
  return ({ level, message }: { level: string; message: string }) => {
    onLog(message);
    if (level === "error" || level === "warn") console.error(message);
    else console.log(message);
  };
}
