/**
 * Runs the local engines in their own process: starts them (hermetic: temporary folder, free
 * loopback ports, real PostgreSQL), prints one line `READY <json EngineInfo>` on stdout, and
 * stops them all on SIGTERM/SIGINT or when stdin closes (so it never outlives its parent).
 * Used by the `workers` test project, whose globalSetup runs under workerd module resolution.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingDependencyError, stopAll } from "./lib/process.ts";
import { type Engines, startEngines } from "./stack.ts";

export interface EngineInfo {
  vars: Engines["vars"];
  redisPort: number;
  relayPort: number;
  postgresUrl: string;
  solanaRpcUrl: string;
  upstreamUrl: string;
  upstreamApiKey: string;
}

export function engineInfo(engines: Engines): EngineInfo {
  return {
    vars: engines.vars,
    redisPort: engines.redisPort,
    relayPort: engines.relayPort,
    postgresUrl: engines.postgres.url,
    solanaRpcUrl: engines.solanaRpcUrl,
    upstreamUrl: engines.upstreamUrl,
    upstreamApiKey: engines.upstreamApiKey,
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

async function main(): Promise<void> {
  const { engines, cleanup } = await startHermeticEngines();
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
  process.stdout.write(`READY ${JSON.stringify(engineInfo(engines))}\n`);
}

if (import.meta.main) {
  main().catch(async (err: unknown) => {
    console.error(err instanceof MissingDependencyError ? err.message : err);
    await stopAll();
    process.exit(1);
  });
}
