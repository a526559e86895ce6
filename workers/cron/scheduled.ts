import type { Env } from "../env.ts";

/** What one cron tick decided to do. Settlement (issue: settlement) adds its own actions here. */
export type CronDecision = { action: "settle" } | { action: "skip"; reason: string };

/**
 * Decides what a tick does from the trigger alone (pure, so it is unit-testable). Settlement is
 * not wired yet, so every tick is a logged skip rather than a silent no-op.
 */
export function decideCronRun(cron: string, settlementEnabled: boolean): CronDecision {
  if (cron !== "*/10 * * * *") return { action: "skip", reason: `unknown trigger ${cron}` };
  if (!settlementEnabled) return { action: "skip", reason: "settlement not enabled in this build" };
  return { action: "settle" };
}

export async function runScheduled(controller: ScheduledController, env: Env): Promise<CronDecision> {
  const decision = decideCronRun(controller.cron, false);
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
  return decision;
}
