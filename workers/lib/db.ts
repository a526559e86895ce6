import { createDb, createPool, type Db } from "../../db/client.ts";
import type { Env } from "../env.ts";
import { secretValues } from "../env.ts";
import { redactError } from "./redact.ts";

type WaitUntil = (promise: Promise<unknown>) => void;

/**
 * Runs `fn` with a Postgres connection made for this request; the pool is closed after the
 * response (`waitUntil`), as the Neon driver wants in a Worker.
 */
export async function withDb<T>(env: Env, waitUntil: WaitUntil, fn: (db: Db) => Promise<T>): Promise<T> {
  const pool = createPool(env);
  try {
    return await fn(createDb(pool));
  } finally {
    waitUntil(pool.end());
  }
}

/**
 * Best-effort Postgres work after the response: failures are logged (redacted), never surfaced.
 * `what` names the work in the log line.
 */
export function afterResponse(env: Env, waitUntil: WaitUntil, what: string, fn: (db: Db) => Promise<unknown>): void {
  waitUntil(
    withDb(env, waitUntil, fn).catch((err: unknown) => {
      console.warn(
        JSON.stringify({ level: "warn", msg: `${what} failed`, reason: redactError(err, secretValues(env)) }),
      );
    }),
  );
}
