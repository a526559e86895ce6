import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { migrate } from "../db/migrate.ts";
import { startDemoUpstream } from "./demo-upstream.ts";
import { startPgRelay } from "./engines/pg-relay.ts";
import { type PostgresServer, startPostgres } from "./engines/postgres.ts";
import { startRedis } from "./engines/redis.ts";
import { startUpstashShim } from "./engines/upstash-shim.ts";
import {
  fundPlatformKeys,
  generatePlatformSecrets,
  type PlatformAddresses,
  type PlatformSecrets,
} from "./platform-keys.ts";
import { startSolanaRpc } from "./solana/rpc-server.ts";
import type { WorkerVars } from "./worker.ts";

export interface EnginePorts {
  postgres: number;
  relay: number;
  redis: number;
  redisRest: number;
  solana: number;
  upstream: number;
}

export interface Engines {
  postgres: PostgresServer;
  relayPort: number;
  redisPort: number;
  redisRestUrl: string;
  solanaRpcUrl: string;
  usdcMint: string;
  upstreamUrl: string;
  upstreamApiKey: string;
  /** The demo upstream's control token (POST /__control, per-request `demo_token`): tests only. */
  upstreamControlToken: string;
  /** The platform's local keys, funded on the local chain (their secrets are in `vars`). */
  platform: PlatformAddresses;
  /** The string bindings a Worker needs to talk to these engines. */
  vars: WorkerVars;
  /** Stops Postgres only (tests of "Postgres unreachable"); the relay stays up. */
  stopPostgres(): Promise<void>;
  /** Starts it again on the same port and data folder, after `stopPostgres`. */
  startPostgres(): Promise<void>;
  /** Stops redis-server only (tests of "Redis unreachable"); the Upstash REST shim stays up. */
  stopRedis(): Promise<void>;
  /** Starts redis-server again on the same port (empty: it never persists), after `stopRedis`. */
  startRedis(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts every local engine on loopback — Postgres (real or embedded) with the Neon WebSocket
 * relay, redis-server behind the Upstash REST shim, the LiteSVM JSON-RPC server and the demo
 * upstream — and applies the migrations. If any step fails, whatever already started is stopped.
 */
export async function startEngines(options: {
  postgres: "system" | "embedded";
  stateDir: string;
  ports?: Partial<EnginePorts>;
  upstreamApiKey?: string;
  /** `VAULT_MASTER_KEYS` for the Worker; a fresh random key when omitted. */
  vaultMasterKeys?: string;
  /** The platform's Solana keys for the Worker; fresh ones when omitted. */
  platformSecrets?: PlatformSecrets;
}): Promise<Engines> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    const ports = options.ports ?? {};
    const track = <T extends { stop(): Promise<void> }>(server: T): T => {
      stops.push(() => server.stop());
      return server;
    };
    // Settle all four before going on, so a failure in one never leaves another starting unseen.
    const started = await Promise.allSettled([
      startPostgres({
        kind: options.postgres,
        dataDir: join(options.stateDir, `pg-${options.postgres}`),
        port: ports.postgres,
      }).then(track),
      startRedis({ port: ports.redis }).then(track),
      startSolanaRpc({ port: ports.solana }).then(track),
      startDemoUpstream({ port: ports.upstream, apiKey: options.upstreamApiKey }).then(track),
    ] as const);
    for (const result of started) if (result.status === "rejected") throw result.reason;
    const [postgres, redis, solana, upstream] = started.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [
      Awaited<ReturnType<typeof startPostgres>>,
      Awaited<ReturnType<typeof startRedis>>,
      Awaited<ReturnType<typeof startSolanaRpc>>,
      Awaited<ReturnType<typeof startDemoUpstream>>,
    ];
    let redisServer = redis;
    // PGlite serves every connection from one session: the relay must serialize transactions.
    const relay = track(await startPgRelay({ port: ports.relay, serialize: postgres.kind === "embedded" }));
    const token = randomBytes(24).toString("hex");
    const shim = track(await startUpstashShim({ redisPort: redis.port, token, port: ports.redisRest }));

    const wsProxy = `127.0.0.1:${relay.port}`;
    const platformSecrets = options.platformSecrets ?? (await generatePlatformSecrets());
    const platform = await fundPlatformKeys({ rpcUrl: solana.url, usdcMint: solana.mint, secrets: platformSecrets });
    await migrate({ databaseUrl: postgres.url, wsProxy });

    const engines: Engines = {
      postgres,
      relayPort: relay.port,
      redisPort: redis.port,
      redisRestUrl: shim.url,
      solanaRpcUrl: solana.url,
      usdcMint: solana.mint,
      upstreamUrl: upstream.url,
      upstreamApiKey: upstream.apiKey,
      upstreamControlToken: upstream.controlToken,
      platform,
      vars: {
        GATEWAY_MODE: "local",
        DATABASE_URL: postgres.url,
        PG_WS_PROXY: wsProxy,
        UPSTASH_REDIS_REST_URL: shim.url,
        UPSTASH_REDIS_REST_TOKEN: token,
        SOLANA_RPC_URL: solana.url,
        USDC_MINT: solana.mint,
        VAULT_MASTER_KEYS: options.vaultMasterKeys ?? `local1:${randomBytes(32).toString("base64")}`,
        ...platformSecrets,
      },
      stopPostgres: () => engines.postgres.stop(),
      async startPostgres() {
        const { kind, port } = engines.postgres;
        engines.postgres = track(await startPostgres({ kind, dataDir: join(options.stateDir, `pg-${kind}`), port }));
      },
      stopRedis: () => redisServer.stop(),
      async startRedis() {
        redisServer = track(await startRedis({ port: redisServer.port }));
      },
      stop,
    };
    return engines;
  } catch (err) {
    await stop();
    throw err;
  }
}
