import type { Env } from "../env.ts";
import { secretValues } from "../env.ts";
import { redactError } from "../lib/redact.ts";
import { runSettlement } from "../settlement/run.ts";
import { type CronDecision, decideCronRun } from "./decide.ts";

export async function runScheduled(controller: ScheduledController, env: Env): Promise<CronDecision> {
  const decision = decideCronRun(controller.cron, true);
  console.log(
    JSON.stringify({
      level: "info",
      event: "cron",
      cron: controller.cron,
      at: controller.scheduledTime,
      env: env.GATEWAY_MODE,
      ...decision,
    }),
  );
  if (decision.action === "settle") {
    try {
      const summary = await runSettlement(env);
      console.log(JSON.stringify({ level: "info", event: "settlement", ...summary }, bigintSafe));
    } catch (err) {
      console.error(JSON.stringify({ level: "error", event: "settlement", msg: redactError(err, secretValues(env)) }));
    }
  }
  return decision;
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
