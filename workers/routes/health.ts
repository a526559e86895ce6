import { Hono } from "hono";
import { z } from "zod";
import { createPool } from "../../db/client.ts";
import { type Env, secretValues } from "../env.ts";
import { redactError } from "../lib/redact.ts";
import { createRedis } from "../lib/redis.ts";
import { operation } from "../openapi/registry.ts";
import { createRpc } from "../solana/rpc.ts";
import type { AppEnv } from "../types.ts";

const CHECK_TIMEOUT_MS = 3000;

export const DependencyStatus = z
  .object({
    status: z.enum(["ok", "error"]),
    latencyMs: z.number(),
    /** What went wrong (redacted: no URLs, no secrets). */
    error: z.string().optional(),
  })
  .catchall(z.unknown());
export type DependencyStatus = z.infer<typeof DependencyStatus>;

export const HealthReport = z.object({
  status: z.enum(["ok", "degraded"]),
  mode: z.enum(["local", "production"]),
  checks: z.object({ postgres: DependencyStatus, redis: DependencyStatus, solana: DependencyStatus }),
});
export interface HealthReport extends z.infer<typeof HealthReport> {
  mode: Env["GATEWAY_MODE"];
}

/** Runs one round trip with a deadline, timing it; errors are redacted before they are reported. */
async function probe(env: Env, run: () => Promise<Record<string, unknown> | undefined>): Promise<DependencyStatus> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    const details = await Promise.race([run(), timeout]);
    return { status: "ok", latencyMs: Math.round(performance.now() - started), ...details };
  } catch (err) {
    return {
      status: "error",
      latencyMs: Math.round(performance.now() - started),
      error: redactError(err, secretValues(env)),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** Real round trips to every dependency, in parallel. */
export async function checkHealth(env: Env, waitUntil: (p: Promise<unknown>) => void): Promise<HealthReport> {
  const [postgres, redis, solana] = await Promise.all([
    probe(env, async () => {
      const pool = createPool(env);
      try {
        await pool.query("select 1");
      } finally {
        waitUntil(pool.end());
      }
      return undefined;
    }),
    probe(env, async () => {
      const pong = await createRedis(env).ping();
      if (pong !== "PONG") throw new Error("unexpected PING reply");
      return undefined;
    }),
    probe(env, async () => {
      const slot = await createRpc(env).getSlot({ commitment: "confirmed" }).send();
      return { slot: Number(slot) };
    }),
  ]);
  const allOk = postgres.status === "ok" && redis.status === "ok" && solana.status === "ok";
  return { status: allOk ? "ok" : "degraded", mode: env.GATEWAY_MODE, checks: { postgres, redis, solana } };
}

export const healthApi = [
  operation({
    method: "get",
    path: "/healthz",
    operationId: "health",
    summary: "Health of the gateway and its dependencies",
    description: "Real round trips to Postgres, Redis and the Solana RPC, in parallel (3 s deadline each).",
    tags: ["health"],
    auth: "public",
    responses: {
      200: { description: "Every dependency answered", schema: HealthReport },
      503: { description: "At least one dependency failed (same body, status `degraded`)", schema: HealthReport },
    },
    errors: [],
  }),
];

export const health = new Hono<AppEnv>().get("/healthz", async (c) => {
  const report = await checkHealth(c.env, (p) => c.executionCtx.waitUntil(p));
  c.header("cache-control", "no-store");
  return c.json(report, report.status === "ok" ? 200 : 503);
});
