import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Engines, startEngines } from "../../dev/stack.ts";
import type { WorkerVars } from "../../dev/worker.ts";

/** What the test setup hands to tests (serializable: it crosses into workerd). */
export interface EngineInfo {
  vars: WorkerVars;
  redisPort: number;
  relayPort: number;
  postgresUrl: string;
  solanaRpcUrl: string;
  upstreamUrl: string;
  upstreamApiKey: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    engines: EngineInfo;
    workerUrl: string;
  }
}

/**
 * Starts hermetic engines for one test project: real PostgreSQL in a temporary folder, real
 * redis-server, LiteSVM, the demo upstream — each on a free loopback port, migrated, and
 * stopped by PID (and the folder removed) on teardown.
 */
export async function startTestEngines(): Promise<{ engines: Engines; info: EngineInfo; stateDir: string; cleanup(): Promise<void> }> {
  const stateDir = mkdtempSync(join(tmpdir(), "proxygate-test-"));
  // Postgres runs as the unprivileged `postgres` user when we are root: it must reach its data folder.
  chmodSync(stateDir, 0o755);
  const engines = await startEngines({ postgres: "system", stateDir });
  const info: EngineInfo = {
    vars: engines.vars,
    redisPort: engines.redisPort,
    relayPort: engines.relayPort,
    postgresUrl: engines.postgres.url,
    solanaRpcUrl: engines.solanaRpcUrl,
    upstreamUrl: engines.upstreamUrl,
    upstreamApiKey: engines.upstreamApiKey,
  };
  return {
    engines,
    info,
    stateDir,
    async cleanup() {
      await engines.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
