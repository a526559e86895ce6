/**
 * Runs the local engines in their own process: starts them (hermetic: temporary folder, free
 * loopback ports, real PostgreSQL), prints one line `READY <json EngineInfo>` on stdout, and
 * stops them all on SIGTERM/SIGINT or when stdin closes (so it never outlives its parent).
 * Used by the `workers` test project, whose globalSetup runs under workerd module resolution.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DemoBehaviour, type DemoUpstreamHandle, startDemoUpstream } from "./demo-upstream.ts";
import { type CapturedResponse, type CaptureSink, openCapture } from "./lib/capture.ts";
import { listenLoopback, MissingDependencyError, stopAll } from "./lib/process.ts";
import { type Engines, startEngines } from "./stack.ts";

export interface EngineInfo {
  vars: Engines["vars"];
  redisPort: number;
  relayPort: number;
  postgresUrl: string;
  solanaRpcUrl: string;
  upstreamUrl: string;
  upstreamApiKey: string;
  /** The demo upstream's control token: per-request faults and header echo (dev/demo-upstream/debug.ts). */
  upstreamControlToken: string;
  /**
   * Test-only control server on 127.0.0.1 (see `startControlServer`): `POST /postgres/stop`,
   * `POST /postgres/start`, `POST /redis/stop`, `POST /redis/start`, `POST /capture` (`{logs, responses}`
   * the test files captured, for the secrets scan: dev/lib/capture.ts) and `POST /upstreams` (another
   * demo upstream, `{url}`). Absent where no control server runs.
   */
  controlUrl?: string;
}

export function engineInfo(engines: Engines, controlUrl?: string): EngineInfo {
  return {
    ...(controlUrl === undefined ? {} : { controlUrl }),
    vars: engines.vars,
    redisPort: engines.redisPort,
    relayPort: engines.relayPort,
    postgresUrl: engines.postgres.url,
    solanaRpcUrl: engines.solanaRpcUrl,
    upstreamUrl: engines.upstreamUrl,
    upstreamApiKey: engines.upstreamApiKey,
    upstreamControlToken: engines.upstreamControlToken,
  };
}

/** Hermetic engines in a fresh temporary folder, removed again by `cleanup`. */
export async function startHermeticEngines(): Promise<{
  engines: Engines;
  stateDir: string;
  cleanup(): Promise<void>;
}> {
  const stateDir = mkdtempSync(join(tmpdir(), "proxygate-"));
  // Postgres runs as the unprivileged `postgres` user when we are root: it must reach its data folder.
  chmodSync(stateDir, 0o755);
  try {
    const engines = await startEngines({ postgres: "system", stateDir });
    return {
      engines,
      stateDir,
      async cleanup() {
        await engines.stop();
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * A small HTTP server on 127.0.0.1 that lets tests inside workerd (which cannot spawn processes)
 * stop and restart Postgres or redis-server, e.g. to prove the ledger outbox survives an outage. Requests are
 * handled one at a time; each answers once the engine is down (or up and accepting connections).
 */
export async function startControlServer(
  engines: Engines,
  capture?: CaptureSink,
): Promise<{ url: string; close(): Promise<void> }> {
  const actions: Record<string, () => Promise<void>> = {
    "/postgres/stop": () => engines.stopPostgres(),
    "/postgres/start": () => engines.startPostgres(),
    "/redis/stop": () => engines.stopRedis(),
    "/redis/start": () => engines.startRedis(),
  };
  let queue: Promise<unknown> = Promise.resolve();
  const extraUpstreams: DemoUpstreamHandle[] = [];
  const server: Server = createServer((req, res) => {
    // What a test file captured (test/setup/workers-globals.ts), for the secrets scan.
    if (req.method === "POST" && req.url === "/capture") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const { logs = [], responses = [] } = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as {
          logs?: string[];
          responses?: CapturedResponse[];
        };
        capture?.logs(logs);
        capture?.responses(responses);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
      });
      return;
    }
    if (req.method === "POST" && req.url === "/upstreams") {
      startExtraUpstream(engines, req).then(
        (upstream) => {
          extraUpstreams.push(upstream);
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ url: upstream.url }));
        },
        (err: unknown) =>
          res
            .writeHead(400, { "content-type": "application/json" })
            .end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
      );
      return;
    }
    const action = req.method === "POST" ? actions[req.url ?? ""] : undefined;
    if (!action) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: "not found" }));
      return;
    }
    const run = queue.then(action);
    queue = run.catch(() => undefined);
    run.then(
      () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true })),
      (err: unknown) =>
        res
          .writeHead(500, { "content-type": "application/json" })
          .end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) })),
    );
  });
  const port = await listenLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await Promise.all(extraUpstreams.map((u) => u.stop()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Another demo upstream (same API key and control token as the main one) with its own behaviour
 * (`{latencyMs?, failRate?, rateLimitRate?}` as JSON): routing tests need several sellers of one
 * service that behave differently. Change it later with its own `POST /__control`.
 */
async function startExtraUpstream(engines: Engines, req: IncomingMessage): Promise<DemoUpstreamHandle> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  const behaviour = DemoBehaviour.partial()
    .strict()
    .parse(text === "" ? {} : JSON.parse(text));
  return startDemoUpstream({
    ...behaviour,
    apiKey: engines.upstreamApiKey,
    controlToken: engines.upstreamControlToken,
  });
}

async function main(): Promise<void> {
  const { engines, cleanup: stopEngines } = await startHermeticEngines();
  const name = process.env.PROXYGATE_CAPTURE_NAME;
  const capture = name
    ? openCapture({
        name,
        vars: engines.vars,
        upstreamApiKey: engines.upstreamApiKey,
        upstreamControlToken: engines.upstreamControlToken,
      })
    : undefined;
  const control = await startControlServer(engines, capture);
  const cleanup = async () => {
    await control.close();
    await stopEngines();
    capture?.remove();
  };
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cleanup().catch(() => {});
    await stopAll();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  process.stdin.on("end", () => void stop());
  process.stdin.resume();
  process.stdout.write(`READY ${JSON.stringify(engineInfo(engines, control.url))}\n`);
}

if (import.meta.main) {
  main().catch(async (err: unknown) => {
    console.error(err instanceof MissingDependencyError ? err.message : err);
    await stopAll();
    process.exit(1);
  });
}
