/** What one cron tick decided to do. */
export type CronDecision = { action: "settle" } | { action: "skip"; reason: string };

/**
 * Decides what a tick does from the trigger alone (pure, so it is unit-testable).
 */
export function decideCronRun(cron: string, settlementEnabled: boolean): CronDecision {
  if (cron !== "*/10 * * * *") return { action: "skip", reason: `unknown trigger ${cron}` };
  if (!settlementEnabled) return { action: "skip", reason: "settlement not enabled in this build" };
  return { action: "settle" };
}
